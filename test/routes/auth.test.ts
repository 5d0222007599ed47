import { describe, expect, it } from "vitest";
import { verifyToken } from "../../src/http/auth";
import { getConfig } from "../../src/config";
import { env } from "cloudflare:workers";
import { call, expectProblem, json } from "../helpers";

describe("POST /api/auth/dev-token", () => {
  it("mints a token in development that the API accepts", async () => {
    const res = await call("/api/auth/dev-token", json({ userId: "counselor-1", role: "author" }), { ENVIRONMENT: "development" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; tokenType: string; expiresAt: string };
    expect(body.tokenType).toBe("Bearer");
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());
    await expect(verifyToken(body.token, getConfig(env))).resolves.toEqual({ id: "counselor-1", role: "author" });

    const me = await call("/api/auth/me", { headers: { authorization: `Bearer ${body.token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ id: "counselor-1", role: "author" });
  });

  it.each(["production", "staging", "test", "bench"])("does not exist when ENVIRONMENT=%s", async (environment) => {
    const res = await call("/api/auth/dev-token", json({ userId: "u", role: "admin" }), { ENVIRONMENT: environment });
    await expectProblem(res, 404, "NOT_FOUND");
  });
});
