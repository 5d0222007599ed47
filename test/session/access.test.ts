import { describe, expect, it } from "vitest";
import intake from "../../scripts/sessions/intake_en.yaml";
import { call, expectProblem, json } from "../helpers";
import {
  allMessages,
  body,
  clientIntake,
  openSocket,
  person,
  publishedSamples,
  say,
  sendMessage,
  settle,
  startSession,
  tinyScript,
  type Person,
} from "./helpers";

/** Every session route, as a request from `headers`. */
function routes(id: string, headers: Record<string, string>): [string, () => Promise<Response>][] {
  return [
    ["GET session", () => call(`/api/sessions/${id}`, { headers })],
    ["GET messages", () => call(`/api/sessions/${id}/messages`, { headers })],
    ["GET variables", () => call(`/api/sessions/${id}/variables`, { headers })],
    ["GET export", () => call(`/api/sessions/${id}/export`, { headers })],
    ["GET events", () => call(`/api/sessions/${id}/events`, { headers })],
    ["POST message", () => call(`/api/sessions/${id}/messages`, json({ content: "hello" }, headers))],
    ["POST message (SSE)", () => call(`/api/sessions/${id}/messages`, json({ content: "hello" }, { ...headers, accept: "text/event-stream" }))],
    ["DELETE session", () => call(`/api/sessions/${id}`, { method: "DELETE", headers })],
  ];
}

let samples: Promise<{ author: Person; projectId: string }> | undefined;
/** A client's session of the published samples (one project for the whole file), with the project's author. */
async function clientSession() {
  samples ??= publishedSamples();
  const { author, projectId } = await samples;
  return { ...(await clientIntake(projectId)), author };
}

describe("who reaches a session", () => {
  it("another client's token gets 404 on every session route, and the session is untouched", async () => {
    const { owner, id } = await clientSession();
    const stranger = await person("client");
    for (const [name, request] of routes(id, stranger.headers)) {
      const res = await request();
      expect([name, res.status]).toEqual([name, 404]);
      await expectProblem(res, 404, "NOT_FOUND");
    }
    const ws = await call(`/api/sessions/${id}/ws?token=${stranger.token}`, { headers: { Upgrade: "websocket" } });
    await expectProblem(ws, 404, "NOT_FOUND");
    await settle(id);
    expect(await allMessages(owner, id)).toHaveLength(2);
  });

  it("no token gets 401 on every session route, a bad token too", async () => {
    const { id } = await clientSession();
    const all: [string, () => Promise<Response>][] = [
      ...routes(id, {}),
      ["GET list", () => call("/api/sessions")],
      ["POST create", () => call("/api/sessions", json({ scriptYaml: intake }))],
    ];
    for (const [name, request] of all) {
      const res = await request();
      expect([name, res.status]).toEqual([name, 401]);
      await expectProblem(res, 401, "UNAUTHENTICATED");
    }
    await expectProblem(await call(`/api/sessions/${id}/ws`, { headers: { Upgrade: "websocket" } }), 401, "UNAUTHENTICATED");
    await expectProblem(await call(`/api/sessions/${id}/ws?token=nope`, { headers: { Upgrade: "websocket" } }), 401, "INVALID_TOKEN");
    await expectProblem(await call(`/api/sessions/${id}`, { headers: { authorization: "Bearer nope" } }), 401, "INVALID_TOKEN");
  });

  it("a client reaches its own session", async () => {
    const { owner, id } = await clientSession();
    expect((await say(owner, id, "Sam")).variables).toMatchObject({ client_name: "Sam" });
    const mine = await body(await call("/api/sessions", { headers: owner.headers }), 200);
    expect(mine.items.map((s: any) => s.sessionId)).toEqual([id]);
    expect((await call(`/api/sessions/${id}`, { method: "DELETE", headers: owner.headers })).status).toBe(204);
  });

  it("the project's authors and admins read a session and may observe it live, but only the owner speaks and only the owner or an admin deletes", async () => {
    const { owner, id, author: otherAuthor } = await clientSession();
    const admin = await person("admin");
    for (const reader of [otherAuthor, admin]) {
      expect((await body(await call(`/api/sessions/${id}`, { headers: reader.headers }), 200)).userId).toBe(owner.id);
      expect(await allMessages(reader, id)).toHaveLength(2);
      await expectProblem(await sendMessage(reader, id, "hello"), 403, "FORBIDDEN");
    }
    await expectProblem(await call(`/api/sessions/${id}`, { method: "DELETE", headers: otherAuthor.headers }), 403, "FORBIDDEN");

    const observer = await openSocket(id, otherAuthor.token);
    observer.send({ type: "user_message", content: "let me in", clientMessageId: "observer-1" });
    await observer.until((f) => f.some((x) => x.type === "error"));
    expect(observer.frames.find((f) => f.type === "error")).toMatchObject({ code: "FORBIDDEN", clientMessageId: "observer-1" });
    await say(owner, id, "Sam");
    await observer.until((f) => f.some((x) => x.type === "message" && x.content === "Sam"));
    expect(observer.frames.some((f) => f.type === "delta")).toBe(true);

    expect((await call(`/api/sessions/${id}`, { method: "DELETE", headers: admin.headers })).status).toBe(204);
  });

  it("the WebSocket needs an upgrade", async () => {
    const { owner, id } = await clientSession();
    await expectProblem(await call(`/api/sessions/${id}/ws?token=${owner.token}`), 426, "UPGRADE_REQUIRED");
  });

  it("bad ids are 400, unknown ones 404", async () => {
    const who = await person("client");
    await expectProblem(await call("/api/sessions/not-a-uuid", { headers: who.headers }), 400, "VALIDATION_FAILED");
    await expectProblem(await call(`/api/sessions/${crypto.randomUUID()}/messages`, json({ content: "hi" }, who.headers)), 404, "NOT_FOUND");
  });
});

describe("starting a session", () => {
  it("answers 201 with the opening messages and a Location", async () => {
    const who = await person("author");
    const res = await call("/api/sessions", json({ scriptYaml: tinyScript("hello_201"), initialVariables: { client_name: "Ada" } }, who.headers));
    expect(res.status).toBe(201);
    const created = (await res.json()) as any;
    expect(res.headers.get("location")).toBe(`/api/sessions/${created.sessionId}`);
    expect(created).toMatchObject({
      sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: "waiting_input",
      sessionStatus: "active",
      variables: { client_name: "Ada" },
      messages: [{ seq: 1, id: "msg_1", role: "assistant", content: "Hello.", actionId: "say_1" }],
    });
    expect(Date.parse(created.createdAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("refuses inline scripts and debug sessions to clients", async () => {
    const client = await person("client");
    await expectProblem(await call("/api/sessions", json({ scriptYaml: intake }, client.headers)), 403, "FORBIDDEN");
  });

  it("refuses bad bodies with 400 and scripts with errors with 422 and their diagnostics", async () => {
    const who = await person("author");
    for (const payload of [
      {},
      { scriptYaml: intake, projectId: crypto.randomUUID() },
      { scriptYaml: intake, version: "1.0.0" },
      { scriptYaml: intake, surprise: 1 },
      { projectId: "nope" },
    ]) {
      await expectProblem(await call("/api/sessions", json(payload, who.headers)), 400, "VALIDATION_FAILED");
    }
    const problem = await expectProblem(
      await call("/api/sessions", json({ scriptYaml: "session:\n  session_id: x\n  phases: []\n  surprise: 1\n" }, who.headers)),
      422,
      "SCRIPT_INVALID",
    );
    expect((problem.files as any[])[0].diagnostics.length).toBeGreaterThan(0);
    await expectProblem(
      await call("/api/sessions", json({ scriptYaml: `${intake}\n# ${"x".repeat(300 * 1024)}` }, who.headers)),
      413,
      "PAYLOAD_TOO_LARGE",
    );
  });

  it("refuses messages that are too long or malformed with 400", async () => {
    const who = await person("author");
    const { sessionId: id } = await startSession(who, { scriptYaml: intake });
    await expectProblem(await sendMessage(who, id, "x".repeat(8001)), 400, "VALIDATION_FAILED");
    await expectProblem(await sendMessage(who, id, "hi", "has spaces"), 400, "VALIDATION_FAILED");
    await expectProblem(await call(`/api/sessions/${id}/messages`, json({ text: "hi" }, who.headers)), 400, "VALIDATION_FAILED");
    expect(await allMessages(who, id)).toHaveLength(2);
  });
});

describe("debug output", () => {
  it("goes only to authors and admins, and only in sessions created with debug: true", async () => {
    const author = await person("author");
    const client = await person("client");
    await expectProblem(await call("/api/sessions", json({ scriptYaml: intake, debug: true }, client.headers)), 403, "FORBIDDEN");

    const debugSession = await startSession(author, { scriptYaml: intake, debug: true });
    expect(debugSession.debug.traces).toEqual(
      expect.arrayContaining([expect.objectContaining({ actionId: "greet", prompt: expect.any(String), response: expect.any(String) })]),
    );
    const observer = await openSocket(debugSession.sessionId, (await person("admin")).token);
    const turn = await say(author, debugSession.sessionId, "Sam");
    expect(turn.debug.traces.length).toBeGreaterThan(0);
    expect(turn.debug.variableChanges).toEqual([expect.objectContaining({ name: "client_name", value: "Sam" })]);
    expect(turn.debug.positions.at(-1).actionId).toBe("ask_problem");
    await observer.until((f) => f.some((x) => x.type === "debug"));
    const exported = await body(await call(`/api/sessions/${debugSession.sessionId}/export`, { headers: author.headers }), 200);
    expect(exported.debug.map((d: any) => d.turn)).toEqual([1, 2]);

    const plain = await startSession(author, { scriptYaml: intake });
    expect(plain.debug).toBeUndefined();
    expect((await say(author, plain.sessionId, "Sam")).debug).toBeUndefined();
  });
});
