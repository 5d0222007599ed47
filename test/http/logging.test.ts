/**
 * Requests carry counseling content, so the request log is metadata only:
 * one JSON line per request with the route pattern, never the URL's query,
 * a body or a header.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, json, person } from "../helpers";

function captureLogs() {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
  return lines;
}

afterEach(() => vi.restoreAllMocks());

describe("the request log", () => {
  it("writes one line per request: method, route pattern, status, duration, request id, user id", async () => {
    const author = await person("author");
    const secret = "I have not slept since my brother died";
    const lines = captureLogs();
    const res = await call(
      `/api/scripts/validate?note=${encodeURIComponent(secret)}`,
      json({ yaml: `session:\n  session_id: x\n  note: ${secret}\n` }, { ...author.headers, "x-request-id": "req-log-1" }),
    );
    expect(res.status).toBe(200);

    const requestLines = lines.filter((l) => l.includes('"msg":"request"'));
    expect(requestLines).toHaveLength(1);
    expect(JSON.parse(requestLines[0]!)).toEqual({
      level: "info",
      msg: "request",
      method: "POST",
      route: "/api/scripts/validate",
      status: 200,
      durationMs: expect.any(Number),
      requestId: "req-log-1",
      userId: author.id,
    });
    expect(lines.join("\n")).not.toContain("slept");
    expect(lines.join("\n")).not.toContain("Bearer");
  });

  it("names the route pattern, not the address with its ids", async () => {
    const client = await person("client");
    const lines = captureLogs();
    const id = crypto.randomUUID();
    expect((await call(`/api/sessions/${id}`, { headers: client.headers })).status).toBe(404);
    const line = JSON.parse(lines.find((l) => l.includes('"msg":"request"'))!);
    expect(line).toMatchObject({ level: "info", method: "GET", route: "/api/sessions/:id", status: 404, userId: client.id });
    expect(JSON.stringify(line)).not.toContain(id);
  });
});
