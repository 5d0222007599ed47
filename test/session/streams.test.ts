/** What the live channels send beyond messages: delta_reset when streamed text is taken back, and the end of GET /events. */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import intake from "../../scripts/sessions/intake_en.yaml";
import type { SessionActor } from "../../src/session/actor";
import { call } from "../helpers";
import { actor, breaksOffMidReply, INTAKE_ANSWERS, openSocket, person, readSse, say, sendMessage, startSession } from "./helpers";

/** Every streamed line is taken back after its last delta and before the error. */
function expectRetracted(frames: { type: string; messageId?: string }[]) {
  const deltas = frames.filter((f) => f.type === "delta");
  expect(deltas.length).toBeGreaterThan(0);
  const error = frames.findIndex((f) => f.type === "error");
  expect(error).toBeGreaterThan(-1);
  for (const messageId of new Set(deltas.map((d) => d.messageId))) {
    const lastDelta = frames.findLastIndex((f) => f.type === "delta" && f.messageId === messageId);
    const reset = frames.findLastIndex((f) => f.type === "delta_reset" && f.messageId === messageId);
    expect(reset).toBeGreaterThan(lastDelta);
    expect(reset).toBeLessThan(error);
  }
}

async function failingSession() {
  const who = await person("author");
  const id = (await startSession(who, { scriptYaml: intake })).sessionId as string;
  await runInDurableObject(actor(id), (instance: SessionActor) => instance.useModel(breaksOffMidReply("DOOMED words of a reply", "fails")));
  return { who, id };
}

describe("delta_reset", () => {
  it("over WebSocket: a turn that fails after streaming takes its text back before the error", async () => {
    const { who, id } = await failingSession();
    const socket = await openSocket(id, who.token);
    socket.send({ type: "user_message", content: "Sam", clientMessageId: "r-1" });
    await socket.until((f) => f.some((x) => x.type === "error"));
    expectRetracted(socket.frames);
    expect(socket.frames.find((f) => f.type === "delta_reset")).toMatchObject({ actionId: "ask_name" });
  });

  it("over SSE: the same frames as `event: delta_reset` with the frame as data", async () => {
    const { who, id } = await failingSession();
    const res = await sendMessage(who, id, "Sam", "r-2", { Accept: "text/event-stream" });
    const events = await readSse(res, (evs) => evs.some((e) => e.event === "error"));
    expectRetracted(events.map((e) => ({ ...e.data, type: e.event })));
    expect(events.filter((e) => e.event === "delta_reset").every((e) => e.data.type === "delta_reset")).toBe(true);
  });
});

describe("GET /events", () => {
  it("of a completed session ends after the replay", async () => {
    const who = await person("author");
    const id = (await startSession(who, { scriptYaml: intake })).sessionId as string;
    let last: any;
    for (const answer of INTAKE_ANSWERS) last = await say(who, id, answer);
    expect(last.sessionStatus).toBe("completed");
    const events = await readSse(await call(`/api/sessions/${id}/events`, { headers: who.headers }), () => false);
    const seqs = events.filter((e) => e.event === "message").map((e) => e.data.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(seqs.length).toBeGreaterThan(INTAKE_ANSWERS.length * 2);
    expect(events.at(-1)).toMatchObject({ event: "state", data: { sessionStatus: "completed", lastSeq: seqs.at(-1) } });
  });

  it("of a live session ends when the session completes", async () => {
    const who = await person("author");
    const id = (await startSession(who, { scriptYaml: intake })).sessionId as string;
    const stream = readSse(await call(`/api/sessions/${id}/events`, { headers: who.headers }), () => false);
    for (const answer of INTAKE_ANSWERS) await say(who, id, answer);
    const events = await stream;
    const states = events.filter((e) => e.event === "state");
    expect(states.at(-1)?.data.sessionStatus).toBe("completed");
    expect(events.filter((e) => e.event === "message").length).toBeGreaterThan(INTAKE_ANSWERS.length);
  });
});
