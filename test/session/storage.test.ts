/** storage/: the actor's tables (tables.ts) and their versioned layout (migrations.ts), on a real Durable Object's SQLite. */
import { describe, expect, it } from "vitest";
import { MIGRATIONS, migrate, NewerSchemaError } from "../../src/session/storage/migrations";
import { SessionStorage, type StoredResult } from "../../src/session/storage/tables";
import { inFreshObject, logged, openSession, withParts } from "./parts";

const tables = (sql: SqlStorage) =>
  sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .toArray()
    .map((t) => t.name);

describe("storage/tables.ts: SessionStorage", () => {
  it("leaves an unused object without tables: reading finds nothing and creates nothing", async () => {
    const left = await inFreshObject((state) => {
      const store = new SessionStorage(state.storage);
      return { meta: store.readMeta(), tables: tables(state.storage.sql) };
    });
    expect(left).toEqual({ meta: null, tables: [] });
  });

  it("stores a transaction entirely or not at all", async () => {
    const after = await withParts(async (p) => {
      await openSession(p);
      p.store.appendMessage(logged(1));
      expect(() =>
        p.store.transaction(() => {
          p.store.appendMessage(logged(2));
          p.store.addOutbox(1, [], 0);
          throw new Error("cut");
        }),
      ).toThrow("cut");
      return { lastSeq: p.store.lastSeq(), outbox: p.store.hasOutbox() };
    });
    expect(after).toEqual({ lastSeq: 1, outbox: false });
  });

  it("reads the log by seq range, oldest first, and by limit", async () => {
    const read = await withParts(async (p) => {
      await openSession(p);
      for (const seq of [1, 2, 3, 4, 5]) p.store.appendMessage(logged(seq));
      return {
        window: p.store.messages(1, 4).map((m) => m.seq),
        limited: p.store.messages(0, undefined, 2).map((m) => m.seq),
        one: p.store.message(3),
        none: p.store.message(9),
      };
    });
    expect(read).toEqual({ window: [2, 3, 4], limited: [1, 2], one: logged(3), none: null });
  });

  it("takes a turn from queued to running to done, finds it by clientMessageId, and lists the unfinished ones in arrival order", async () => {
    const seen = await withParts(async (p) => {
      await openSession(p); // its opening turn is 1, running
      const a = p.store.insertTurn({ clientMessageId: "a", input: "hi", userSeq: null, status: "queued", createdAt: 1 });
      const b = p.store.insertTurn({ clientMessageId: "b", input: "yo", userSeq: null, status: "queued", createdAt: 2 });
      const unfinished = p.store.unfinishedTurns().map((t) => t.id);
      p.store.startTurn(a, 3);
      const started = p.store.turnByClientId("a");
      const result: StoredResult = {
        aiFrom: 4,
        aiTo: 4,
        status: "waiting_input",
        sessionStatus: "active",
        position: p.loader.current!.state.position,
        variables: {},
        safety: [],
      };
      p.store.finishTurn(a, result);
      return {
        a,
        b,
        unfinished,
        started,
        done: p.store.turn(a),
        stillUnfinished: p.store.unfinishedTurns().map((t) => t.id),
        last: p.store.lastTurnId(),
      };
    });
    expect(seen.unfinished).toEqual([1, seen.a, seen.b]);
    expect(seen.started).toMatchObject({ id: seen.a, status: "running", userSeq: 3, input: null });
    expect(seen.done).toMatchObject({ status: "done", result: { aiFrom: 4, aiTo: 4 } });
    expect(seen.stillUnfinished).toEqual([1, seen.b]);
    expect(seen.last).toBe(seen.b);
  });

  it("keeps outbox entries until they are cleared, skipping the ones known to be delivered", async () => {
    const seen = await withParts(async (p) => {
      await openSession(p);
      p.store.addOutbox(1, [{ name: "x", scope: "session", value: 1, actionId: "a" }], 10);
      p.store.addOutbox(null, [], 20);
      const [first, second] = p.store.outbox();
      const afterFirst = p.store.outbox(first!.id).map((e) => e.turnId);
      p.store.clearOutbox(first!.id);
      return { first, second, afterFirst, left: p.store.outbox().map((e) => e.id), pendingAfterSecond: p.store.hasOutbox(second!.id) };
    });
    expect(seen.first).toMatchObject({ turnId: 1, changes: [{ name: "x", value: 1 }], createdAt: 10 });
    expect(seen.afterFirst).toEqual([null]);
    expect(seen.left).toEqual([seen.second!.id]);
    expect(seen.pendingAfterSecond).toBe(false);
  });

  it("erases everything, tables and alarm", async () => {
    const left = await withParts(async (p) => {
      await openSession(p);
      await p.state.storage.setAlarm(Date.now() + 60_000);
      await p.store.eraseAll();
      return { tables: tables(p.state.storage.sql), alarm: await p.state.storage.getAlarm() };
    });
    expect(left).toEqual({ tables: [], alarm: null });
  });
});

describe("storage/migrations.ts: migrate", () => {
  const steps = ["CREATE TABLE a (x INTEGER)", "ALTER TABLE a ADD COLUMN y INTEGER", "CREATE TABLE b (z INTEGER)"];

  it("runs only the steps a storage has not had, in order, and records how far it is", async () => {
    const seen = await inFreshObject((state) => {
      const sql = state.storage.sql;
      const first = state.storage.transactionSync(() => migrate(sql, steps.slice(0, 1)));
      sql.exec("INSERT INTO a (x) VALUES (1)");
      const all = state.storage.transactionSync(() => migrate(sql, steps));
      const again = state.storage.transactionSync(() => migrate(sql, steps));
      return { first, all, again, tables: tables(sql), row: sql.exec("SELECT x, y FROM a").one() };
    });
    expect(seen).toEqual({ first: 1, all: 3, again: 3, tables: ["a", "b", "schema_version"], row: { x: 1, y: null } });
  });

  it("refuses a storage a newer release wrote, and leaves it as it is", async () => {
    const seen = await inFreshObject((state) => {
      const sql = state.storage.sql;
      state.storage.transactionSync(() => migrate(sql, steps));
      let error: unknown;
      try {
        migrate(sql, steps.slice(0, 2));
      } catch (err) {
        error = err;
      }
      return { error, version: sql.exec<{ version: number }>("SELECT version FROM schema_version").one().version };
    });
    expect(seen.error).toBeInstanceOf(NewerSchemaError);
    expect((seen.error as NewerSchemaError).version).toBe(3);
    expect(seen.version).toBe(3);
  });

  it("brings a new session's storage to the current version", async () => {
    const version = await withParts(async (p) => {
      await openSession(p);
      return p.state.storage.sql.exec<{ version: number }>("SELECT version FROM schema_version").one().version;
    });
    expect(version).toBe(MIGRATIONS.length);
  });
});
