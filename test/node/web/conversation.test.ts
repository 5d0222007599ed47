/**
 * The client-side conversation model the page and `heartrule chat` share:
 * every message once, in order, whatever a reconnect replays.
 */
import { describe, expect, it } from "vitest";
import { Conversation } from "../../../src/web/client/conversation";
import { parseServerFrame, toMessageFrame, type MessageFrame } from "../../../src/web/client/protocol";

const ai = (seq: number, n: number, content: string): MessageFrame => ({
  type: "message",
  seq,
  role: "assistant",
  content,
  actionId: "a",
  messageId: `msg_${n}`,
});
const user = (seq: number, content: string, clientMessageId?: string): MessageFrame => ({
  type: "message",
  seq,
  role: "user",
  content,
  actionId: "a",
  ...(clientMessageId ? { clientMessageId } : {}),
});

const texts = (c: Conversation) => c.lines.map((l) => `${l.role}:${l.content}:${l.state}`);

describe("Conversation", () => {
  it("keeps each seq once when a resume replays messages it already has", () => {
    const c = new Conversation();
    expect(c.applyMessage(ai(1, 1, "Hello"))).toBe(true);
    expect(c.applyMessage(ai(2, 2, "Your name?"))).toBe(true);
    expect(c.applyMessage(ai(1, 1, "Hello"))).toBe(false);
    expect(c.applyMessage(ai(2, 2, "Your name?"))).toBe(false);
    expect(texts(c)).toEqual(["assistant:Hello:final", "assistant:Your name?:final"]);
    expect(c.lastSeq).toBe(2);
  });

  it("grows a streaming line from deltas and replaces it with the final text, dropping late deltas", () => {
    const c = new Conversation();
    const changes: string[] = [];
    c.onChange(({ kind, line }) => changes.push(`${kind}:${line.key}`));
    c.applyDelta({ type: "delta", messageId: "msg_1", text: "Hel" });
    c.applyDelta({ type: "delta", messageId: "msg_1", text: "lo" });
    expect(texts(c)).toEqual(["assistant:Hello:streaming"]);
    expect(c.streaming).toBe(true);
    c.applyMessage(ai(1, 1, "Hello!"));
    expect(c.applyDelta({ type: "delta", messageId: "msg_1", text: " again" })).toBe(false);
    expect(texts(c)).toEqual(["assistant:Hello!:final"]);
    // One line throughout: added once, then updated in place.
    expect(changes).toEqual(["added:m:msg_1", "updated:m:msg_1", "updated:m:msg_1"]);
  });

  it("ignores the deltas of a message interrupted by a dropped connection until its final text arrives", () => {
    const c = new Conversation();
    c.applyDelta({ type: "delta", messageId: "msg_1", text: "Thank " });
    c.interruptStreams();
    expect(c.applyDelta({ type: "delta", messageId: "msg_1", text: "Sam." })).toBe(false);
    c.applyDelta({ type: "delta", messageId: "msg_2", text: "Next" });
    c.applyMessage(ai(3, 1, "Thank you, Sam."));
    expect(texts(c)).toEqual(["assistant:Thank you, Sam.:final", "assistant:Next:streaming"]);
  });

  it("confirms an outgoing message by its clientMessageId and keeps its line", () => {
    const c = new Conversation();
    const line = c.addOutgoing("Sam", "c-1");
    expect(c.unconfirmed).toEqual([line]);
    c.applyMessage(user(3, "Sam", "c-1"));
    expect(c.unconfirmed).toEqual([]);
    expect(c.lines).toHaveLength(1);
    expect(c.lines[0]).toMatchObject({ key: "c:c-1", seq: 3, state: "final" });
  });

  it("confirms by text when the server does not echo the clientMessageId", () => {
    const c = new Conversation();
    c.addOutgoing("first", "c-1");
    c.addOutgoing("second", "c-2");
    c.applyMessage(user(2, "second"));
    expect(c.unconfirmed.map((l) => l.clientMessageId)).toEqual(["c-1"]);
  });

  it("shows a user message it did not send (another tab, or history after a reload)", () => {
    const c = new Conversation();
    c.applyMessage(user(1, "from elsewhere", "other"));
    expect(texts(c)).toEqual(["user:from elsewhere:final"]);
  });

  it("marks a failed turn for Retry, confirmed or not, and gives the lines back with their clientMessageIds", () => {
    const c = new Conversation();
    expect(c.markFailed({})).toBeNull();
    c.addOutgoing("Sam", "c-1");
    c.applyMessage(user(1, "Sam", "c-1"));
    c.addOutgoing("hello?", "c-2");
    expect(c.markFailed({ clientMessageId: "c-1" })?.state).toBe("failed");
    expect(c.markFailed({})?.clientMessageId).toBe("c-2");
    const retried = c.retryFailed();
    // The confirmed one stays confirmed (the server has it); the other is sent again.
    expect(retried.map((l) => [l.clientMessageId, l.state])).toEqual([
      ["c-1", "final"],
      ["c-2", "sending"],
    ]);
  });

  it("takes back a line on delta_reset: the repaired text replaces it instead of being appended", () => {
    const c = new Conversation();
    const changes: string[] = [];
    c.onChange(({ kind, line }) => changes.push(`${kind}:${line.key}:${line.content}`));
    c.applyDelta({ type: "delta", messageId: "msg_1", text: "I was about to" });
    expect(c.applyDeltaReset({ type: "delta_reset", messageId: "msg_1" })).toBe(true);
    expect(c.lines).toEqual([]);
    expect(c.streaming).toBe(false);
    c.applyDelta({ type: "delta", messageId: "msg_1", text: "Welcome" });
    c.applyDelta({ type: "delta", messageId: "msg_1", text: ", Sam." });
    expect(texts(c)).toEqual(["assistant:Welcome, Sam.:streaming"]);
    c.applyMessage(ai(1, 1, "Welcome, Sam."));
    expect(texts(c)).toEqual(["assistant:Welcome, Sam.:final"]);
    expect(changes).toEqual([
      "added:m:msg_1:I was about to",
      "removed:m:msg_1:I was about to",
      "added:m:msg_1:Welcome",
      "updated:m:msg_1:Welcome, Sam.",
      "updated:m:msg_1:Welcome, Sam.",
    ]);
  });

  it("leaves other lines and final messages alone on delta_reset", () => {
    const c = new Conversation();
    c.applyMessage(ai(1, 1, "Hello"));
    c.applyDelta({ type: "delta", messageId: "msg_2", text: "Next" });
    expect(c.applyDeltaReset({ type: "delta_reset", messageId: "msg_1" })).toBe(false);
    expect(c.applyDeltaReset({ type: "delta_reset", messageId: "msg_9" })).toBe(false);
    expect(texts(c)).toEqual(["assistant:Hello:final", "assistant:Next:streaming"]);
  });

  it("streams an interrupted message again after its delta_reset, since the text restarts from the beginning", () => {
    const c = new Conversation();
    c.applyDelta({ type: "delta", messageId: "msg_1", text: "Thank " });
    c.interruptStreams();
    expect(c.applyDelta({ type: "delta", messageId: "msg_1", text: "Sam." })).toBe(false);
    c.applyDeltaReset({ type: "delta_reset", messageId: "msg_1" });
    expect(c.applyDelta({ type: "delta", messageId: "msg_1", text: "Thanks, Sam." })).toBe(true);
    expect(texts(c)).toEqual(["assistant:Thanks, Sam.:streaming"]);
  });

  it("drops every streaming line when a turn fails, and the retried turn streams them anew", () => {
    const c = new Conversation();
    c.applyMessage(ai(1, 1, "Hello"));
    c.addOutgoing("Sam", "c-1");
    c.applyMessage(user(2, "Sam", "c-1"));
    c.applyDelta({ type: "delta", messageId: "msg_2", text: "Thanks, " });
    expect(c.dropStreaming().map((l) => l.content)).toEqual(["Thanks, "]);
    expect(texts(c)).toEqual(["assistant:Hello:final", "user:Sam:final"]);
    c.applyDelta({ type: "delta", messageId: "msg_2", text: "Thank you, Sam." });
    expect(texts(c)).toEqual(["assistant:Hello:final", "user:Sam:final", "assistant:Thank you, Sam.:streaming"]);
  });
});

describe("server frames", () => {
  it("accepts the contract's frames and REST messages, and nothing malformed", () => {
    expect(
      parseServerFrame('{"type":"message","seq":4,"id":"msg_2","role":"assistant","content":"Hi","actionId":"greet","clientMessageId":null}'),
    ).toEqual({
      type: "message",
      seq: 4,
      role: "assistant",
      content: "Hi",
      actionId: "greet",
      messageId: "msg_2",
    });
    expect(parseServerFrame('{"type":"delta","messageId":"msg_2","text":"H"}')).toEqual({ type: "delta", messageId: "msg_2", text: "H" });
    expect(parseServerFrame('{"type":"delta_reset","messageId":"msg_2","actionId":"greet"}')).toEqual({ type: "delta_reset", messageId: "msg_2" });
    expect(parseServerFrame('{"type":"state","status":"waiting_input","position":{"phaseIndex":0}}')).toMatchObject({
      type: "state",
      status: "waiting_input",
    });
    expect(parseServerFrame('{"type":"error","code":"LLM_TIMEOUT","message":"slow","retryable":true,"clientMessageId":"c-1"}')).toEqual({
      type: "error",
      code: "LLM_TIMEOUT",
      message: "slow",
      retryable: true,
      clientMessageId: "c-1",
    });
    expect(parseServerFrame('{"type":"safety","crisis":true,"source":"input"}')).toEqual({ type: "safety", crisis: true });
    for (const bad of [
      "not json",
      "[]",
      '{"type":"message","seq":-1,"role":"assistant","content":"x"}',
      '{"type":"message","seq":1,"role":"system","content":"x"}',
      '{"type":"delta","messageId":1,"text":"x"}',
      '{"type":"delta_reset"}',
      '{"type":"unknown"}',
    ]) {
      expect(parseServerFrame(bad)).toBeNull();
    }
    expect(toMessageFrame({ seq: 1, id: "usr_1", role: "user", content: "Sam", actionId: null, clientMessageId: "c-1" })).toEqual({
      type: "message",
      seq: 1,
      role: "user",
      content: "Sam",
      actionId: null,
      messageId: "usr_1",
      clientMessageId: "c-1",
    });
  });
});
