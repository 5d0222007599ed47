/**
 * Requests carry counseling content, so the request log is metadata only:
 * one JSON line per request with the route pattern, never the URL's query,
 * a body or a header.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import intake from "../../scripts/sessions/intake_en.yaml";
import { body, call, json, person } from "../helpers";

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
      workerVersion: expect.any(String),
    });
    expect(lines.join("\n")).not.toContain("slept");
    expect(lines.join("\n")).not.toContain("Bearer");
  });

  it("names the route pattern, not the address with its ids (the session id has its own field)", async () => {
    const client = await person("client");
    const lines = captureLogs();
    const id = crypto.randomUUID();
    expect((await call(`/api/sessions/${id}`, { headers: client.headers })).status).toBe(404);
    const line = JSON.parse(lines.find((l) => l.includes('"msg":"request"'))!);
    expect(line).toMatchObject({ level: "info", method: "GET", route: "/api/sessions/:id", status: 404, userId: client.id });
    // The id is named once, as the session's, never inside the route.
    expect(line.sessionId).toBe(id);
    expect(JSON.stringify({ ...line, sessionId: undefined })).not.toContain(id);
  });

  it("names the route that answered: /api/projects/published, not /api/projects/:id registered after it", async () => {
    const client = await person("client");
    const lines = captureLogs();
    expect((await call("/api/projects/published", { headers: client.headers })).status).toBe(200);
    expect(JSON.parse(lines.find((l) => l.includes('"msg":"request"'))!)).toMatchObject({ route: "/api/projects/published", status: 200 });
  });

  it("carries the session id on session routes (and on the request that made the session) and the Worker version", async () => {
    const author = await person("author");
    const lines = captureLogs();
    const created = await body(await call("/api/sessions", json({ scriptYaml: intake }, author.headers)), 201);
    await call(`/api/sessions/${created.sessionId}/variables`, { headers: author.headers });
    const requests = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "request");
    expect(requests.map((l) => [l.method, l.route, l.sessionId])).toEqual([
      ["POST", "/api/sessions", created.sessionId],
      ["GET", "/api/sessions/:id/variables", created.sessionId],
    ]);
    for (const l of requests) expect(l.workerVersion).toEqual(expect.any(String));
  });

  it("times an SSE answer to the end of its stream: the line is written when the stream ends, not when it starts", async () => {
    const author = await person("author");
    const created = await body(await call("/api/sessions", json({ scriptYaml: intake }, author.headers)), 201);
    const lines = captureLogs();
    const res = await call(
      `/api/sessions/${created.sessionId}/messages`,
      json({ content: "Sam" }, { ...author.headers, accept: "text/event-stream", "x-request-id": "req-sse-log" }),
    );
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const requestLine = () => lines.map((l) => JSON.parse(l)).find((l) => l.msg === "request" && l.requestId === "req-sse-log");
    expect(requestLine()).toBeUndefined();
    expect(await res.text()).toContain("event: done");
    expect(requestLine()).toMatchObject({
      route: "/api/sessions/:id/messages",
      sessionId: created.sessionId,
      status: 200,
      durationMs: expect.any(Number),
    });
  });
});
