/**
 * Tokens from an identity provider: with JWKS_URL set, bearer tokens are
 * verified with the provider's public keys, fetched from a JWKS server this
 * test starts, and the shared-secret path is closed.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sign } from "hono/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config";
import { rsaKey } from "./rsa-key";
import { verifyToken } from "../../../src/http/auth";
import { DomainError } from "../../../src/errors";

const provider = rsaKey("provider-1");
const stranger = rsaKey("provider-1"); // same kid, another key: a forged token
let server: Server;
let jwksUrl: string;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ keys: [provider.publicJwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const config = (extra: Record<string, string> = {}) =>
  configSchema.parse({ ENVIRONMENT: "production", JWKS_URL: jwksUrl, JWT_SECRET: "a-secret-that-must-not-be-used", ...extra });
const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({ sub: "counselor-7", role: "author", exp: now() + 300, ...extra });
const rs256 = (payload: Record<string, unknown>, key = provider.privateJwk) => sign(payload, key as JsonWebKey, "RS256");

async function rejection(token: string, cfg = config()): Promise<string> {
  const err = await verifyToken(token, cfg).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  expect((err as DomainError).status).toBe(401);
  return (err as DomainError).code;
}

describe("JWKS_URL", () => {
  it("accepts a token the provider signed, with its sub and role", async () => {
    await expect(verifyToken(await rs256(claims()), config())).resolves.toEqual({ id: "counselor-7", role: "author" });
  });

  it("refuses a token signed by another key under the same kid", async () => {
    expect(await rejection(await rs256(claims(), stranger.privateJwk))).toBe("INVALID_TOKEN");
  });

  it("refuses an HS256 token even when it is signed with JWT_SECRET", async () => {
    expect(await rejection(await sign(claims(), "a-secret-that-must-not-be-used", "HS256"))).toBe("INVALID_TOKEN");
  });

  it("tells an expired token apart", async () => {
    expect(await rejection(await rs256(claims({ exp: now() - 60 })))).toBe("TOKEN_EXPIRED");
  });

  it("checks the issuer and audience when they are configured", async () => {
    const cfg = config({ JWT_ISSUER: "https://id.example", JWT_AUDIENCE: "heartrule" });
    await expect(verifyToken(await rs256(claims({ iss: "https://id.example", aud: "heartrule" })), cfg)).resolves.toMatchObject({
      id: "counselor-7",
    });
    expect(await rejection(await rs256(claims({ iss: "https://evil.example", aud: "heartrule" })), cfg)).toBe("INVALID_TOKEN");
    expect(await rejection(await rs256(claims({ iss: "https://id.example", aud: "another-app" })), cfg)).toBe("INVALID_TOKEN");
  });

  it("refuses a signed token without a known role", async () => {
    expect(await rejection(await rs256(claims({ role: "superuser" })))).toBe("INVALID_TOKEN");
  });
});
