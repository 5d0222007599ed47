/** An identity provider that cannot be reached is the service's problem (503), not the caller's token (401). */
import { describe, expect, it } from "vitest";
import { call, expectProblem } from "../helpers";

describe("JWKS_URL out of reach", () => {
  it("answers 503 IDENTITY_PROVIDER_UNAVAILABLE on an authenticated route", async () => {
    const token = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ1Iiwicm9sZSI6ImNsaWVudCJ9.c2ln";
    const res = await call("/api/auth/me", { headers: { authorization: `Bearer ${token}` } }, { JWKS_URL: "http://127.0.0.1:9/jwks.json" });
    const problem = await expectProblem(res, 503, "IDENTITY_PROVIDER_UNAVAILABLE");
    expect(problem.detail).toMatch(/try again/);
  });
});
