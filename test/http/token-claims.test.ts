/** The time claims of a bearer token: `exp` is required, with a bounded clock skew; `nbf` and `iat` are checked when present. */
import { env } from "cloudflare:workers";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { CLOCK_SKEW_SECONDS, DEV_TOKEN_TTL_SECONDS } from "../../src/http/auth";
import { call, expectProblem, json } from "../helpers";

const now = () => Math.floor(Date.now() / 1000);

function me(claims: Record<string, unknown>) {
  return sign({ sub: "claims-user", role: "client", ...claims }, env.JWT_SECRET, "HS256").then((token) =>
    call("/api/auth/me", { headers: { authorization: `Bearer ${token}` } }),
  );
}

describe("token time claims", () => {
  it("refuses a token without `exp`, or with a non-numeric one", async () => {
    await expectProblem(await me({}), 401, "INVALID_TOKEN");
    await expectProblem(await me({ iat: now() }), 401, "INVALID_TOKEN");
    await expectProblem(await me({ exp: String(now() + 600) }), 401, "INVALID_TOKEN");
  });

  it("accepts an `exp` within the clock skew and refuses one beyond it", async () => {
    expect((await me({ exp: now() - CLOCK_SKEW_SECONDS + 10 })).status).toBe(200);
    await expectProblem(await me({ exp: now() - CLOCK_SKEW_SECONDS - 1 }), 401, "TOKEN_EXPIRED");
  });

  it("checks `nbf` and `iat` when present, with the same skew", async () => {
    const exp = now() + 600;
    expect((await me({ exp, nbf: now() + CLOCK_SKEW_SECONDS - 10, iat: now() + CLOCK_SKEW_SECONDS - 10 })).status).toBe(200);
    await expectProblem(await me({ exp, nbf: now() + CLOCK_SKEW_SECONDS + 30 }), 401, "INVALID_TOKEN");
    await expectProblem(await me({ exp, iat: now() + CLOCK_SKEW_SECONDS + 30 }), 401, "INVALID_TOKEN");
    await expectProblem(await me({ exp, nbf: "soon" }), 401, "INVALID_TOKEN");
  });

  it("mints development tokens with a short life", async () => {
    const res = await call("/api/auth/dev-token", json({ userId: "short-lived", role: "client" }), { ENVIRONMENT: "development" });
    const { expiresAt } = (await res.json()) as { expiresAt: string };
    const life = (Date.parse(expiresAt) - Date.now()) / 1000;
    expect(life).toBeGreaterThan(DEV_TOKEN_TTL_SECONDS - 30);
    expect(life).toBeLessThanOrEqual(DEV_TOKEN_TTL_SECONDS);
    expect(DEV_TOKEN_TTL_SECONDS).toBeLessThanOrEqual(3600);
  });
});
