/**
 * The output guard in a session: a line that crosses a safety boundary (the model flags it, or only the
 * local check catches it) is retracted from every client's screen within the turn, replaced by a checked
 * rewrite or the canned line, and only the safe line is logged, exported and mirrored. Each replacement is
 * a guard record of the turn, in D1 exactly once (through a refused batch and an eviction) and counted by
 * the safety report.
 */
import type { LanguageModelV3CallOptions } from "@ai-sdk/provider";
import { MockLanguageModelV3 } from "ai/test";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PROVIDER_OPTIONS_KEY, type ModelRequest } from "../../src/engine";
import { cannedLine } from "../../src/engine/safety/canned-lines";
import type { SessionActor } from "../../src/session/actor";
import { call } from "../helpers";
import { sayReply } from "../model-replies";
import { streamOfPieces } from "../node/engine/helpers";
import {
  actor,
  allMessages,
  body,
  d1Messages,
  d1Records,
  deliveredOnceAcrossEviction,
  openSocket,
  reportedThisMonth,
  person,
  readSse,
  say,
  sendMessage,
  settle,
  startSession,
  tinyScript,
  type Person,
} from "./helpers";

/** A diagnosis the model reports in its own `safety_risk`; the local check does not know the words, so it streams whole. */
const DIAGNOSIS = "From everything you describe, I would say this is clinical and it explains it all.";
/** A dosage only the local check catches (the model reports nothing); it checks streamed text at clause ends, so the clause streams, then is reset. */
const DOSAGE = "That sounds exhausting. You should take 50mg of sertraline every night.";
const REWRITE = "That sounds really hard. Would you like to tell me more about how your nights have been?";
const FLAGGED_WORDS = /clinical|sertraline|50mg/;

const flaggedByModel = (content: string) =>
  sayReply(content, { safety_risk: { detected: true, risk_type: "diagnosis", confidence: "high", reason: "diagnoses the client" } });

/**
 * A model that answers the guard's `rewrite` call with `rewrite` and every other call with `line`, each reply
 * streamed in small pieces as a provider streams tokens.
 */
function scriptedModel(line: Record<string, unknown>, rewrite: Record<string, unknown>): MockLanguageModelV3 {
  return new MockLanguageModelV3({
    doStream: async (options: LanguageModelV3CallOptions) => {
      const request = options.providerOptions?.[PROVIDER_OPTIONS_KEY] as unknown as ModelRequest;
      const text = JSON.stringify(request.purpose === "rewrite" ? rewrite : line);
      return streamOfPieces(text.match(/[\s\S]{1,12}/g) ?? []);
    },
  });
}

/** A session opened with the offline model, then answering with `model`. */
async function guardedSession(who: Person, name: string, model: () => MockLanguageModelV3) {
  const id = (await startSession(who, { scriptYaml: tinyScript(name, ["Hello.", "How are you?", "Thank you."]) })).sessionId as string;
  await runInDurableObject(actor(id), (instance: SessionActor) => instance.useModel(model()));
  return id;
}

type Frame = { type: string; messageId?: string; id?: string; text?: string; content?: string };

/** What a client's screen holds for a message after the frames: resets drop the text, deltas append, the message replaces it. */
function screen(frames: Frame[], messageId: string): string {
  let shown = "";
  for (const f of frames) {
    if (f.type === "delta_reset" && f.messageId === messageId) shown = "";
    if (f.type === "delta" && f.messageId === messageId) shown += f.text;
    if (f.type === "message" && f.id === messageId) shown = f.content!;
  }
  return shown;
}

/** The flagged text streamed for `messageId`, then a reset took it back, and nothing after the reset holds it. */
function expectRetracted(frames: Frame[], messageId: string, streamed: RegExp) {
  const deltas = frames.filter((f) => f.type === "delta" && f.messageId === messageId);
  expect(deltas.map((d) => d.text).join("")).toMatch(streamed);
  const reset = frames.findIndex((f) => f.type === "delta_reset" && f.messageId === messageId);
  expect(reset).toBeGreaterThan(frames.findLastIndex((f) => f.type === "delta" && f.messageId === messageId));
  expect(JSON.stringify(frames.slice(reset))).not.toMatch(FLAGGED_WORDS);
}

const d1Guards = (sessionId: string) => d1Records("guard_actions", sessionId);

/** Nothing anyone reads back holds the flagged words: the log, the export, D1's messages and guard rows. */
async function expectNowhere(who: Person, sessionId: string) {
  await settle(sessionId);
  const exported = await body(await call(`/api/sessions/${sessionId}/export`, { headers: who.headers }), 200);
  for (const kept of [await allMessages(who, sessionId), exported, await d1Messages(sessionId), await d1Guards(sessionId)]) {
    expect(JSON.stringify(kept)).not.toMatch(FLAGGED_WORDS);
  }
  return exported;
}

describe("a line the model flags", () => {
  it("over WebSocket: streams, is reset, and the rewrite is the message; only the rewrite is logged and a guard record is kept", async () => {
    const who = await person("author");
    const id = await guardedSession(who, "guard_ws", () => scriptedModel(flaggedByModel(DIAGNOSIS), sayReply(REWRITE)));
    const socket = await openSocket(id, who.token);
    socket.send({ type: "user_message", content: "I can't sleep", clientMessageId: "g-ws" });
    await socket.until((f) => f.some((x) => x.type === "message" && x.role === "assistant"));
    const message = socket.frames.find((f) => f.type === "message" && f.role === "assistant");
    expect(message.content).toBe(REWRITE);
    expectRetracted(socket.frames, message.id, /clinical/);
    expect(screen(socket.frames, message.id)).toBe(REWRITE);
    // The model's own flag is still shown and kept on the safe message.
    expect(socket.frames.find((f) => f.type === "safety")).toMatchObject({ source: "model", riskType: "diagnosis", messageId: message.id });

    const exported = await expectNowhere(who, id);
    expect(exported.messages.find((m: any) => m.id === message.id).content).toBe(REWRITE);
    expect(exported.safety.filter((r: any) => r.kind === "guard")).toEqual([
      {
        kind: "guard",
        turn: expect.any(Number),
        messageId: message.id,
        actionId: message.actionId,
        source: "model",
        kinds: ["diagnosis"],
        action: "rewritten",
        locale: "en",
        createdAt: expect.any(String),
      },
    ]);
    expect((await d1Messages(id)).find((m) => m.id === message.id)?.content).toBe(REWRITE);
    expect(await d1Guards(id)).toEqual([
      expect.objectContaining({ session_id: id, message_id: message.id, source: "model", kinds: '["diagnosis"]', action: "rewritten", locale: "en" }),
    ]);
  });

  it("over SSE: a rewrite the model flags again gives way to the canned line, the only text logged", async () => {
    const who = await person("author");
    const id = await guardedSession(who, "guard_sse", () => scriptedModel(flaggedByModel(DIAGNOSIS), flaggedByModel("Let's keep talking.")));
    const res = await sendMessage(who, id, "I can't sleep", "g-sse", { Accept: "text/event-stream" });
    const events = await readSse(res, (evs) => evs.some((e) => e.event === "done" || e.event === "error"));
    const frames: Frame[] = events.map((e) => ({ ...e.data, type: e.event }));
    const done = events.find((e) => e.event === "done")!.data;
    const [line] = done.messages;
    expect(line.content).toBe(cannedLine("en", false));
    expectRetracted(frames, line.id, /clinical/);
    expect(screen(frames, line.id)).toBe(cannedLine("en", false));
    expect(JSON.stringify(frames)).not.toContain("keep talking");

    const exported = await expectNowhere(who, id);
    expect(exported.messages.at(-1)).toMatchObject({ id: line.id, content: cannedLine("en", false) });
    expect(exported.safety.filter((r: any) => r.kind === "guard")).toMatchObject([{ messageId: line.id, source: "model", action: "canned" }]);
    expect(await d1Guards(id)).toMatchObject([{ message_id: line.id, action: "canned" }]);
  });
});

describe("a line only the local check catches", () => {
  it("over REST: the reply holds only the rewrite, though the model flagged nothing; a client watching over WebSocket has what streamed taken back", async () => {
    const who = await person("author");
    const id = await guardedSession(who, "guard_rest", () => scriptedModel(sayReply(DOSAGE), sayReply(REWRITE)));
    const watcher = await openSocket(id, who.token);
    const turn = await say(who, id, "Nothing helps me sleep");
    expect(turn.messages.map((m: any) => m.content)).toEqual([REWRITE]);
    expect(JSON.stringify(turn)).not.toMatch(FLAGGED_WORDS);
    // The model reported nothing: no safety flag, only the guard's action.
    expect(turn.safety).toEqual([]);
    const messageId = turn.messages[0].id;
    await watcher.until((f) => f.some((x) => x.type === "message" && x.id === messageId));
    expectRetracted(watcher.frames, messageId, /exhausting/);
    expect(screen(watcher.frames, messageId)).toBe(REWRITE);

    const exported = await expectNowhere(who, id);
    expect(exported.safety).toMatchObject([{ kind: "guard", messageId, source: "local", kinds: ["prescription"], action: "rewritten" }]);
    expect(await d1Guards(id)).toMatchObject([{ message_id: messageId, source: "local", kinds: '["prescription"]', action: "rewritten" }]);
  });
});

describe("guard actions in D1", () => {
  it("reach D1 exactly once, through a refused batch, an eviction and a lost activation, and the safety report counts them", async () => {
    const who = await person("author");
    const before = await reportedThisMonth("guardActions", "en");
    const id = await guardedSession(who, "guard_once", () => scriptedModel(sayReply(DOSAGE), sayReply(REWRITE)));
    const rows = await deliveredOnceAcrossEviction(id, "guard_actions", () => say(who, id, "Nothing helps me sleep"));
    expect(rows).toEqual([expect.objectContaining({ session_id: id, source: "local", action: "rewritten" })]);
    expect(await reportedThisMonth("guardActions", "en")).toBe(before + 1);
    await expectNowhere(who, id);
  });
});
