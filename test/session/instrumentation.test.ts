/** instrumentation.ts: what reaches the real local D1 and KV through the counted bindings, and nothing counted where it is off. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getConfig, type Env } from "../../src/config";
import { Instrumentation } from "../../src/session/instrumentation";

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
    expect(cost.report()).toEqual({ turns: 2, d1RoundTrips: 2, kvReads: 1, perTurn: { d1RoundTrips: 1, kvReads: 0.5 } });
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
});
