/**
 * The identity provider's keys are cached: fetched once per JWKS_CACHE_SECONDS,
 * again early (at most every KID_REFETCH_MS) for a kid they lack, kept in use
 * while the provider is down, and an outage with no keys at all is a 503, not
 * a 401. The provider is a JWKS server this test starts, counting its requests;
 * each test has its own URL (path), so the per-URL cache starts empty.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sign } from "hono/jwt";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { configSchema } from "../../../src/config";
import { rsaKey } from "./rsa-key";
import { DomainError } from "../../../src/errors";
import { verifyToken } from "../../../src/http/auth";
import { KID_REFETCH_MS } from "../../../src/http/jwks";

const first = rsaKey("key-1");
const rotated = rsaKey("key-2");

/** What each path answers, and how often it was asked. */
const provider = new Map<string, { status: number; keys: unknown[] }>();
const hits = new Map<string, number>();
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? "/";
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const answer = provider.get(path) ?? { status: 404, keys: [] };
    res.statusCode = answer.status;
    res.setHeader("content-type", "application/json");
    res.end(answer.status === 200 ? JSON.stringify({ keys: answer.keys }) : '{"error":"down"}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => vi.useRealTimers());

let n = 0;
function providerAt(keys: unknown[], status = 200) {
  const path = `/p${++n}/jwks.json`;
  provider.set(path, { status, keys });
  return { path, url: `${base}${path}`, fetches: () => hits.get(path) ?? 0 };
}

const config = (url: string) => configSchema.parse({ ENVIRONMENT: "production", JWKS_URL: url, JWKS_CACHE_SECONDS: "600" });
const token = (key: typeof first) =>
  sign({ sub: "counselor-7", role: "author", exp: Math.floor(Date.now() / 1000) + 3600 }, key.privateJwk as JsonWebKey, "RS256");

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

describe("JWKS_URL keys", () => {
  it("are fetched once for many requests, and again once the cache time is over", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const p = providerAt([first.publicJwk]);
    for (let i = 0; i < 5; i++) await expect(verifyToken(await token(first), config(p.url))).resolves.toMatchObject({ id: "counselor-7" });
    expect(p.fetches()).toBe(1);
    vi.setSystemTime(Date.now() + 601_000);
    await verifyToken(await token(first), config(p.url));
    expect(p.fetches()).toBe(2);
  });

  it("are fetched early for a kid they lack (a rotation), at most once per interval", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const p = providerAt([first.publicJwk]);
    await verifyToken(await token(first), config(p.url));
    provider.set(p.path, { status: 200, keys: [first.publicJwk, rotated.publicJwk] });
    vi.setSystemTime(Date.now() + KID_REFETCH_MS + 1);
    await expect(verifyToken(await token(rotated), config(p.url))).resolves.toMatchObject({ id: "counselor-7" });
    expect(p.fetches()).toBe(2);
    // Forged kids right after: refused from the cache, without a fetch each.
    const forged = rsaKey("key-forged");
    for (let i = 0; i < 3; i++) expect((await failure(verifyToken(await token(forged), config(p.url)))).code).toBe("INVALID_TOKEN");
    expect(p.fetches()).toBe(2);
  });

  it("stay in use while the provider is down", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const p = providerAt([first.publicJwk]);
    await verifyToken(await token(first), config(p.url));
    provider.set(p.path, { status: 503, keys: [] });
    vi.setSystemTime(Date.now() + 601_000);
    await expect(verifyToken(await token(first), config(p.url))).resolves.toMatchObject({ id: "counselor-7" });
    expect(p.fetches()).toBe(2);
  });

  it("that cannot be had at all answer 503 IDENTITY_PROVIDER_UNAVAILABLE, not 401", async () => {
    const down = providerAt([], 500);
    const err = await failure(verifyToken(await token(first), config(down.url)));
    expect({ code: err.code, status: err.status }).toEqual({ code: "IDENTITY_PROVIDER_UNAVAILABLE", status: 503 });
    const unreachable = await failure(verifyToken(await token(first), config("http://127.0.0.1:9/jwks.json")));
    expect(unreachable.code).toBe("IDENTITY_PROVIDER_UNAVAILABLE");
  });

  it("that are not a key set count as an outage", async () => {
    const p = providerAt([]);
    provider.set(p.path, { status: 200, keys: "nope" as unknown as unknown[] });
    expect((await failure(verifyToken(await token(first), config(p.url)))).code).toBe("IDENTITY_PROVIDER_UNAVAILABLE");
  });
});
