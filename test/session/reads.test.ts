import { describe, expect, it } from "vitest";
import { call, expectProblem, json } from "../helpers";
import { allMessages, body, clientIntake, person, publishedSamples, say, settle, startSession, tinyScript } from "./helpers";

describe("GET /api/sessions", () => {
  it("lists the caller's own sessions from D1, newest first, page by page", async () => {
    const who = await person("author");
    const other = await person("author");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { sessionId } = await startSession(who, { scriptYaml: tinyScript(`listed_${i}`) });
      await settle(sessionId);
      ids.unshift(sessionId);
    }
    await settle((await startSession(other, { scriptYaml: tinyScript("not_mine") })).sessionId);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await body(await call(`/api/sessions?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { headers: who.headers }), 200);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((s: any) => s.sessionId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);

    const first = (await body(await call("/api/sessions?limit=1", { headers: who.headers }), 200)).items[0];
    expect(first).toMatchObject({
      sessionId: ids[0],
      userId: who.id,
      scriptId: "listed_4",
      status: "active",
      executionStatus: "waiting_input",
      lastSeq: 1,
      projectId: null,
    });
  });

  it("filters by status and refuses a tampered cursor", async () => {
    const who = await person("author");
    const { sessionId } = await startSession(who, { scriptYaml: tinyScript("done_soon", ["Only line."]) });
    await say(who, sessionId, "bye");
    await settle(sessionId);
    const completed = await body(await call("/api/sessions?status=completed", { headers: who.headers }), 200);
    expect(completed.items.map((s: any) => s.sessionId)).toEqual([sessionId]);
    expect((await body(await call("/api/sessions?status=active", { headers: who.headers }), 200)).items).toEqual([]);
    await expectProblem(await call("/api/sessions?cursor=abc", { headers: who.headers }), 400, "VALIDATION_FAILED");
    await expectProblem(await call("/api/sessions?status=asleep", { headers: who.headers }), 400, "VALIDATION_FAILED");
  });
});

describe("GET /api/sessions/:id/messages", () => {
  it("pages through the log by seq", async () => {
    const who = await person("author");
    const { sessionId } = await startSession(who, { scriptYaml: tinyScript("paged", ["One.", "Two.", "Three.", "Four."]) });
    for (const answer of ["a", "b", "c"]) await say(who, sessionId, answer);
    const all = await allMessages(who, sessionId);
    expect(all.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const pages: number[][] = [];
    let cursor: string | null = null;
    do {
      const page: any = await body(
        await call(`/api/sessions/${sessionId}/messages?limit=3${cursor ? `&cursor=${cursor}` : ""}`, { headers: who.headers }),
        200,
      );
      pages.push(page.items.map((m: any) => m.seq));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    await expectProblem(await call(`/api/sessions/${sessionId}/messages?limit=0`, { headers: who.headers }), 400, "VALIDATION_FAILED");
  });
});

describe("GET /api/sessions/:id", () => {
  it("describes the session: what it runs, where it is", async () => {
    const { projectId, versionId } = await publishedSamples();
    const { owner, id } = await clientIntake(projectId);
    const info = await body(await call(`/api/sessions/${id}`, { headers: owner.headers }), 200);
    expect(info).toMatchObject({
      sessionId: id,
      userId: owner.id,
      projectId,
      versionId,
      versionNumber: "1.0.0",
      scriptPath: "sessions/intake_en.yaml",
      scriptId: "intake_en",
      scriptHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      debug: false,
      status: "active",
      executionStatus: "waiting_input",
      position: { actionId: "ask_name", phaseId: "opening" },
      lastSeq: 2,
      completedAt: null,
    });
  });
});

describe("sessions of a project", () => {
  it("run the version they started on: a new publish changes new sessions only", async () => {
    const { author, projectId } = await publishedSamples();
    const { owner, id, created } = await clientIntake(projectId);
    expect(created.messages[1].content).toBe("What would you like me to call you?");

    const files = await body(await call(`/api/projects/${projectId}/files?limit=100`, { headers: author.headers }), 200);
    // The line changes in the script and in the sample tests that expect it, or publishing is refused.
    for (const path of ["sessions/intake_en.yaml", "tests/intake_en.test.yaml"]) {
      const file = files.items.find((f: any) => f.path === path);
      const text = await body(await call(`/api/projects/${projectId}/files/${file.id}`, { headers: author.headers }), 200);
      const edited = text.content.replaceAll("What would you like me to call you?", "What name should I use for you?");
      await body(await call(`/api/projects/${projectId}/files/${file.id}`, { ...json({ content: edited }, author.headers), method: "PUT" }), 200);
    }
    await body(await call(`/api/projects/${projectId}/publish`, json({ versionNumber: "1.1.0" }, author.headers)), 201);

    const fresh = await clientIntake(projectId);
    expect(fresh.created.messages[1].content).toBe("What name should I use for you?");
    const old = await body(await call(`/api/sessions/${id}`, { headers: owner.headers }), 200);
    const renewed = await body(await call(`/api/sessions/${fresh.id}`, { headers: fresh.owner.headers }), 200);
    expect(old.versionNumber).toBe("1.0.0");
    expect(renewed.versionNumber).toBe("1.1.0");
    expect(old.scriptHash).not.toBe(renewed.scriptHash);
    expect((await say(owner, id, "Sam")).messages[0].content).toBe("Thank you, Sam. What brings you here today?");
  });

  it("give clients 404 for an unknown project and the draft only to its authors", async () => {
    const { author, projectId } = await publishedSamples();
    const client = await person("client");
    await expectProblem(await call("/api/sessions", json({ projectId: crypto.randomUUID() }, client.headers)), 404, "NOT_FOUND");
    await expectProblem(await call("/api/sessions", json({ projectId, script: "intake_en", version: "draft" }, client.headers)), 404, "NOT_FOUND");
    const draft = await startSession(author, { projectId, script: "intake_en", version: "draft" });
    expect(draft.messages).toHaveLength(2);
    const info = await body(await call(`/api/sessions/${draft.sessionId}`, { headers: author.headers }), 200);
    expect(info).toMatchObject({ projectId, versionId: null, versionNumber: null });
  });
});
