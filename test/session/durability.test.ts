import { abortAllDurableObjects, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import intake from "../../scripts/sessions/intake_en.yaml";
import type { SessionActor } from "../../src/session/actor";
import { SessionStorage } from "../../src/session/storage/tables";
import { accept } from "../../src/session/turns/intake";
import { APICallError } from "@ai-sdk/provider";
import { MockLanguageModelV3 } from "ai/test";
import { call, expectProblem } from "../helpers";
import {
  actor,
  actorLog,
  allMessages,
  body,
  breaksOffMidReply,
  d1Messages,
  d1Session,
  eventually,
  INTAKE_ANSWERS,
  neverAnswers,
  openSocket,
  person,
  queuedTurns,
  say,
  sendMessage,
  settle,
  startSession,
  transcript,
  type Person,
} from "./helpers";

async function intakeSession(who: Person) {
  return (await startSession(who, { scriptYaml: intake })).sessionId as string;
}

describe("eviction", () => {
  it("between turns: the session continues with the same state and nothing is duplicated or lost", async () => {
    const who = await person("author");
    const id = await intakeSession(who);
    await say(who, id, "Sam");
    const before = await allMessages(who, id);
    await abortAllDurableObjects();

    const next = await say(who, id, "Work has been stressful");
    expect(next.variables).toMatchObject({ client_name: "Sam", presenting_problem: "Work has been stressful" });
    expect(next.messages.map((m: any) => m.actionId)).toEqual(["rate_mood"]);
    const after = await allMessages(who, id);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.map((m) => m.seq)).toEqual(after.map((_, i) => i + 1));
    expect(after.length).toBe(before.length + 2);
  });

  it("in the middle of a turn: the turn runs again on the next activation and answers exactly once", async () => {
    const who = await person("author");
    const id = await intakeSession(who);
    await say(who, id, "Sam");
    await settle(id);

    // A model that never answers: the turn is cut after its row and the user's message are committed.
    await runInDurableObject(actor(id), (instance: SessionActor) => {
      instance.useModel(neverAnswers());
    });
    const socket = await openSocket(id, who.token);
    socket.send({ type: "user_message", content: "Work has been stressful", clientMessageId: "cut-1" });
    await socket.until((f) => f.some((x) => x.type === "message" && x.clientMessageId === "cut-1"));
    await abortAllDurableObjects();

    // The watchdog alarm set with the turn wakes a fresh activation, which re-runs it.
    expect(await runDurableObjectAlarm(actor(id))).toBe(true);
    await settle(id);
    const log = await allMessages(who, id);
    const users = log.filter((m) => m.content === "Work has been stressful");
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ role: "user", clientMessageId: "cut-1" });
    const replies = log.filter((m) => m.actionId === "rate_mood");
    expect(replies).toHaveLength(1);
    expect(replies[0].seq).toBe(users[0].seq + 1);

    // Sending it again is answered from the log; the session goes on from there.
    const repeat = await say(who, id, "Work has been stressful", "cut-1");
    expect(repeat.messages).toEqual([replies[0]]);
    const next = await say(who, id, "6");
    expect(next.messages.map((m: any) => m.actionId)).toEqual(["ask_sleep"]);
    expect((await allMessages(who, id)).length).toBe(log.length + 2);
  });

  it("while the model is streaming to a socket: after the eviction the reply is logged once, never the half-streamed text", async () => {
    const who = await person("author");
    const id = await intakeSession(who);
    // A model that starts its reply and then hangs, as a provider cut off mid-stream would.
    await runInDurableObject(actor(id), (instance: SessionActor) => {
      instance.useModel(breaksOffMidReply("HALF-STREAMED words of a reply", "hangs"));
    });
    const socket = await openSocket(id, who.token);
    socket.send({ type: "user_message", content: "Sam", clientMessageId: "mid-1" });
    await socket.until((f) => f.some((x) => x.type === "delta" && String(x.text).includes("HALF")));
    await abortAllDurableObjects();

    // The fresh activation makes its configured (offline) model and runs the cut turn again.
    expect(await runDurableObjectAlarm(actor(id))).toBe(true);
    await settle(id);
    const log = await allMessages(who, id);
    expect(log.filter((m) => m.role === "user")).toEqual([expect.objectContaining({ seq: 3, content: "Sam", clientMessageId: "mid-1" })]);
    expect(log.slice(3).map((m) => [m.seq, m.role, m.actionId])).toEqual([[4, "assistant", "ask_problem"]]);
    expect(JSON.stringify(log)).not.toContain("HALF-STREAMED");

    // A reconnecting client resumes from what it saw and gets the reply, once.
    const again = await openSocket(id, who.token);
    again.send({ type: "resume", lastSeq: 3 });
    await again.until((f) => f.some((x) => x.type === "message" && x.seq === 4));
    expect(again.frames.filter((f) => f.type === "message").map((f) => f.seq)).toEqual([4]);
    expect((await say(who, id, "Sam", "mid-1")).messages).toEqual([log[3]]);
  });

  /*
   * A real eviction (evictDurableObject), not a reset: the pool tears the instance down only once no request is
   * in flight ("eviction waits for in-flight requests to drain"; otherwise it refuses with "it still has active
   * references"). A turn sent over REST, SSE or a WebSocket keeps its request (the RPC call, the webSocketMessage
   * event) open until the turn ends, so it cannot be evicted mid-model-call. A turn the actor resumes in the
   * background — queued when an activation ended, picked up by the next request, which answers at once — runs
   * with no request open: that one is evicted here while its model call is pending.
   */
  it("by the runtime while a resumed turn waits on its model: the next activation finishes it, and its messages are in the log and D1 once", async () => {
    const who = await person("author");
    const id = await intakeSession(who);
    await settle(id);
    await evictDurableObject(actor(id));
    // The fresh activation's model never answers, and a turn is waiting in line (the row intake writes).
    await runInDurableObject(actor(id), (instance: SessionActor, state) => {
      instance.useModel(neverAnswers());
      const store = new SessionStorage(state.storage);
      accept(store, store.readMeta()!.meta, { content: "Sam", clientMessageId: "evicted-1" });
    });
    // A read resumes the turn in the background and is answered while the turn waits on the model.
    expect(await body(await call(`/api/sessions/${id}`, { headers: who.headers }), 200)).toMatchObject({ sessionId: id });
    await eventually(
      () => queuedTurns(id, ["evicted-1"]),
      (t) => t[0]?.status === "running",
      "the turn to wait on its model",
    );
    expect((await allMessages(who, id)).at(-1)).toMatchObject({ seq: 3, role: "user", clientMessageId: "evicted-1" });
    await evictDurableObject(actor(id));

    // The watchdog set when the turn began wakes a new activation (with the configured model), which finishes it.
    expect(await runDurableObjectAlarm(actor(id))).toBe(true);
    await settle(id);
    expect(await queuedTurns(id, ["evicted-1"])).toEqual([expect.objectContaining({ status: "done" })]);
    const log = await allMessages(who, id);
    expect(log.map((m) => [m.seq, m.role, m.actionId])).toEqual([
      [1, "assistant", "greet"],
      [2, "assistant", "ask_name"],
      [3, "user", "ask_name"],
      [4, "assistant", "ask_problem"],
    ]);
    expect(await d1Messages(id)).toEqual(await actorLog(who, id));
    // Sent again, it is answered from the log.
    expect((await say(who, id, "Sam", "evicted-1")).messages).toEqual([log[3]]);
  });

  it("with a turn waiting in line: a request to the fresh activation finishes the cut turn first", async () => {
    const who = await person("author");
    const id = await intakeSession(who);
    // The row the actor writes when it accepts a turn, before the turn runs.
    await runInDurableObject(actor(id), (_instance: SessionActor, state) => {
      const store = new SessionStorage(state.storage);
      accept(store, store.readMeta()!.meta, { content: "Sam", clientMessageId: "queued-1" });
    });
    await abortAllDurableObjects();
    const next = await say(who, id, "Work has been stressful", "queued-2");
    expect(next.variables).toMatchObject({ client_name: "Sam", presenting_problem: "Work has been stressful" });
    expect(
      transcript(await allMessages(who, id))
        .slice(2)
        .map(([role, , action]) => [role, action]),
    ).toEqual([
      ["user", "ask_name"],
      ["assistant", "ask_problem"],
      ["user", "ask_problem"],
      ["assistant", "rate_mood"],
    ]);
  });
});

describe("a turn the model fails", () => {
  it("keeps the user's message, changes nothing else, and runs again when the same clientMessageId is sent", async () => {
    const who = await person("author");
    const id = await intakeSession(who);
    // The model service goes down: every call fails as a 503 from the provider would.
    await runInDurableObject(actor(id), (instance: SessionActor) => {
      instance.useModel(
        new MockLanguageModelV3({
          doStream: async () => {
            throw new APICallError({ message: "down", url: "http://model.test", requestBodyValues: {}, statusCode: 503, isRetryable: true });
          },
        }),
      );
    });
    const socket = await openSocket(id, who.token);
    const failed = await sendMessage(who, id, "Sam", "flaky-1");
    const problem = await expectProblem(failed, 503, "LLM_UNAVAILABLE");
    expect(problem).toMatchObject({ retryable: true, clientMessageId: "flaky-1" });
    await socket.until((f) => f.some((x) => x.type === "error"));
    expect(socket.frames.find((f) => f.type === "error")).toMatchObject({ code: "LLM_UNAVAILABLE", clientMessageId: "flaky-1", retryable: true });
    const info = await body(await call(`/api/sessions/${id}`, { headers: who.headers }), 200);
    expect(info).toMatchObject({ executionStatus: "error", lastSeq: 3, position: { actionId: "ask_name" } });
    expect((await allMessages(who, id)).at(-1)).toMatchObject({ seq: 3, role: "user", content: "Sam" });

    // The service is back (the actor makes its configured model again).
    await runInDurableObject(actor(id), (instance: SessionActor) => {
      instance.useModel(null);
    });
    const retried = await say(who, id, "Sam", "flaky-1");
    expect(retried.userMessage.seq).toBe(3);
    expect(retried.messages.map((m: any) => [m.seq, m.actionId])).toEqual([[4, "ask_problem"]]);
    expect(retried.variables).toMatchObject({ client_name: "Sam" });
    expect((await allMessages(who, id)).filter((m) => m.role === "user")).toHaveLength(1);
    await settle(id);
    expect(await d1Messages(id)).toEqual(await actorLog(who, id));
  });
});

describe("the D1 mirror", () => {
  it("holds exactly the actor's messages once a turn is flushed, with the session row and variable changes", async () => {
    const who = await person("author");
    const id = await intakeSession(who);
    for (const answer of INTAKE_ANSWERS.slice(0, 3)) await say(who, id, answer);
    await settle(id);
    expect(await d1Messages(id)).toEqual(await actorLog(who, id));
    const row = await d1Session(id);
    expect(row).toMatchObject({ user_id: who.id, status: "active", execution_status: "waiting_input", last_seq: 8 });
    // mood_score is declared `type: integer`: it keeps its type in the D1 snapshot and change rows.
    expect(JSON.parse(row!.variables)).toMatchObject({ client_name: "Sam", mood_score: 6 });
    const changes = await env.DB.prepare("SELECT name, scope, value FROM variable_changes WHERE session_id = ? ORDER BY turn, idx").bind(id).all();
    expect(changes.results.map((c: any) => [c.name, c.scope, JSON.parse(c.value)])).toEqual([
      ["client_name", "session", "Sam"],
      ["presenting_problem", "session", "Work has been stressful"],
      ["mood_score", "session", 6],
    ]);
  });

  it("survives a D1 failure: the client gets its reply, and after the alarm retries D1 equals the actor", async () => {
    const who = await person("author");
    const id = await intakeSession(who);
    await settle(id);
    const mirrored = await d1Messages(id);
    expect(mirrored).toHaveLength(2);

    await env.DB.exec("ALTER TABLE messages RENAME TO messages_away");
    try {
      const reply = await say(who, id, "Sam", "d1-down-1");
      expect(reply.messages.map((m: any) => m.content)).toEqual(["Thank you, Sam. What brings you here today?"]);
      await settle(id);
      const row = await d1Session(id);
      expect(row!.last_seq).toBe(2); // the failed batch left nothing behind
    } finally {
      await env.DB.exec("ALTER TABLE messages_away RENAME TO messages");
    }
    expect(await d1Messages(id)).toEqual(mirrored);

    expect(await runDurableObjectAlarm(actor(id))).toBe(true);
    expect(await d1Messages(id)).toEqual(await actorLog(who, id));
    expect((await d1Session(id))!.last_seq).toBe(4);
    const retry = await runInDurableObject(actor(id), (_i, state) => state.storage.sql.exec("SELECT mirroredSeq, mirrorAttempts FROM meta").one());
    expect(retry).toEqual({ mirroredSeq: 4, mirrorAttempts: 0 });
  });

  it("is completed by the next activation when the runtime evicts the actor between a turn and its mirror's retry", async () => {
    const who = await person("author");
    const id = await intakeSession(who);
    await settle(id);
    await env.DB.exec("ALTER TABLE messages RENAME TO messages_away");
    try {
      await say(who, id, "Sam", "evict-mirror-1");
      await settle(id); // the batch failed: the outbox waits for the alarm's retry
    } finally {
      await env.DB.exec("ALTER TABLE messages_away RENAME TO messages");
    }
    expect(await d1Messages(id)).toHaveLength(2);
    await evictDurableObject(actor(id));

    expect(await runDurableObjectAlarm(actor(id))).toBe(true);
    expect(await d1Messages(id)).toEqual(await actorLog(who, id));
    expect((await d1Messages(id)).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    const left = await runInDurableObject(actor(id), (_i, state) => state.storage.sql.exec("SELECT mirroredSeq, mirrorAttempts FROM meta").one());
    expect(left).toEqual({ mirroredSeq: 4, mirrorAttempts: 0 });
  });

  it("counts at most one D1 round trip and no KV read per turn", async () => {
    const who = await person("author");
    const id = await intakeSession(who);
    await settle(id);
    for (const answer of INTAKE_ANSWERS) {
      await say(who, id, answer);
      await settle(id);
    }
    const cost = await actor(id).instrumentation();
    expect(cost).not.toBeNull();
    expect(cost!.turns).toBe(INTAKE_ANSWERS.length + 1);
    expect(cost!.perTurn.d1RoundTrips).toBeLessThanOrEqual(1);
    expect(cost!.kvReads).toBe(0);
  });

  it("counts what really reaches D1 and KV: a rebuild from D1 reads both", async () => {
    const who = await person("author");
    const id = await intakeSession(who);
    await say(who, id, "Sam");
    await settle(id);
    await runInDurableObject(actor(id), async (_i, state) => {
      await state.storage.deleteAlarm();
      await state.storage.deleteAll();
    });
    await abortAllDurableObjects();

    // The fresh activation's counters start at zero; loading the session reads the D1 snapshot
    // in one batch and the compiled script from KV, before the turn's own mirror batch.
    await say(who, id, "Work has been stressful");
    await settle(id);
    const cost = (await actor(id).instrumentation())!;
    expect(cost.turns).toBe(1);
    expect(cost.kvReads).toBe(1);
    expect(cost.d1RoundTrips).toBe(2);
  });
});

describe("the D1 mirror's bookkeeping", () => {
  const outboxTurns = (id: string) =>
    runInDurableObject(actor(id), (_i: SessionActor, state) =>
      state.storage.sql
        .exec<{ turnId: number | null }>("SELECT turnId FROM outbox ORDER BY id")
        .toArray()
        .map((r) => r.turnId),
    );

  it("is written with the next turn, not as a write of its own, and an activation that lost it sends again without duplicates", async () => {
    const who = await person("author");
    const id = await intakeSession(who);
    const first = await say(who, id, "Sam");
    await eventually(
      () => d1Messages(id),
      (m) => m.length === 4,
      "the first turn in D1",
    );
    await eventually(
      () => actor(id).instrumentation(),
      (c) => c!.d1RoundTrips === 2,
      "the flush to finish",
    );
    // D1 has the turn; the entry it consumed stays in the actor's storage until the next commit.
    const turnOne = (await outboxTurns(id)).at(-1)!;
    expect(turnOne).toBeTypeOf("number");
    expect(first.userMessage.seq).toBe(3);

    await say(who, id, "Work has been stressful");
    expect(await outboxTurns(id)).not.toContain(turnOne);

    // The activation dies before its bookkeeping is written: the next one sends the entries again.
    await eventually(
      () => d1Messages(id),
      (m) => m.length === 6,
      "the second turn in D1",
    );
    await abortAllDurableObjects();
    expect(await runDurableObjectAlarm(actor(id)), "alarm").toBe(true);
    await settle(id);
    expect(await d1Messages(id)).toEqual(await actorLog(who, id));
    expect(await outboxTurns(id)).toEqual([]);
    const changes = await env.DB.prepare("SELECT turn, idx, COUNT(*) AS n FROM variable_changes WHERE session_id = ? GROUP BY turn, idx HAVING n > 1")
      .bind(id)
      .all();
    expect(changes.results).toEqual([]);
  });
});

describe("an actor with empty storage", () => {
  it("rebuilds itself from D1 and carries on", async () => {
    const who = await person("author");
    const id = await intakeSession(who);
    const first = await say(who, id, "Sam", "name-1");
    await settle(id);
    const before = await allMessages(who, id);

    await runInDurableObject(actor(id), async (_i, state) => {
      await state.storage.deleteAlarm();
      await state.storage.deleteAll();
    });
    await abortAllDurableObjects();

    expect(await allMessages(who, id)).toEqual(before);
    // A client retrying across the rebuild gets its first answer, and the model is not asked twice.
    const again = await say(who, id, "Sam", "name-1");
    expect(again.messages).toEqual(first.messages);
    expect(again.userMessage).toEqual(first.userMessage);
    await expectProblem(await sendMessage(who, id, "Someone else", "name-1"), 409, "CLIENT_MESSAGE_ID_REUSED");
    expect(await allMessages(who, id)).toEqual(before);
    const next = await say(who, id, "Work has been stressful");
    expect(next.variables).toMatchObject({ client_name: "Sam", presenting_problem: "Work has been stressful" });
    await settle(id);
    expect(await d1Messages(id)).toEqual(await actorLog(who, id));
    const turns = await env.DB.prepare("SELECT DISTINCT turn FROM variable_changes WHERE session_id = ? ORDER BY turn").bind(id).all();
    expect(turns.results.map((r: any) => r.turn)).toEqual([2, 3]);
  });

  it("without a D1 row answers 404 and keeps no storage", async () => {
    const who = await person("author");
    const id = crypto.randomUUID();
    const res = await call(`/api/sessions/${id}`, { headers: who.headers });
    expect(res.status).toBe(404);
    const tables = await runInDurableObject(actor(id), (_i, state) =>
      state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table'").toArray(),
    );
    expect(tables).toEqual([]);
  });
});
