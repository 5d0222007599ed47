/**
 * The engine's diagnostics (something in the script to fix that did not
 * stop the turn) reach authors through the debug trace, never clients.
 */
import { describe, expect, it } from "vitest";
import { call, json } from "../helpers";
import { body, openSocket, person, say, settle, startSession } from "./helpers";

/** The second action's condition names a variable nothing sets: evaluating it fails, so it counts as false. */
const script = `
session:
  session_id: broken_condition
  language: en
  phases:
    - phase_id: p1
      topics:
        - topic_id: t1
          actions:
            - { action_type: ai_say, action_id: greet, config: { content: "Hello.", max_rounds: 1 } }
            - { action_type: ai_say, action_id: maybe, condition: "missing_score > 3", config: { content: "Only when high.", max_rounds: 1 } }
            - { action_type: ai_say, action_id: always, config: { content: "Let us go on.", max_rounds: 1 } }
`;

const said = (turn: { messages: { content: string; actionId: string }[] }) => turn.messages.map((m) => [m.actionId, m.content]);

describe("run-time diagnostics", () => {
  it("an author's debug view shows the condition that could not be evaluated; the turn goes on", async () => {
    const author = await person("author");
    const created = await startSession(author, { scriptYaml: script, debug: true });
    expect(created.debug.diagnostics).toEqual([]);
    const socket = await openSocket(created.sessionId, author.token);

    const turn = await say(author, created.sessionId, "hi");
    expect(said(turn)).toEqual([["always", "Let us go on."]]);
    expect(turn.status).toBe("waiting_input");
    expect(turn.debug.diagnostics).toEqual([{ actionId: "maybe", code: "CONDITION_ERROR", message: expect.stringContaining("missing_score") }]);

    await socket.until((frames) => frames.some((f) => f.type === "debug" && f.turn === turn.debug.turn));
    const frame = socket.frames.find((f) => f.type === "debug" && f.turn === turn.debug.turn);
    expect(frame.diagnostics).toEqual(turn.debug.diagnostics);
    socket.ws.close();
    await settle(created.sessionId);
  });

  it("a client's session of the same script goes on and shows the client no diagnostic", async () => {
    const author = await person("author");
    const project = await body(
      await call("/api/projects", json({ projectName: `Diagnostics of ${author.id}`, language: "en" }, author.headers)),
      201,
    );
    await body(await call(`/api/projects/${project.id}/files`, json({ path: "sessions/broken.yaml", content: script }, author.headers)), 201);
    await body(await call(`/api/projects/${project.id}/publish`, json({ versionNumber: "1.0.0" }, author.headers)), 201);

    const client = await person("client");
    const created = await startSession(client, { projectId: project.id, script: "broken_condition" });
    const socket = await openSocket(created.sessionId, client.token);
    const turn = await say(client, created.sessionId, "hi");
    expect(said(turn)).toEqual([["always", "Let us go on."]]);
    expect(turn.debug).toBeUndefined();

    await socket.until((frames) => frames.some((f) => f.type === "message" && f.actionId === "always"));
    await settle(created.sessionId);
    expect(socket.frames.map((f) => f.type)).not.toContain("debug");
    expect(JSON.stringify(socket.frames)).not.toMatch(/CONDITION_ERROR|missing_score/);
    const exported = await body(await call(`/api/sessions/${created.sessionId}/export`, { headers: client.headers }), 200);
    expect(JSON.stringify(exported)).not.toMatch(/CONDITION_ERROR|missing_score/);
    socket.ws.close();
  });
});
