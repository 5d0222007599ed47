/**
 * Who may start which content of a project with `POST /api/sessions`: the
 * published version for everyone, the draft and older versions for the
 * project's authors and admins, nothing from an archived or deprecated project.
 */
import { describe, expect, it } from "vitest";
import { body, call, expectProblem, json, person, type Person } from "../helpers";
import { say, settle, startSession } from "../session/helpers";
import { publishVersion } from "../projects/fixtures";
import { checkin, checkinWords, publishedProject, putFile, said, sessionInfo } from "./helpers";

const start = (who: Person, payload: Record<string, unknown>) => call("/api/sessions", json(payload, who.headers));

/** The ids of `who`'s sessions, from D1 (every session started must be settled first). */
async function sessionsOf(who: Person): Promise<string[]> {
  return (await body(await call("/api/sessions?limit=100", { headers: who.headers }), 200)).items.map((s: { sessionId: string }) => s.sessionId);
}

describe("POST /api/sessions from a project", () => {
  it("runs the draft for the owner and admins only, and older versions for them only", async () => {
    const { author, projectId, version: v1 } = await publishedProject({ "sessions/checkin.yaml": checkin("version one") });
    await putFile(author, projectId, "sessions/checkin.yaml", checkin("the draft"));
    const client = await person("client");
    const otherAuthor = await person("author");
    const admin = await person("admin");

    for (const who of [author, admin]) {
      const draft = await startSession(who, { projectId, version: "draft" });
      expect(said(draft.messages)).toEqual(checkinWords("the draft", "").opening);
      expect(await sessionInfo(who, draft.sessionId)).toMatchObject({ projectId, versionId: null, versionNumber: null });
    }
    for (const who of [client, otherAuthor]) await expectProblem(await start(who, { projectId, version: "draft" }), 404, "NOT_FOUND");

    const v2 = await publishVersion(author, projectId, "1.1.0");
    for (const who of [client, otherAuthor]) await expectProblem(await start(who, { projectId, version: "1.0.0" }), 403, "FORBIDDEN");
    for (const who of [author, admin]) {
      const old = await startSession(who, { projectId, version: "v1.0.0" });
      expect(said(old.messages)).toEqual(checkinWords("version one", "").opening);
      expect(await sessionInfo(who, old.sessionId)).toMatchObject({ versionId: v1.id, versionNumber: "1.0.0" });
    }
    // Naming the published version is naming nothing special.
    const current = await startSession(client, { projectId, version: "1.1.0" });
    expect(said(current.messages)).toEqual(checkinWords("the draft", "").opening);
    expect(await sessionInfo(client, current.sessionId)).toMatchObject({ versionId: v2.id });

    await expectProblem(await start(author, { projectId, version: "9.9.9" }), 404, "NOT_FOUND");
    await expectProblem(await start(author, { projectId, version: "newest" }), 400, "VALIDATION_FAILED");
    await expectProblem(await start(client, { projectId, script: "no_such_script" }), 404, "NOT_FOUND");

    // Refusals started nothing: the client has the one session it was given.
    await settle(current.sessionId);
    expect(await sessionsOf(client)).toEqual([current.sessionId]);
    expect(await sessionsOf(otherAuthor)).toEqual([]);
  });

  it("starts nothing from an archived or deprecated project, while sessions already running go on", async () => {
    const { author, projectId } = await publishedProject({ "sessions/checkin.yaml": checkin("version one") });
    const client = await person("client");
    const admin = await person("admin");
    const running = await startSession(client, { projectId });
    await settle(running.sessionId);

    expect((await call(`/api/projects/${projectId}`, { method: "DELETE", headers: author.headers })).status).toBe(200);
    for (const [who, payload] of [
      [client, { projectId }],
      [author, { projectId, version: "draft" }],
      [author, { projectId, version: "1.0.0" }],
      [admin, { projectId }],
    ] as const) {
      const problem = await expectProblem(await start(who, payload), 409, "PROJECT_UNAVAILABLE");
      expect(problem.projectStatus).toBe("archived");
    }
    expect(said((await say(client, running.sessionId, "Sam")).messages)).toEqual(checkinWords("version one", "Sam").afterName);

    await body(await call(`/api/projects/${projectId}/restore`, json({}, author.headers)), 200);
    const restored = await startSession(client, { projectId });
    expect(said(restored.messages)).toEqual(checkinWords("version one", "").opening);

    await body(await call(`/api/projects/${projectId}/deprecate`, json({ reason: "replaced" }, author.headers)), 200);
    const problem = await expectProblem(await start(client, { projectId }), 409, "PROJECT_UNAVAILABLE");
    expect(problem.projectStatus).toBe("deprecated");

    await settle(restored.sessionId);
    expect((await sessionsOf(client)).sort()).toEqual([running.sessionId, restored.sessionId].sort());
  });
});
