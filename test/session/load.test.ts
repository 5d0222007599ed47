/** load/ and source.ts: a new session's rows, loading per activation, rebuilding from D1, who may read or write, the read answers. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DomainError } from "../../src/errors";
import type { Instrumentation } from "../../src/session/instrumentation";
import { SessionLoader } from "../../src/session/load/loader";
import { opening, storeOpening } from "../../src/session/load/opening";
import { messagePage, sessionExport } from "../../src/session/load/reads";
import { rebuildFromMirror } from "../../src/session/load/rebuild";
import type { Caller } from "../../src/session/requests";
import { inlineSource } from "../../src/session/source";
import { SessionStorage } from "../../src/session/storage/tables";
import { contentHash } from "../../src/store/hash";
import { tinyScript } from "./helpers";
import { inFreshObject, logged, OWNER, openSession, withParts, type Parts } from "./parts";

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (err: DomainError) => (err instanceof DomainError ? err.code : String(err)),
  );
const io = (cost?: Instrumentation) => (cost ? cost.bindings(env) : { DB: env.DB, CACHE: env.CACHE });
const caller = (sessionId: string, user = OWNER): Caller => ({ sessionId, user });

describe("source.ts: inlineSource", () => {
  it("pins an author's script by the SHA-256 of its text, compiled, with no project behind it", async () => {
    const yaml = tinyScript("pinned_one");
    const source = await inlineSource(env, yaml);
    expect(source).toMatchObject({ yaml, contentHash: await contentHash(yaml), projectId: null, versionId: null, templates: {}, path: null });
    expect(source.script.session.session_id).toBe("pinned_one");
  });

  it("refuses a script with errors as SCRIPT_INVALID", async () => {
    expect(await codeOf(inlineSource(env, "session:\n  phases: 3\n"))).toBe("SCRIPT_INVALID");
  });
});

describe("load/opening.ts: opening and storeOpening", () => {
  it("store the pinned script, the meta and the start state with the opening turn running, in one commit", async () => {
    const source = await inlineSource(env, tinyScript("opening_one", ["Hi."]));
    const seen = await withParts((p) => {
      const o = opening({ sessionId: "opening-1", user: OWNER, source, initialVariables: { client_name: "Sam" }, debug: true }, 5000);
      let commits = 0;
      const turnId = storeOpening(p.store, { commit: (write) => (commits++, p.mirror.commit(write)) }, o);
      return { o, turnId, commits, stored: p.store.readMeta(), script: p.store.readScript(o.meta.scriptHash), turns: p.store.unfinishedTurns() };
    });
    expect(seen.o.meta).toMatchObject({
      sessionId: "opening-1",
      userId: OWNER.id,
      projectId: null,
      scriptId: "opening_one",
      scriptHash: source.contentHash,
      debug: true,
      status: "active",
      executionStatus: "waiting_input",
      createdAt: 5000,
      mirroredSeq: 0,
      erasing: false,
    });
    expect(seen.o.state.position).toMatchObject({ actionId: "say_1", phaseId: "p1" });
    expect(seen.o.state.variables).toMatchObject({ client_name: "Sam" });
    expect(seen.commits).toBe(1);
    expect(seen.stored).toEqual({ meta: seen.o.meta, state: seen.o.state });
    expect(seen.script).toEqual(seen.o.pinned);
    expect(seen.turns).toEqual([
      expect.objectContaining({ id: seen.turnId, status: "running", input: null, clientMessageId: null, createdAt: 5000 }),
    ]);
  });
});

describe("load/loader.ts: SessionLoader", () => {
  it("loads what the storage holds once per activation, and checks every caller against it", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      p.store.appendMessage(logged(1));
      const fresh = new SessionLoader(p.store, io());
      fresh.loadLocal();
      const id = s.meta.sessionId;
      return {
        loaded: fresh.current && { meta: fresh.current.meta, lastSeq: fresh.current.lastSeq },
        meta: s.meta,
        owner: (await fresh.session(caller(id), "write")).lastSeq,
        otherSession: await codeOf(fresh.session(caller("another"), "read")),
        otherClient: await codeOf(fresh.session(caller(id, { id: "someone", role: "client" }), "read")),
        // An inline session belongs to no project: another author cannot tell it from a missing one.
        otherAuthorReads: await codeOf(fresh.session(caller(id, { id: "someone", role: "author" }), "read")),
        adminDeletes: await codeOf(fresh.session(caller(id, { id: "root", role: "admin" }), "delete")),
      };
    });
    expect(seen.loaded).toEqual({ meta: seen.meta, lastSeq: 1 });
    expect(seen).toMatchObject({ owner: 1, otherSession: "NOT_FOUND", otherClient: "NOT_FOUND", otherAuthorReads: "NOT_FOUND", adminDeletes: null });
  });

  it("answers NOT_FOUND for a session neither the storage nor D1 has, and keeps no storage for it", async () => {
    const seen = await inFreshObject(async (state) => {
      const loader = new SessionLoader(new SessionStorage(state.storage), io());
      loader.loadLocal();
      const code = await codeOf(loader.session(caller(crypto.randomUUID()), "read"));
      return { code, tables: state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table'").toArray() };
    });
    expect(seen).toEqual({ code: "NOT_FOUND", tables: [] });
  });

  it("does not serve storage a newer release wrote, nor a damaged state, and rebuilds nothing over them", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      const loaderAfter = (change: string) => {
        p.state.storage.sql.exec(change);
        const loader = new SessionLoader(p.store, io(p.cost));
        loader.loadLocal();
        return loader;
      };
      const damaged = loaderAfter("UPDATE meta SET state = json_remove(state, '$.position')");
      const damagedCode = await codeOf(damaged.session(caller(s.meta.sessionId), "read"));
      const newer = loaderAfter("UPDATE schema_version SET version = 99");
      const newerCode = await codeOf(newer.session(caller(s.meta.sessionId), "read"));
      return {
        damagedCode,
        newerCode,
        d1: p.cost.report()!.d1RoundTrips,
        version: p.state.storage.sql.exec("SELECT version FROM schema_version").one(),
      };
    });
    expect(seen).toEqual({ damagedCode: "STATE_INVALID", newerCode: "SERVICE_UNAVAILABLE", d1: 0, version: { version: 99 } });
  });
});

/** A session with a user message (with a clientMessageId) and its answer, mirrored to D1. */
async function mirroredExchange(p: Parts) {
  const s = await openSession(p);
  const turn = p.store.insertTurn({ clientMessageId: "cm-1", input: null, userSeq: 3, status: "done", createdAt: 1 });
  p.mirror.commit(() => {
    for (const seq of [1, 2]) p.store.appendMessage(logged(seq));
    p.store.appendMessage({ ...logged(3, "user", turn), clientMessageId: "cm-1" });
    p.store.appendMessage(logged(4, "assistant", turn));
    p.store.addOutbox(turn, [], 0);
  });
  s.lastSeq = 4;
  await p.mirror.flush();
  return s;
}

describe("load/rebuild.ts: rebuildFromMirror", () => {
  it("restores the session from D1 into empty storage: its log, and a finished turn for each clientMessageId", async () => {
    const original = await withParts(async (p) => {
      const s = await mirroredExchange(p);
      return { id: s.meta.sessionId, meta: s.meta, log: p.store.messages(0) };
    });
    const rebuilt = await inFreshObject(async (state) => {
      const store = new SessionStorage(state.storage);
      const ok = await rebuildFromMirror(env, store, original.id);
      return { ok, meta: store.readMeta()!.meta, log: store.messages(0), turn: store.turnByClientId("cm-1"), lastTurn: store.lastTurnId() };
    });
    expect(rebuilt.ok).toBe(true);
    expect(rebuilt.meta).toMatchObject({ sessionId: original.id, userId: OWNER.id, mirroredSeq: 4, scriptHash: original.meta.scriptHash });
    expect(rebuilt.log.map(({ turnId: _t, ...m }) => m)).toEqual(original.log.map(({ turnId: _t, ...m }) => m));
    expect(rebuilt.turn).toMatchObject({ status: "done", userSeq: 3, result: { aiFrom: 4, aiTo: 4 } });
    // New turns are numbered after the ones D1 counted, so their variable changes do not collide.
    expect(rebuilt.lastTurn).toBe(2);
  });

  it("finds nothing to rebuild for a session D1 does not have", async () => {
    expect(await inFreshObject((state) => rebuildFromMirror(env, new SessionStorage(state.storage), crypto.randomUUID()))).toBe(false);
  });
});

describe("load/reads.ts: messagePage and sessionExport", () => {
  it("page through the log after a seq, and say where the next page starts", async () => {
    const pages = await withParts(async (p) => {
      const s = await openSession(p);
      for (const seq of [1, 2, 3, 4, 5]) p.store.appendMessage(logged(seq));
      s.lastSeq = 5;
      const seqs = (after: number) => {
        const page = messagePage(p.store, s, { after, limit: 2 });
        return [page.items.map((m) => m.seq), page.nextAfter];
      };
      return [seqs(0), seqs(2), seqs(4), seqs(5)];
    });
    expect(pages).toEqual([
      [[1, 2], 2],
      [[3, 4], 4],
      [[5], null],
      [[], null],
    ]);
  });

  it("export the whole session, a debug session's traces only to authors and admins", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p, undefined, OWNER, true);
      p.store.appendMessage(logged(1));
      s.lastSeq = 1;
      p.store.addDebug({ turn: 1, traces: [], variableChanges: [], positions: [] });
      return { author: sessionExport(p.store, s, "author", 0), client: sessionExport(p.store, s, "client", 0) };
    });
    expect(seen.author).toMatchObject({
      session: { lastSeq: 1, debug: true },
      exportedAt: "1970-01-01T00:00:00.000Z",
      debug: [{ turn: 1, traces: [] }],
    });
    expect(seen.author.messages.map((m) => m.seq)).toEqual([1]);
    expect(seen.client).not.toHaveProperty("debug");
  });
});
