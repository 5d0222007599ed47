import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SessionActor } from "../../src/session/actor";
import { PING_FRAME, PONG_FRAME } from "../../src/session/protocol";
import intake from "../../scripts/sessions/intake_en.yaml";
import { call, expectProblem, json } from "../helpers";
import {
  actor,
  allMessages,
  eventually,
  holdModel,
  lastState,
  openSocket,
  parseSse,
  person,
  queuedTurns,
  say,
  sendMessage,
  settle,
  startSession,
  transcript,
} from "./helpers";

async function intakeSession() {
  const who = await person("author");
  const created = await startSession(who, { scriptYaml: intake });
  return { who, id: created.sessionId as string };
}

const turnsRun = async (id: string) => (await actor(id).instrumentation())!.turns;

describe("a repeated clientMessageId", () => {
  it("is answered from the log, once, over REST, SSE and WebSocket", async () => {
    const { who, id } = await intakeSession();
    const first = await say(who, id, "Sam", "same-1");
    const ran = await turnsRun(id);

    expect(await say(who, id, "Sam", "same-1")).toEqual(first);

    const sse = await call(
      `/api/sessions/${id}/messages`,
      json({ content: "Sam", clientMessageId: "same-1" }, { ...who.headers, accept: "text/event-stream" }),
    );
    const events = parseSse(await sse.text());
    expect(events.filter((e) => e.event === "message").map((e) => e.data.seq)).toEqual([
      first.userMessage.seq,
      ...first.messages.map((m: any) => m.seq),
    ]);
    expect(events.at(-1)).toMatchObject({ event: "done", data: { messages: first.messages } });

    const socket = await openSocket(id, who.token);
    await socket.until((f) => lastState(f) !== undefined);
    socket.send({ type: "user_message", content: "Sam", clientMessageId: "same-1" });
    await socket.until((f) => f.filter((x) => x.type === "message").length === 2);
    expect(socket.frames.filter((f) => f.type === "message").map((f) => f.seq)).toEqual([3, 4]);

    expect(await turnsRun(id)).toBe(ran);
    const log = await allMessages(who, id);
    expect(log.filter((m) => m.role === "user")).toHaveLength(1);
    expect(log).toHaveLength(4);
  });

  it("with other content is refused with 409 and changes nothing", async () => {
    const { who, id } = await intakeSession();
    await say(who, id, "Sam", "reused-1");
    await expectProblem(await sendMessage(who, id, "Alex", "reused-1"), 409, "CLIENT_MESSAGE_ID_REUSED");
    expect((await allMessages(who, id)).map((m) => m.content)).not.toContain("Alex");
  });
});

describe("concurrent sends", () => {
  // The model is held while the first turn runs, so the later sends provably arrive during it:
  // the actor must queue them and answer them in the order they arrived.
  it("over REST run one at a time and are answered in the order they arrived", async () => {
    const { who, id } = await intakeSession();
    const model = await holdModel(id);
    const a = say(who, id, "Sam", "conc-a");
    await eventually(
      () => queuedTurns(id, ["conc-a"]),
      (t) => t[0]?.status === "running",
      "the first turn to run",
    );
    const b = say(who, id, "Work has been stressful", "conc-b");
    await eventually(
      () => queuedTurns(id, ["conc-b"]),
      (t) => t.length === 1,
      "the second send to be queued",
    );
    const c = say(who, id, "6", "conc-c");
    const queued = await eventually(
      () => queuedTurns(id, ["conc-a", "conc-b", "conc-c"]),
      (t) => t.length === 3,
      "the third send to be queued",
    );
    expect(queued.map((t) => t.status)).toEqual(["running", "queued", "queued"]);
    model.release();

    const [first, second, third] = await Promise.all([a, b, c]);
    expect(first.messages.map((m: any) => m.actionId)).toEqual(["ask_problem"]);
    expect(second.messages.map((m: any) => m.actionId)).toEqual(["rate_mood"]);
    expect(third.messages.map((m: any) => m.actionId)).toEqual(["ask_sleep"]);
    expect([first, second, third].map((r) => r.userMessage.seq)).toEqual([3, 5, 7]);
    const log = await allMessages(who, id);
    expect(log.map((m) => m.seq)).toEqual(log.map((_, i) => i + 1));
    expect(
      transcript(log)
        .slice(2)
        .filter(([role]) => role === "user"),
    ).toEqual([
      ["user", "Sam", "ask_name"],
      ["user", "Work has been stressful", "ask_problem"],
      ["user", "6", "rate_mood"],
    ]);
  });

  it("on one WebSocket are answered in the order they were sent", async () => {
    const { who, id } = await intakeSession();
    const socket = await openSocket(id, who.token);
    const model = await holdModel(id);
    const answers = ["Sam", "Work has been stressful", "6"];
    for (const [i, content] of answers.entries()) {
      socket.send({ type: "user_message", content, clientMessageId: `burst-${i}` });
      // Each frame is seen by the actor before the next is sent, so "the order they were sent" is the arrival order.
      await eventually(
        () => queuedTurns(id, [`burst-${i}`]),
        (t) => t.length === 1,
        `frame ${i} to be queued`,
      );
    }
    const queued = await queuedTurns(
      id,
      answers.map((_, i) => `burst-${i}`),
    );
    expect(queued.map((t) => t.status)).toEqual(["running", "queued", "queued"]);
    model.release();

    await socket.until((f) => lastState(f)?.position.actionId === "ask_sleep");
    expect(transcript(await allMessages(who, id)).slice(2)).toEqual([
      ["user", "Sam", "ask_name"],
      ["assistant", "Thank you, Sam. What brings you here today?", "ask_problem"],
      ["user", "Work has been stressful", "ask_problem"],
      ["assistant", expect.stringMatching(/^On a scale from 0 to 10/), "rate_mood"],
      ["user", "6", "rate_mood"],
      ["assistant", "How have you been sleeping lately?", "ask_sleep"],
    ]);
    const seqs = socket.frames.filter((f) => f.type === "message").map((f) => f.seq);
    expect(seqs).toEqual([3, 4, 5, 6, 7, 8]);
  });
});

describe("resume after a dropped connection", () => {
  it("replays exactly the messages the client missed, once each", async () => {
    const { who, id } = await intakeSession();
    const first = await openSocket(id, who.token);
    first.send({ type: "user_message", content: "Sam", clientMessageId: "r-1" });
    await first.until((f) => lastState(f)?.lastSeq === 4);
    const seen = Math.max(...first.frames.filter((f) => f.type === "message").map((f) => f.seq));
    expect(seen).toBe(4);
    first.ws.close(1001, "gone");

    await say(who, id, "Work has been stressful", "r-2");
    await say(who, id, "6", "r-3");
    const second = await openSocket(id, who.token);
    await second.until((f) => lastState(f) !== undefined);
    expect(lastState(second.frames).lastSeq).toBe(8);
    await say(who, id, "Badly", "r-4"); // live, while connected
    await second.until((f) => lastState(f).lastSeq === 11);
    second.send({ type: "resume", lastSeq: seen });
    await second.until((f) => f.filter((x) => x.type === "state").length === 3);

    const received = second.frames.filter((f) => f.type === "message").map((f) => f.seq);
    expect([...received].sort((x, y) => x - y)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    expect(new Set(received).size).toBe(received.length);
    const log = await allMessages(who, id);
    for (const frame of second.frames.filter((f) => f.type === "message")) {
      const { type: _t, ...message } = frame;
      expect(message).toEqual(log.find((m) => m.seq === frame.seq));
    }
  });

  it("over SSE starts after Last-Event-ID and then follows live turns", async () => {
    const { who, id } = await intakeSession();
    await say(who, id, "Sam");
    const res = await call(`/api/sessions/${id}/events`, { headers: { ...who.headers, "last-event-id": "2" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const readUntil = async (test: (t: string) => boolean) => {
      while (!test(text)) text += decoder.decode((await reader.read()).value, { stream: true });
    };
    await readUntil((t) => t.includes("event: state"));
    expect(
      parseSse(text)
        .filter((e) => e.event === "message")
        .map((e) => [e.id, e.data.seq]),
    ).toEqual([
      ["3", 3],
      ["4", 4],
    ]);
    await say(who, id, "Work has been stressful");
    await readUntil((t) => t.split("event: state").length === 3);
    const events = parseSse(text);
    expect(events.filter((e) => e.event === "message").map((e) => e.data.seq)).toEqual([3, 4, 5, 6]);
    expect(events.some((e) => e.event === "delta")).toBe(true);
    await reader.cancel();
  });
});

describe("WebSocket frames", () => {
  it("answers pings, and bad frames with an error frame that changes nothing", async () => {
    const { who, id } = await intakeSession();
    const socket = await openSocket(id, who.token);
    socket.send('{"type":"ping"}');
    socket.send('{ "type": "ping" }');
    await socket.until((f) => f.filter((x) => x.type === "pong").length === 2);
    socket.send("not json");
    socket.send({ type: "user_message" });
    socket.send({ type: "shout", content: "hi" });
    await socket.until((f) => f.filter((x) => x.type === "error").length === 3);
    expect(socket.frames.filter((f) => f.type === "error").map((f) => f.code)).toEqual(["BAD_FRAME", "BAD_FRAME", "BAD_FRAME"]);
    await settle(id);
    expect(await allMessages(who, id)).toHaveLength(2);
  });
});

describe("hibernation", () => {
  it("lets the runtime answer the ping frame itself, without waking the actor", async () => {
    const { who, id } = await intakeSession();
    const socket = await openSocket(id, who.token);
    await socket.until((f) => lastState(f) !== undefined);
    socket.send(PING_FRAME);
    await socket.until((f) => f.some((x) => x.type === "pong"));
    await runInDurableObject(actor(id), (_instance: SessionActor, state) => {
      const pair = state.getWebSocketAutoResponse();
      expect(pair?.request).toBe(PING_FRAME);
      expect(pair?.response).toBe(PONG_FRAME);
      // Set only when the runtime, not the actor's handler, answered this socket's ping.
      const [ws] = state.getWebSockets();
      expect(state.getWebSocketAutoResponseTimestamp(ws!)).toBeInstanceOf(Date);
    });
  });

  it("keeps who is connected in the socket: an actor woken from hibernation runs the turn as that user", async () => {
    const { who, id } = await intakeSession();
    const socket = await openSocket(id, who.token);
    await socket.until((f) => lastState(f) !== undefined);
    // A new instance knows nothing but storage and the socket's attachment, as after hibernation.
    const woken = await runInDurableObject(actor(id), (_instance: SessionActor, state) => new SessionActor(state, env));
    await runInDurableObject(actor(id), async (_instance: SessionActor, state) => {
      const [ws] = state.getWebSockets();
      expect(ws!.deserializeAttachment()).toMatchObject({ sessionId: id, userId: who.id, role: "author" });
      await woken.webSocketMessage(ws!, JSON.stringify({ type: "user_message", content: "Sam", clientMessageId: "woken-1" }));
    });
    await socket.until((f) => f.some((x) => x.type === "message" && x.content === "Thank you, Sam. What brings you here today?"));
    await abortAllDurableObjects();
    const log = await allMessages(who, id);
    expect(transcript(log).slice(2)).toEqual([
      ["user", "Sam", "ask_name"],
      ["assistant", "Thank you, Sam. What brings you here today?", "ask_problem"],
    ]);
  });
});
