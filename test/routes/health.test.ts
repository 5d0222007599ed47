import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import pkg from "../../package.json";
import { call } from "../helpers";

describe("GET /health", () => {
  it("reports liveness with version and time", async () => {
    const res = await call("/health");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; version: string; time: string };
    expect(body.status).toBe("ok");
    expect(body.version).toBe(pkg.version);
    expect(Math.abs(Date.parse(body.time) - Date.now())).toBeLessThan(60_000);
  });
});

describe("GET /health/ready", () => {
  it("is ready when D1, KV and the Durable Object answer", async () => {
    const res = await call("/health/ready");
    const body = (await res.json()) as { status: string; checks: Record<string, { ok: boolean }>; failing: string[] };
    expect(res.status).toBe(200);
    expect(body.status).toBe("ready");
    expect(Object.keys(body.checks).sort()).toEqual(["d1", "durableObject", "kv"]);
    expect(Object.values(body.checks).every((c) => c.ok)).toBe(true);
    expect(body.failing).toEqual([]);
  });

  it("answers 503 naming D1 when the database has no migrations", async () => {
    const res = await call("/health/ready", {}, { DB: env.UNMIGRATED_DB });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { status: string; checks: Record<string, { ok: boolean; error?: string }>; failing: string[] };
    expect(body.status).toBe("unavailable");
    expect(body.failing).toEqual(["d1"]);
    expect(body.checks.d1!.ok).toBe(false);
    expect(body.checks.d1!.error).toBe("d1 check failed");
    expect(body.checks.kv!.ok).toBe(true);
    expect(body.checks.durableObject!.ok).toBe(true);
  });

  type Ready = { status: string; checks: Record<string, { ok: boolean; error?: string }>; failing: string[] };

  it("answers 503 naming KV when the cache fails, without its error's text", async () => {
    const failingKv = { get: async () => Promise.reject(new Error("kv internals: secret-host:1234")) } as unknown as KVNamespace;
    const res = await call("/health/ready", {}, { CACHE: failingKv });
    expect(res.status).toBe(503);
    const body = (await res.json()) as Ready;
    expect(body.failing).toEqual(["kv"]);
    expect(body.checks.kv).toMatchObject({ ok: false, error: "kv check failed" });
    expect(JSON.stringify(body)).not.toContain("secret-host");
    expect(body.checks.d1!.ok && body.checks.durableObject!.ok).toBe(true);
  });

  it("answers 503 naming the Durable Object when it does not answer in time", async () => {
    const silent = { idFromName: () => ({}), get: () => ({ ping: () => new Promise(() => undefined) }) } as unknown as DurableObjectNamespace;
    const res = await call("/health/ready", {}, { SESSION_ACTOR: silent as never });
    expect(res.status).toBe(503);
    const body = (await res.json()) as Ready;
    expect(body.failing).toEqual(["durableObject"]);
    expect(body.checks.durableObject!.error).toMatch(/^no answer within \d+ ms$/);
    expect(body.checks.d1!.ok && body.checks.kv!.ok).toBe(true);
  });
});
