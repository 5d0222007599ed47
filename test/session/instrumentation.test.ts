/** instrumentation.ts: what reaches the real local D1 and KV through the counted bindings, and nothing counted where it is off. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getConfig, type Env } from "../../src/config";
import { COMMIT_BUCKETS_MS, Instrumentation, sumCosts } from "../../src/session/instrumentation";
import { inFreshObject } from "./parts";

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("instrumentation.ts: Instrumentation", () => {
  it("counts each D1 call that reaches the database and each KV read, whoever makes it", async () => {
    const cost = new Instrumentation(true);
    const { DB, CACHE } = cost.bindings(env);
    const key = `instrumented-${crypto.randomUUID()}`;
    const stmt = DB.prepare("SELECT ? AS v").bind(1); // preparing and binding stay local
    expect(cost.report()!.d1RoundTrips).toBe(0);
    expect(await stmt.first("v")).toBe(1);
    const [a, b] = await DB.batch([DB.prepare("SELECT 1 AS n"), DB.prepare("SELECT 2 AS n")]);
    expect([a!.results, b!.results]).toEqual([[{ n: 1 }], [{ n: 2 }]]);
    await CACHE.put(key, "x");
    expect(await CACHE.get(key)).toBe("x");
    await CACHE.delete(key);
    cost.turn();
    cost.turn();
    expect(cost.report()).toMatchObject({ turns: 2, d1RoundTrips: 2, kvReads: 1, perTurn: { d1RoundTrips: 1, kvReads: 0.5 } });
  });

  it("is off in staging and production: the bindings are the platform's own and nothing is reported", () => {
    const cost = Instrumentation.for(getConfig({ ...env, ENVIRONMENT: "production" } as Env));
    const io = cost.bindings(env);
    expect(io.DB).toBe(env.DB);
    expect(io.CACHE).toBe(env.CACHE);
    cost.turn();
    expect(cost.report()).toBeNull();
    expect(Instrumentation.for(getConfig(env)).enabled).toBe(true);
  });

  it("counts one storage commit per task that writes, with its statements, alarm changes and time to durability", async () => {
    const report = await inFreshObject(async (state) => {
      const cost = new Instrumentation(true);
      const storage = cost.storage(state.storage);
      storage.sql.exec("CREATE TABLE IF NOT EXISTS t (v INTEGER)");
      storage.sql.exec("INSERT INTO t (v) VALUES (1)");
      storage.transactionSync(() => storage.sql.exec("INSERT INTO t (v) VALUES (2)"));
      await nextTask();
      // Reads alone commit nothing.
      expect(storage.sql.exec("SELECT count(*) AS n FROM t").one().n).toBe(2);
      await nextTask();
      storage.sql.exec("UPDATE t SET v = v + 1");
      await storage.setAlarm(Date.now() + 60_000);
      await storage.sync();
      await nextTask();
      cost.turn();
      return cost.report()!;
    });
    expect(report.storageCommits).toBe(2);
    expect(report.sqlStatements).toBe(5);
    expect(report.alarmWrites).toBe(1);
    expect(report.perTurn.storageCommits).toBe(2);
    // Every commit is in one bucket, the one that changed the alarm apart.
    expect(report.commitMs.length).toBe(COMMIT_BUCKETS_MS.length + 1);
    expect(report.commitMs.reduce((a, b) => a + b, 0)).toBe(1);
    expect(report.alarmCommitMs.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it("leaves the storage untouched where it is off, and sums several actors' reports", async () => {
    await inFreshObject((state) => {
      expect(new Instrumentation(false).storage(state.storage)).toBe(state.storage);
    });
    const one = {
      turns: 1,
      d1RoundTrips: 1,
      kvReads: 0,
      storageCommits: 1,
      alarmWrites: 0,
      sqlStatements: 9,
      commitMs: [1, 0],
      alarmCommitMs: [0, 1],
    };
    const sum = sumCosts([
      { ...one, perTurn: { d1RoundTrips: 1, kvReads: 0, storageCommits: 1 } },
      null,
      { ...one, turns: 2, perTurn: { d1RoundTrips: 0.5, kvReads: 0, storageCommits: 0.5 } },
    ]);
    expect(sum).toMatchObject({ sessions: 2, turns: 3, d1RoundTrips: 2, storageCommits: 2, sqlStatements: 18 });
    expect(sum.commitMs.slice(0, 2)).toEqual([2, 0]);
    expect(sum.alarmCommitMs.slice(0, 2)).toEqual([0, 2]);
  });
});
