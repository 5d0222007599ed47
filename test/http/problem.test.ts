import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { requireAuth } from "../../src/http/auth";
import { validationErrors } from "../../src/http/router";
import { z } from "zod";
import { env } from "cloudflare:workers";
import { authHeaders, call, expectProblem, json, tokenFor } from "../helpers";

describe("problem+json for every failure", () => {
  it("404 for an unknown address", async () => {
    const res = await call("/api/nothing-here");
    const body = await expectProblem(res, 404, "NOT_FOUND");
    expect(body.type).toBe("urn:heartrule:problem:not-found");
  });

  it("405 with an Allow header for a known address and the wrong method", async () => {
    const res = await call("/health", { method: "DELETE" });
    await expectProblem(res, 405, "METHOD_NOT_ALLOWED");
    expect(res.headers.get("allow")).toContain("GET");
  });

  it("400 with field errors from zod, without echoing the input", async () => {
    const res = await call("/api/auth/dev-token", json({ userId: "", role: "superuser", secretNote: "I feel hopeless" }));
    const body = await expectProblem(res, 400, "VALIDATION_FAILED");
    const errors = body.errors as { path: string; message: string }[];
    expect(errors.map((e) => e.path).sort()).toEqual(expect.arrayContaining(["role", "userId"]));
    expect(JSON.stringify(body)).not.toContain("hopeless");
  });

  it("400 says how many unknown keys were sent without naming them", async () => {
    const res = await call("/api/auth/dev-token", json({ userId: "u", role: "client", "<img src=x onerror=alert(1)>": 1, "I feel hopeless": 2 }));
    const body = await expectProblem(res, 400, "VALIDATION_FAILED");
    expect(body.errors).toEqual([
      { path: "(root)", code: "unrecognized_keys", message: "2 unknown keys were sent; only the documented fields are accepted." },
    ]);
    expect(JSON.stringify(body)).not.toMatch(/hopeless|onerror/);
  });

  it("field paths quote the caller's record keys escaped and cut short", async () => {
    const schema = z.object({ vars: z.record(z.string(), z.number()), list: z.array(z.object({ n: z.number() })) });
    const long = `${"x".repeat(40)}\u0000`;
    const parsed = schema.safeParse({ vars: { plain_name: "a", [long]: "b", "é\n<b>": "c" }, list: [{ n: "1" }] });
    const errors = validationErrors(parsed.error!);
    expect(errors.map((e) => e.path)).toEqual(["vars.plain_name", `vars."${"x".repeat(32)}"…`, 'vars."\\u00e9\\n<b>"', "list.0.n"]);
    expect(errors.every((e) => /^[\x20-\x7e…]*$/.test(e.path))).toBe(true);
  });

  it("400 for a body that is not JSON", async () => {
    const res = await call("/api/auth/dev-token", { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    await expectProblem(res, 400, "BAD_REQUEST");
  });

  it("a body sent as something other than JSON is refused, not read as empty", async () => {
    const res = await call("/api/auth/dev-token", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: '{"userId":"u","role":"author"}',
    });
    await expectProblem(res, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("401 without a token, with a Bearer challenge", async () => {
    const res = await call("/api/auth/me");
    await expectProblem(res, 401, "UNAUTHENTICATED");
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("401 for a token signed with another secret", async () => {
    const { mintToken } = await import("../../src/http/auth");
    const { token } = await mintToken({ id: "u1", role: "client" }, "another-secret-0123456789");
    const res = await call("/api/auth/me", { headers: { authorization: `Bearer ${token}` } });
    await expectProblem(res, 401, "INVALID_TOKEN");
  });

  it("401 for an expired token", async () => {
    const token = await tokenFor("u1", "client", -3600);
    const res = await call("/api/auth/me", { headers: { authorization: `Bearer ${token}` } });
    await expectProblem(res, 401, "TOKEN_EXPIRED");
  });

  it("401 for a token without a valid role", async () => {
    const { sign } = await import("hono/jwt");
    const token = await sign({ sub: "u1", role: "root", exp: Math.floor(Date.now() / 1000) + 60 }, env.JWT_SECRET, "HS256");
    const res = await call("/api/auth/me", { headers: { authorization: `Bearer ${token}` } });
    await expectProblem(res, 401, "INVALID_TOKEN");
  });

  it("403 for a valid token with the wrong role", async () => {
    const app = createApp();
    app.get("/api/admin-only", requireAuth("admin"), (c) => c.text("secret"));
    const res = await app.fetch(new Request("http://x/api/admin-only", { headers: await authHeaders("u1", "client") }), env);
    await expectProblem(res, 403, "FORBIDDEN");
  });

  it("500 for an unexpected throw, without its message or stack", async () => {
    const app = createApp();
    app.get("/api/boom", () => {
      throw new Error("db password is hunter2; client said: I want to disappear");
    });
    const res = await app.fetch(new Request("http://x/api/boom"), env);
    const body = await expectProblem(res, 500, "INTERNAL_ERROR");
    expect(JSON.stringify(body)).not.toMatch(/hunter2|disappear/);
  });

  it("503 CONFIG_INVALID naming the setting when configuration is wrong", async () => {
    const res = await call("/health", {}, { LLM_PROVIDER: "carrier-pigeon" });
    const body = await expectProblem(res, 503, "CONFIG_INVALID");
    expect(body.detail).toContain("LLM_PROVIDER");
  });

  it("413 for a body over the limit", async () => {
    const res = await call("/api/auth/dev-token", json({ userId: "x".repeat(1_100_000), role: "client" }));
    await expectProblem(res, 413, "PAYLOAD_TOO_LARGE");
  });
});

describe("request id", () => {
  it("echoes a well-formed X-Request-Id", async () => {
    const res = await call("/health", { headers: { "x-request-id": "trace-abc_123" } });
    expect(res.headers.get("x-request-id")).toBe("trace-abc_123");
  });

  it("replaces a malformed one and generates one when missing", async () => {
    const bad = await call("/health", { headers: { "x-request-id": "<script>alert(1)</script>" } });
    expect(bad.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const none = await call("/health");
    const again = await call("/health");
    expect(none.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(none.headers.get("x-request-id")).not.toBe(again.headers.get("x-request-id"));
  });

  it("puts the same id in the problem body", async () => {
    const res = await call("/nope", { headers: { "x-request-id": "req-42" } });
    expect(((await res.json()) as { requestId: string }).requestId).toBe("req-42");
  });
});

describe("security headers", () => {
  it("sets a locked-down CSP, nosniff and no-referrer on API responses", async () => {
    const res = await call("/health");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
  });
});
