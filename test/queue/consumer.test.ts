/**
 * mirror/consumer.ts: the mirror queue's consumer, given deliveries built by
 * createMessageBatch from what real actors' mirrors sent, against the real
 * local D1; and mirror/outbox.ts's queue route with a queue that accepts,
 * refuses, or never confirms.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Instrumentation } from "../../src/session/instrumentation";
import { consumeMirror } from "../../src/session/mirror/consumer";
import type { MirrorMessage, MirrorQueue } from "../../src/session/mirror/message";
import { CONFIRM_MS, Mirror } from "../../src/session/mirror/outbox";
import { eraseMirror, erasureMarker } from "../../src/store/sessions/mirror";
import { d1Messages, d1Session } from "../session/helpers";
import { commitTurn, openSession, withParts, type Parts } from "../session/parts";

const QUEUE = "heartrule-mirror-dev";

/** A queue that keeps what it is given, as the real one would deliver it (a structured clone). */
function recordingQueue() {
  const sent: MirrorMessage[] = [];
  return { sent, send: async (m: MirrorMessage) => void sent.push(structuredClone(m)) };
}

const mirrorOn = (p: Parts, queue: MirrorQueue) =>
  new Mirror(
    p.store,
    env.DB,
    () => p.loader.current,
    () => p.scheduled++,
    queue,
  );

/** What a session's mirror put on the queue for these turns (one send per turn, none of them written to D1). */
function sends(turns: number[][]): Promise<{ sessionId: string; scriptHash: string; sent: MirrorMessage[] }> {
  return withParts(async (p) => {
    const s = await openSession(p);
    const queue = recordingQueue();
    const mirror = mirrorOn(p, queue);
    for (const seqs of turns) {
      commitTurn(p, s, seqs, mirror);
      await mirror.flush();
      // Confirmed before the next turn: each turn's send is its own.
      mirror.delivered([queue.sent.at(-1)!.token]);
    }
    return { sessionId: s.meta.sessionId, scriptHash: s.meta.scriptHash, sent: queue.sent };
  });
}

let delivery = 0;
/** Delivers these messages as one batch to the consumer; returns the acks and retries and how many D1 batches it wrote. */
async function deliver(bodies: MirrorMessage[]) {
  const batch = createMessageBatch<MirrorMessage>(
    QUEUE,
    bodies.map((body) => ({ id: `m-${++delivery}`, timestamp: new Date(), attempts: 1, body })),
  );
  const cost = new Instrumentation(true);
  const { DB } = cost.bindings({ DB: env.DB, CACHE: env.CACHE });
  const ctx = createExecutionContext();
  await consumeMirror(batch, { DB, SESSION_ACTOR: env.SESSION_ACTOR }, ctx);
  const result = await getQueueResult(batch, ctx);
  const ids = batch.messages.map((m) => m.id);
  return { ids, acked: result.explicitAcks, retried: result.retryMessages.map((r) => r.msgId), d1Batches: cost.report()!.d1RoundTrips };
}

const count = async (table: string, sessionId: string) =>
  env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE session_id = ?`).bind(sessionId).first<number>("n");

afterEach(() => vi.restoreAllMocks());

describe("mirror/consumer.ts: consumeMirror", () => {
  it("writes the sends of many sessions in one D1 batch and acknowledges each", async () => {
    const sessions = await Promise.all([[[1, 2]], [[1]], [[1, 2, 3]]].map((turns) => sends(turns)));
    const result = await deliver(sessions.map((s) => s.sent[0]!));
    expect(result.d1Batches).toBe(1);
    expect(result.acked.sort()).toEqual([...result.ids].sort());
    expect(result.retried).toEqual([]);
    for (const [i, s] of sessions.entries()) {
      expect((await d1Messages(s.sessionId)).map((m) => m.seq)).toEqual([[1, 2], [1], [1, 2, 3]][i]);
      expect(await d1Session(s.sessionId)).toMatchObject({ last_seq: [2, 1, 3][i] });
    }
  });

  it("is unmoved by a repeated or late delivery: each row once, the session row never taken back", async () => {
    const { sessionId, sent } = await sends([
      [1, 2],
      [3, 4],
    ]);
    expect(sent.map((m) => m.batch.messages.map((r) => r.seq))).toEqual([
      [1, 2],
      [3, 4],
    ]);
    await deliver([sent[1]!]);
    expect(await d1Session(sessionId)).toMatchObject({ last_seq: 4 });
    // The earlier send arrives after the later one, and the later one comes again.
    const again = await deliver([sent[0]!, sent[1]!]);
    expect(again.acked).toHaveLength(2);
    expect(await d1Session(sessionId)).toMatchObject({ last_seq: 4 });
    expect((await d1Messages(sessionId)).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    // commitTurn logs both turns' change as turn 1's first: one row, however often it comes.
    expect(await count("variable_changes", sessionId)).toBe(1);
  });

  it("never brings an erased session back, and does not keep a delivery for it waiting", async () => {
    const { sessionId, scriptHash, sent } = await sends([[1], [2]]);
    await deliver([sent[0]!]);
    await eraseMirror(env.DB, sessionId, scriptHash, true, {
      id: erasureMarker(sessionId),
      at: new Date(),
      actorId: "owner-1",
      actorRole: "author",
      action: "session.erase",
      projectId: null,
      target: sessionId,
      detail: { reason: "request" },
    });
    const late = await deliver([sent[0]!, sent[1]!]);
    expect(late.acked).toHaveLength(2);
    expect(await d1Session(sessionId)).toBeNull();
    expect(await count("messages", sessionId)).toBe(0);
    expect(await count("variable_changes", sessionId)).toBe(0);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM blobs WHERE hash = ?").bind(scriptHash).first("n")).toBe(0);
  });

  it("acknowledges only what D1 holds: a message D1 refuses is retried alone, the others are written", async () => {
    const [good, bad, other] = await Promise.all([sends([[1]]), sends([[1]]), sends([[1, 2]])]);
    const refused = structuredClone(bad.sent[0]!);
    // A row D1 cannot take (messages.content is NOT NULL): the whole message must fail, nothing of it written.
    refused.batch.messages[0]!.content = null as unknown as string;
    const result = await deliver([good.sent[0]!, refused, other.sent[0]!]);
    expect(result.retried).toEqual([result.ids[1]]);
    expect(result.acked.sort()).toEqual([result.ids[0], result.ids[2]].sort());
    for (const acked of [good, other]) expect((await d1Messages(acked.sessionId)).length).toBe(acked === good ? 1 : 2);
    expect(await d1Session(bad.sessionId)).toBeNull();
  });
});

describe("mirror/outbox.ts: the queue route", () => {
  it("keeps the outbox until the consumer confirms, then lets it go at the next commit", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      const queue = recordingQueue();
      const mirror = mirrorOn(p, queue);
      commitTurn(p, s, [1, 2], mirror);
      await mirror.flush();
      const beforeConfirm = mirror.pending();
      mirror.delivered([queue.sent[0]!.token]);
      const afterConfirm = mirror.pending();
      mirror.saveIfUnsaved();
      return { id: s.meta.sessionId, sent: queue.sent.length, beforeConfirm, afterConfirm, outbox: p.store.outbox().length };
    });
    expect(seen).toMatchObject({ sent: 1, beforeConfirm: true, afterConfirm: false, outbox: 0 });
    // The actor itself wrote nothing to D1: that is the consumer's job.
    expect(await d1Messages(seen.id)).toEqual([]);
  });

  it("keeps one send on its way: what turns add meanwhile goes in one message once that send is confirmed", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      const queue = recordingQueue();
      const mirror = mirrorOn(p, queue);
      commitTurn(p, s, [1], mirror);
      await mirror.flush();
      commitTurn(p, s, [2], mirror);
      await mirror.flush();
      commitTurn(p, s, [3], mirror);
      await mirror.flush();
      const whileOnItsWay = queue.sent.length;
      mirror.delivered([queue.sent[0]!.token]);
      await mirror.idle();
      return {
        whileOnItsWay,
        seqs: queue.sent.map((m) => m.batch.messages.map((r) => r.seq)),
        entries: queue.sent.map((m) => m.batch.changes.length),
      };
    });
    expect(seen).toEqual({ whileOnItsWay: 1, seqs: [[1], [2, 3]], entries: [1, 2] });
  });

  it("writes D1 directly from the alarm when the queue refuses the send", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      const mirror = mirrorOn(p, {
        send: async () => {
          throw new Error("queue unavailable");
        },
      });
      commitTurn(p, s, [1, 2], mirror);
      await mirror.flush();
      const afterSend = {
        scheduled: p.scheduled,
        attempts: s.meta.mirrorAttempts,
        retryAt: s.meta.mirrorRetryAt,
        d1: await d1Messages(s.meta.sessionId),
      };
      await mirror.retry();
      return { id: s.meta.sessionId, afterSend, pending: mirror.pending(), attempts: s.meta.mirrorAttempts };
    });
    expect(seen.afterSend).toMatchObject({ scheduled: 1, attempts: 1, d1: [] });
    expect(seen.afterSend.retryAt).toEqual(expect.any(Number));
    expect((await d1Messages(seen.id)).map((m) => m.seq)).toEqual([1, 2]);
    expect(seen).toMatchObject({ pending: false, attempts: 0 });
  });

  it("leaves a young send to the consumer, and writes D1 directly once it stays unconfirmed past CONFIRM_MS", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      const queue = recordingQueue();
      const mirror = mirrorOn(p, queue);
      commitTurn(p, s, [1], mirror);
      await mirror.flush();
      await mirror.retry();
      const young = await d1Messages(s.meta.sessionId);
      const now = Date.now();
      vi.spyOn(Date, "now").mockReturnValue(now + CONFIRM_MS + 1);
      await mirror.retry();
      // The confirmation that finally comes changes nothing.
      mirror.delivered([queue.sent[0]!.token]);
      return { id: s.meta.sessionId, young, sent: queue.sent.length, pending: mirror.pending() };
    });
    expect(seen).toMatchObject({ young: [], sent: 1, pending: false });
    expect((await d1Messages(seen.id)).map((m) => m.seq)).toEqual([1]);
  });

  it("sends a batch over the queue's message size straight to D1", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      const queue = recordingQueue();
      const mirror = mirrorOn(p, queue);
      commitTurn(p, s, [1], mirror, "x".repeat(130_000));
      await mirror.flush();
      return { id: s.meta.sessionId, sent: queue.sent.length, pending: mirror.pending() };
    });
    expect(seen).toEqual({ id: seen.id, sent: 0, pending: false });
    expect((await d1Messages(seen.id)).map((m) => m.content.length)).toEqual([130_000]);
  });
});
