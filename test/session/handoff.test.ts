/**
 * Counselors in the session, end to end inside workerd: a crisis disclosure queues the session
 * (GET /api/counselor/queue, content-free) and fires one signed webhook, which an eviction does not
 * repeat; a counselor on the session's WebSocket takes over (no model is called while they hold it),
 * speaks as `counselor` (log, D1 mirror, export), hands back (the script goes on at its position or a
 * chosen topic) or ends it; a second counselor cannot take it; every step is an audit event; a wait
 * nobody answers times out with the crisis lines again.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { SessionActor } from "../../src/session/actor";
import { KEY, type HandoffRecord } from "../../src/session/handoff/record";
import { call } from "../helpers";
import {
  actor,
  allMessages,
  body,
  clientIntake,
  d1Messages,
  eventually,
  offlineModelWith,
  openSocket,
  person,
  publishedSamples,
  say,
  sendMessage,
  settle,
  tinyScript,
  type Person,
  type Socket,
} from "./helpers";

const receiver = env.HANDOFF_WEBHOOK_URL!.replace(/\/hook$/, "");
const deliveries = async (sessionId: string) => (await fetch(`${receiver}/deliveries?sessionId=${sessionId}`)).json() as Promise<any[]>;

const samples = publishedSamples();

async function queueOf(who: Person) {
  return (await body(await call("/api/counselor/queue", { headers: who.headers }), 200)).items as any[];
}

/** A client of the English intake who disclosed a crisis in answer to the first question. */
async function inCrisis() {
  const { projectId } = await samples;
  const { owner, id } = await clientIntake(projectId);
  await say(owner, id, "I want to kill myself");
  await settle(id);
  return { owner, id };
}

/** The actor's model, counting its calls: the offline model's answers. */
async function countingModel(sessionId: string): Promise<{ calls: () => number }> {
  let calls = 0;
  await offlineModelWith(sessionId, () => calls++);
  return { calls: () => calls };
}

const counselorLines = (messages: any[]) => messages.filter((m) => m.role === "counselor").map((m) => m.content);

async function takeOver(counselor: Person, id: string, name: string): Promise<Socket> {
  const socket = await openSocket(id, counselor.token);
  socket.send({ type: "take_over", displayName: name });
  await socket.until((f) => f.some((x) => x.type === "handoff" && x.status === "held"));
  return socket;
}

describe("a crisis disclosure queues the session", () => {
  it("lists it for counselors newest first, with no content, and sends one signed webhook that an eviction does not repeat", async () => {
    const first = await inCrisis();
    const { owner, id } = await inCrisis();
    const counselor = await person("counselor");
    const items = await queueOf(counselor);
    const mine = items.filter((i) => i.sessionId === id || i.sessionId === first.id).map((i) => i.sessionId);
    expect(mine).toEqual([id, first.id]);
    const entry = items.find((i) => i.sessionId === id);
    expect(entry).toMatchObject({
      riskLevel: "high",
      reason: "risk",
      status: "waiting",
      language: "en",
      scriptId: "intake_en",
      counselorName: null,
      position: { actionId: "ask_name" },
    });
    expect(entry.waitingSeconds).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(items)).not.toMatch(/kill/i);

    const sent = await eventually(
      () => deliveries(id),
      (d) => d.length >= 1,
      "the webhook",
    );
    expect(sent).toEqual([
      {
        eventId: `handoff.${id}.1.high`,
        verified: true,
        answered: 204,
        body: {
          id: `handoff.${id}.1.high`,
          type: "handoff.queued",
          sessionId: id,
          riskLevel: "high",
          language: "en",
          reason: "risk",
          queuedAt: expect.any(String),
          consoleUrl: `/console?session=${id}`,
        },
      },
    ]);
    expect(JSON.stringify(sent)).not.toMatch(/kill/i);

    // Both objects lose their memory; the client's next crisis words find the session already queued.
    await evictDurableObject(actor(id));
    await evictDurableObject(env.DISPATCH.get(env.DISPATCH.idFromName("counselor-queue")));
    await say(owner, id, "I still want to kill myself");
    await settle(id);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await deliveries(id)).toHaveLength(1);
  }, 20_000);

  it("retries a refused webhook from the alarm with the same event id until the receiver takes it", async () => {
    const { projectId } = await samples;
    const { owner, id } = await clientIntake(projectId);
    await fetch(`${receiver}/refuse?sessionId=${id}&times=1`, { method: "POST" });
    await say(owner, id, "I want to kill myself");
    await eventually(
      () => deliveries(id),
      (d) => d.length === 1,
      "the refused attempt",
    );
    const dispatch = env.DISPATCH.get(env.DISPATCH.idFromName("counselor-queue"));
    await eventually(
      () => runDurableObjectAlarm(dispatch).then(() => deliveries(id)),
      (d) => d.length === 2,
      "the retry",
    );
    const sent = await deliveries(id);
    expect(sent.map((d) => [d.eventId, d.answered])).toEqual([
      [`handoff.${id}.1.high`, 503],
      [`handoff.${id}.1.high`, 204],
    ]);
  });
});

describe("a counselor takes over", () => {
  it("pauses the script: the client's words reach the counselor and no model is called while they hold it", async () => {
    const { owner, id } = await inCrisis();
    const counselor = await person("counselor");
    const model = await countingModel(id);
    const client = await openSocket(id, owner.token);
    const desk = await takeOver(counselor, id, "Alex");
    await client.until((f) => f.some((x) => x.type === "handoff" && x.status === "held"));
    expect(client.frames.find((x) => x.type === "message" && x.role === "counselor").content).toBe("A counselor, Alex, has joined the conversation.");
    expect(client.frames.find((x) => x.type === "handoff" && x.status === "held")).toEqual({
      type: "handoff",
      status: "held",
      reason: "risk",
      counselorName: "Alex",
    });

    client.send({ type: "user_message", content: "Are you a real person?", clientMessageId: "held-1" });
    await desk.until((f) => f.some((x) => x.type === "message" && x.content === "Are you a real person?"));
    desk.send({ type: "counselor_message", content: "Yes, I'm Alex. I'm here with you." });
    await client.until((f) => f.some((x) => x.type === "message" && x.content === "Yes, I'm Alex. I'm here with you."));
    const rest = await body(await sendMessage(owner, id, "Thank you"), 200);
    expect(rest.messages).toEqual([]);
    expect(rest.userMessage.content).toBe("Thank you");
    await settle(id);
    expect(model.calls()).toBe(0);

    client.send({ type: "typing", on: true });
    await desk.until((f) => f.some((x) => x.type === "typing" && x.role === "user" && x.on));
    desk.send({ type: "typing", on: true });
    await client.until((f) => f.some((x) => x.type === "typing" && x.role === "counselor"));
  });

  it("lets only one counselor hold the session; a second follows it read-only", async () => {
    const { id } = await inCrisis();
    const first = await person("counselor");
    const second = await person("counselor");
    await takeOver(first, id, "Alex");
    const other = await openSocket(id, second.token);
    other.send({ type: "take_over", displayName: "Sam" });
    await other.until((f) => f.some((x) => x.type === "error"));
    expect(other.frames.find((x) => x.type === "error")).toMatchObject({ code: "HANDOFF_HELD" });
    other.send({ type: "counselor_message", content: "Hello from Sam" });
    await other.until((f) => f.filter((x) => x.type === "error").length === 2);
    expect(other.frames.filter((x) => x.type === "error")[1]).toMatchObject({ code: "HANDOFF_NOT_HELD" });
    expect((await queueOf(first)).find((i) => i.sessionId === id)).toMatchObject({ status: "held", counselorName: "Alex" });
  });

  it("hands back: the script goes on at its position, with the counselor's words in the log, the D1 mirror, the export and the audit trail", async () => {
    const { owner, id } = await inCrisis();
    const counselor = await person("counselor");
    const desk = await takeOver(counselor, id, "Alex");
    desk.send({ type: "counselor_message", content: "Can we keep going with your intake?" });
    desk.send({ type: "hand_back" });
    await desk.until((f) => f.some((x) => x.type === "handoff" && x.status === "returned"));
    // The crisis protocol was running: its question is still the one waiting, then the script's own.
    const answer = await say(owner, id, "No, I'm safe now, I won't hurt myself");
    expect(answer.messages.length).toBeGreaterThan(0);
    await settle(id);

    const log = await allMessages(owner, id);
    expect(counselorLines(log)).toEqual([
      "A counselor, Alex, has joined the conversation.",
      "Can we keep going with your intake?",
      "Alex has handed the conversation back to the AI assistant.",
    ]);
    expect(counselorLines(await d1Messages(id))).toEqual(counselorLines(log));
    const exported = await body(await call(`/api/sessions/${id}/export`, { headers: owner.headers }), 200);
    expect(counselorLines(exported.messages)).toEqual(counselorLines(log));
    expect((await queueOf(counselor)).some((i) => i.sessionId === id)).toBe(false);

    const { results } = await env.DB.prepare("SELECT action, actor_id FROM audit_events WHERE target = ? ORDER BY at, action").bind(id).all();
    expect(results.map((r) => r.action)).toEqual(["counselor.join", "counselor.take_over", "counselor.hand_back"]);
    expect(results.every((r) => r.actor_id === counselor.id)).toBe(true);
  });

  it("hands back at a chosen topic: the script speaks from its first action", async () => {
    const { owner, id } = await inCrisis();
    const counselor = await person("counselor");
    const client = await openSocket(id, owner.token);
    const desk = await takeOver(counselor, id, "Alex");
    const topic = (await body(await call(`/api/sessions/${id}`, { headers: owner.headers }), 200)).position.topicId;
    desk.send({ type: "hand_back", topicId: topic });
    await client.until((f) => f.some((x) => x.type === "message" && x.role === "assistant" && x.seq > 6));
    const info = await body(await call(`/api/sessions/${id}`, { headers: owner.headers }), 200);
    expect(info.position.topicId).toBe(topic);
    desk.send({ type: "hand_back", topicId: "no_such_topic" });
    await desk.until((f) => f.some((x) => x.type === "error"));
    expect(desk.frames.find((x) => x.type === "error")).toMatchObject({ code: "HANDOFF_NOT_HELD" });
  });

  it("ends the session with a closing note", async () => {
    const { owner, id } = await inCrisis();
    const counselor = await person("counselor");
    const desk = await takeOver(counselor, id, "Alex");
    desk.send({ type: "end_session", note: "Take care. I've sent you the number we talked about." });
    await desk.until((f) => f.some((x) => x.type === "handoff" && x.status === "ended"));
    const info = await body(await call(`/api/sessions/${id}`, { headers: owner.headers }), 200);
    expect(info.status).toBe("completed");
    const res = await sendMessage(owner, id, "hello?");
    expect(res.status).toBe(409);
    expect(counselorLines(await allMessages(owner, id)).at(-1)).toBe("Take care. I've sent you the number we talked about.");
    const { results } = await env.DB.prepare("SELECT action FROM audit_events WHERE target = ? AND action = 'counselor.end'").bind(id).all();
    expect(results).toHaveLength(1);
  });
});

describe("when nobody comes", () => {
  it("tells the client honestly, shows the crisis lines again, lets the AI carry on in the protocol, and keeps the entry visible", async () => {
    const { owner, id } = await inCrisis();
    const client = await openSocket(id, owner.token);
    // The wait ran out (HANDOFF_TIMEOUT_S): its deadline is put in the past and the alarm runs.
    await runInDurableObject(actor(id), (_i: SessionActor, state) => {
      const r = state.storage.kv.get<HandoffRecord>(KEY)!;
      state.storage.kv.put(KEY, { ...r, dueAt: Date.now() - 1 });
    });
    await runDurableObjectAlarm(actor(id));
    await client.until((f) => f.some((x) => x.type === "handoff" && x.status === "timed_out"));
    const line = client.frames.find((x) => x.type === "message" && x.metadata?.handoff === "timed_out");
    expect(line.content).toMatch(/no counselor is free/i);
    expect(line.content).toMatch(/988/);
    const counselor = await person("counselor");
    expect((await queueOf(counselor)).find((i) => i.sessionId === id)).toMatchObject({ status: "timed_out" });
    // The AI carries on in the crisis protocol: the next words go to it, not to the script's question.
    const next = await say(owner, id, "I don't know");
    expect(next.messages.every((m: any) => m.metadata?.crisis === true)).toBe(true);
    const exported = await body(await call(`/api/sessions/${id}/export`, { headers: owner.headers }), 200);
    expect(exported.safety.filter((r: any) => r.kind === "referral").length).toBeGreaterThanOrEqual(2);
  });
});

describe("the script asks for a counselor", () => {
  it("queues the session when its handoff action runs, and the script goes on meanwhile", async () => {
    const author = await person("author");
    // The tiny script's first line becomes a handoff action.
    const scriptYaml = tinyScript("handoff_first", ["A counselor will join us shortly.", "What should I call you?"]).replace(
      '- action_type: ai_say\n              action_id: say_1\n              config:\n                content: "A counselor will join us shortly."\n                max_rounds: 1',
      "- action_type: handoff\n              action_id: call_human\n              config:\n                content: A counselor will join us shortly.\n                reason: Every session of this service starts with a person",
    );
    const created = await body(
      await call("/api/sessions", {
        method: "POST",
        headers: { ...author.headers, "content-type": "application/json" },
        body: JSON.stringify({ scriptYaml }),
      }),
      201,
    );
    expect(created.messages.map((m: any) => m.content)).toEqual(["A counselor will join us shortly.", "What should I call you?"]);
    await settle(created.sessionId);
    const counselor = await person("counselor");
    expect((await queueOf(counselor)).find((i) => i.sessionId === created.sessionId)).toMatchObject({
      reason: "script",
      riskLevel: "none",
      status: "waiting",
    });
  });
});

describe("the client asks for a counselor", () => {
  it("queues a session with no risk, which counselors may then read", async () => {
    const { projectId } = await samples;
    const { owner, id } = await clientIntake(projectId);
    const counselor = await person("counselor");
    expect((await call(`/api/sessions/${id}`, { headers: counselor.headers })).status).toBe(404);
    expect(await body(await call(`/api/sessions/${id}/counselor`, { method: "POST", headers: owner.headers }), 200)).toEqual({
      status: "waiting",
      reason: "client",
      counselorName: null,
    });
    expect((await queueOf(counselor)).find((i) => i.sessionId === id)).toMatchObject({ reason: "client", riskLevel: "none" });
    expect((await call(`/api/sessions/${id}`, { headers: counselor.headers })).status).toBe(200);
  });
});
