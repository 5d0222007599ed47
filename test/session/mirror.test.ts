/** mirror/: the outbox and its one commit (outbox.ts) and the erase of the copies (erase.ts), against the real local D1 and KV. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { scriptKey } from "../../src/authoring/cache";
import { DomainError } from "../../src/errors";
import { eraseCopies } from "../../src/session/mirror/erase";
import { MIRROR_CHUNK, Mirror } from "../../src/session/mirror/outbox";
import { erasing } from "../../src/session/storage/meta";
import { d1Messages, d1Session } from "./helpers";
import { commitTurn, logged, openSession, withParts, type Parts } from "./parts";

const storedMirror = (p: Parts) =>
  p.state.storage.sql
    .exec<{ mirroredSeq: number; mirrorAttempts: number; mirrorRetryAt: number | null }>(
      "SELECT mirroredSeq, mirrorAttempts, mirrorRetryAt FROM meta",
    )
    .one();

describe("mirror/outbox.ts: Mirror", () => {
  it("sends a turn to D1 in the background, and its progress is written by the next commit, not by a write of its own", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      commitTurn(p, s, [1, 2]);
      expect(p.mirror.pending()).toBe(true);
      await p.mirror.flush();
      const inD1 = (await d1Messages(s.meta.sessionId)).map((m) => m.seq);
      const beforeCommit = { ...storedMirror(p), outbox: p.store.outbox().length, pending: p.mirror.pending() };
      p.mirror.commit(() => p.store.appendMessage(logged(3)));
      return { id: s.meta.sessionId, inD1, beforeCommit, afterCommit: { ...storedMirror(p), outbox: p.store.outbox().length } };
    });
    expect(seen.inD1).toEqual([1, 2]);
    expect(seen.beforeCommit).toEqual({ mirroredSeq: 0, mirrorAttempts: 0, mirrorRetryAt: null, outbox: 1, pending: false });
    expect(seen.afterCommit).toEqual({ mirroredSeq: 2, mirrorAttempts: 0, mirrorRetryAt: null, outbox: 0 });
    expect(await d1Session(seen.id)).toMatchObject({ last_seq: 2, user_id: "owner-1" });
    const changes = await env.DB.prepare("SELECT turn, name, value FROM variable_changes WHERE session_id = ?").bind(seen.id).all();
    expect(changes.results).toEqual([{ turn: 1, name: "mood", value: "2" }]);
  });

  it("sends the entries again after an activation lost its progress, and D1 holds each message once", async () => {
    const id = await withParts(async (p) => {
      const s = await openSession(p);
      commitTurn(p, s, [1, 2]);
      await p.mirror.flush();
      // A new activation: the progress was never saved, so the same entries go out again.
      const next = new Mirror(
        p.store,
        env.DB,
        () => p.loader.current,
        () => undefined,
      );
      expect(next.pending()).toBe(true);
      await next.flush();
      next.saveIfUnsaved();
      expect(storedMirror(p).mirroredSeq).toBe(2);
      return s.meta.sessionId;
    });
    expect((await d1Messages(id)).map((m) => m.seq)).toEqual([1, 2]);
    const changes = await env.DB.prepare("SELECT count(*) AS n FROM variable_changes WHERE session_id = ?").bind(id).first("n");
    expect(changes).toBe(1);
  });

  it("catches up a long log in batches of MIRROR_CHUNK messages", async () => {
    const id = await withParts(async (p) => {
      const s = await openSession(p);
      commitTurn(
        p,
        s,
        Array.from({ length: MIRROR_CHUNK + 5 }, (_, i) => i + 1),
      );
      await p.mirror.flush();
      p.mirror.saveIfUnsaved();
      expect({ ...storedMirror(p), outbox: p.store.outbox().length }).toMatchObject({ mirroredSeq: MIRROR_CHUNK + 5, outbox: 0 });
      return s.meta.sessionId;
    });
    expect(await d1Messages(id)).toHaveLength(MIRROR_CHUNK + 5);
    expect((await d1Session(id))!.last_seq).toBe(MIRROR_CHUNK + 5);
  });

  it("keeps the outbox when D1 refuses the batch, and stores the retry for the alarm", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      commitTurn(p, s, [1, 2]);
      const before = Date.now();
      await p.mirror.flush(); // D1 without tables: the batch fails, the flush does not throw
      return { before, stored: storedMirror(p), pending: p.mirror.pending(), outbox: p.store.outbox().length, scheduled: p.scheduled };
    }, env.UNMIGRATED_DB);
    expect(seen.stored).toMatchObject({ mirroredSeq: 0, mirrorAttempts: 1 });
    expect(seen.stored.mirrorRetryAt).toBeGreaterThanOrEqual(seen.before + 1000);
    expect([seen.pending, seen.outbox, seen.scheduled]).toEqual([true, 1, 1]);
  });
});

describe("mirror/erase.ts: eraseCopies", () => {
  it("removes the session's D1 rows and its inline script's cached copy", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      commitTurn(p, s, [1]);
      await p.mirror.flush();
      const cachedBefore = await env.CACHE.get(scriptKey(s.meta.scriptHash));
      await eraseCopies({ DB: env.DB, CACHE: env.CACHE }, s, p.mirror);
      return { id: s.meta.sessionId, cachedBefore, cachedAfter: await env.CACHE.get(scriptKey(s.meta.scriptHash)) };
    });
    expect(seen.cachedBefore).not.toBeNull();
    expect(seen.cachedAfter).toBeNull();
    expect(await d1Session(seen.id)).toBeNull();
    expect(await d1Messages(seen.id)).toEqual([]);
  });

  it("answers SERVICE_UNAVAILABLE when D1 fails, and leaves the retry to the alarm", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      const error = await eraseCopies({ DB: env.UNMIGRATED_DB, CACHE: env.CACHE }, s, p.mirror).catch((err: unknown) => err);
      return { error, attempts: storedMirror(p).mirrorAttempts, scheduled: p.scheduled, cached: await env.CACHE.get(scriptKey(s.meta.scriptHash)) };
    });
    expect(seen.error).toBeInstanceOf(DomainError);
    expect((seen.error as DomainError).code).toBe("SERVICE_UNAVAILABLE");
    expect([seen.attempts, seen.scheduled]).toEqual([1, 1]);
    // Nothing is half-erased: the cached script stays until D1 has let go of it too.
    expect(seen.cached).not.toBeNull();
  });

  it("writes the erasure's audit row with the D1 rows, from the reason stored with the session, also when a retry completes it", async () => {
    const erasure = { reason: "user" as const, actorId: "admin-7", actorRole: "admin", at: Date.now() };
    const id = await withParts(async (p) => {
      const s = await openSession(p);
      commitTurn(p, s, [1, 2]);
      await p.mirror.flush();
      s.meta = erasing(s.meta, erasure);
      p.mirror.commit(() => p.store.markErasing(erasure));
      await eraseCopies({ DB: env.UNMIGRATED_DB, CACHE: env.CACHE }, s, p.mirror).catch(() => undefined);
      // The retry of a later activation reads the reason back from the storage.
      const stored = p.store.readMeta()!.meta;
      await eraseCopies({ DB: env.DB, CACHE: env.CACHE }, { ...s, meta: stored }, p.mirror);
      await eraseCopies({ DB: env.DB, CACHE: env.CACHE }, { ...s, meta: stored }, p.mirror);
      return s.meta.sessionId;
    });
    expect(await d1Session(id)).toBeNull();
    const { results } = await env.DB.prepare("SELECT actor_id, actor_role, action, target, detail FROM audit_events WHERE target = ?").bind(id).all();
    expect(results).toEqual([
      { actor_id: "admin-7", actor_role: "admin", action: "session.erase", target: id, detail: JSON.stringify({ reason: "user", messages: 2 }) },
    ]);
  });
});
