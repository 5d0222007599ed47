import { describe, expect, it } from "vitest";
import { call } from "../helpers";

const allowed = "https://app.heartrule.example";
const overrides = { CORS_ORIGINS: `${allowed}, http://localhost:5173` };

describe("CORS allowlist", () => {
  it("answers a preflight from an allowed origin", async () => {
    const res = await call(
      "/api/auth/me",
      { method: "OPTIONS", headers: { origin: allowed, "access-control-request-method": "GET", "access-control-request-headers": "authorization" } },
      overrides,
    );
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(allowed);
    expect(res.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
  });

  it("echoes an allowed origin on a normal request and exposes the request id", async () => {
    const res = await call("/api/auth/me", { headers: { origin: allowed } }, overrides);
    expect(res.headers.get("access-control-allow-origin")).toBe(allowed);
    expect(res.headers.get("access-control-expose-headers")).toContain("X-Request-Id");
  });

  it("gives no allow-origin to an origin outside the list", async () => {
    const preflight = await call(
      "/api/auth/me",
      { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "GET" } },
      overrides,
    );
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    const res = await call("/api/auth/me", { headers: { origin: "https://evil.example" } }, overrides);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});
