/**
 * Conversation tests in a project: the tests route on the draft and on a
 * version, who may run them, and publish refusing a failing test unless an
 * admin forces it (audited).
 */
import { describe, expect, it } from "vitest";
import { body, expectProblem, person, type Person } from "../helpers";
import { addFile, fileId, newProject, publishVersion, send, sessionYaml } from "./fixtures";

const SCRIPT = "sessions/main.yaml";
const TEST = "tests/main.test.yaml";

/** A test of sessionYaml(): the first thing the AI says must contain `words`. */
function testYaml(words: string, name = "the first line"): string {
  return [
    `script: ${SCRIPT}`,
    "cases:",
    `  - name: ${name}`,
    "    steps:",
    "      - start: true",
    "        expect:",
    `          contains: ${JSON.stringify(words)}`,
    "",
  ].join("\n");
}

async function projectWith(who: Person, says: string, expects: string) {
  const project = await newProject(who);
  await addFile(who, project.id, SCRIPT, sessionYaml("main", says));
  await addFile(who, project.id, TEST, testYaml(expects));
  return project;
}

const runTests = (who: Person | null, projectId: string, payload: unknown = {}) => send("POST", `/api/projects/${projectId}/tests/run`, who, payload);

async function setContent(who: Person, projectId: string, path: string, content: string) {
  return body(await send("PUT", `/api/projects/${projectId}/files/${await fileId(who, projectId, path)}`, who, { content }), 200);
}

describe("test files in a project", () => {
  it("are stored as kind `test`, checked for their format and for the script they name", async () => {
    const a = await person("author");
    const project = await newProject(a);
    await addFile(a, project.id, SCRIPT, sessionYaml("main", "Hello"));
    const good = await addFile(a, project.id, TEST, testYaml("Hello"));
    expect(good).toMatchObject({ kind: "test", valid: true, diagnostics: [] });
    const unknownKey = await addFile(
      a,
      project.id,
      "tests/typo.test.yaml",
      `script: ${SCRIPT}\ncases:\n  - name: c\n    steps: [{ start: true, expect: { says: hi } }]\n`,
    );
    expect(unknownKey).toMatchObject({ kind: "test", valid: false, diagnostics: [{ severity: "error", code: "TEST_INVALID", line: 4 }] });
    const noScript = await addFile(a, project.id, "tests/lost.test.yaml", testYaml("Hello").replace(SCRIPT, "sessions/gone.yaml"));
    expect(noScript).toMatchObject({ valid: false, diagnostics: [{ code: "TEST_SCRIPT_NOT_FOUND", line: 1, path: "script" }] });
  });
});

describe("POST /api/projects/:id/tests/run", () => {
  it("runs the draft's tests and reports each case", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Hello and welcome", "Hello and welcome");
    const report = await body(await runTests(a, project.id), 200);
    expect(report).toMatchObject({
      passed: true,
      total: 1,
      failed: 0,
      durationMs: expect.any(Number),
      files: [{ path: TEST, cases: [{ name: "the first line", line: 3, passed: true, durationMs: expect.any(Number) }] }],
    });
  });

  it("reports a failing case with its step, line, expected and got", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Hello and welcome", "Good morning");
    const report = await body(await runTests(a, project.id), 200);
    expect(report).toMatchObject({ passed: false, total: 1, failed: 1 });
    expect(report.files[0].cases[0].failure).toEqual({
      step: 1,
      line: 7,
      expectation: "contains",
      expected: '"Good morning"',
      got: '"Hello and welcome"',
      message: expect.any(String),
    });
  });

  it("says what failed in the caller's language (Accept-Language)", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Hello and welcome", "Good morning");
    const res = await send("POST", `/api/projects/${project.id}/tests/run`, a, {}, { "accept-language": "zh-CN,zh;q=0.9" });
    const report = await body(res, 200);
    expect(report.files[0].cases[0].failure.message).toBe('AI 的回复里没有 "Good morning"。');
  });

  it("runs a version's tests against that version's script, and only the paths asked for", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Version one words", "Version one words");
    const v1 = await publishVersion(a, project.id, "1.0.0");
    await setContent(a, project.id, SCRIPT, sessionYaml("main", "Draft words"));
    await addFile(a, project.id, "tests/other.test.yaml", testYaml("Draft words", "the draft"));

    const draft = await body(await runTests(a, project.id), 200);
    expect(draft.files.map((f: { path: string; cases: { passed: boolean }[] }) => [f.path, f.cases[0]!.passed])).toEqual([
      [TEST, false],
      ["tests/other.test.yaml", true],
    ]);
    const version = await body(await runTests(a, project.id, { versionId: v1.id }), 200);
    expect(version).toMatchObject({ passed: true, total: 1, files: [{ path: TEST }] });
    const one = await body(await runTests(a, project.id, { paths: ["tests/other.test.yaml"] }), 200);
    expect(one).toMatchObject({ passed: true, total: 1, files: [{ path: "tests/other.test.yaml" }] });
  });

  it("reports a project with no tests as passing, with nothing run", async () => {
    const a = await person("author");
    const project = await newProject(a);
    expect(await body(await runTests(a, project.id), 200)).toMatchObject({ passed: true, total: 0, failed: 0, files: [] });
  });

  it("answers bad input with problems, never 500", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Hi", "Hi");
    await expectProblem(await runTests(a, project.id, { paths: ["tests/none.test.yaml"] }), 404, "NOT_FOUND");
    await expectProblem(await runTests(a, project.id, { paths: [SCRIPT] }), 404, "NOT_FOUND");
    await expectProblem(await runTests(a, project.id, { versionId: crypto.randomUUID() }), 404, "NOT_FOUND");
    await expectProblem(await runTests(a, project.id, { versionId: "not-a-uuid" }), 400, "VALIDATION_FAILED");
    await expectProblem(await runTests(a, project.id, { paths: ["../etc/passwd"] }), 400, "VALIDATION_FAILED");
    await expectProblem(await runTests(a, project.id, { surprise: true }), 400, "VALIDATION_FAILED");
    await expectProblem(await runTests(a, "not-a-uuid"), 400, "VALIDATION_FAILED");
  });

  it("is for the project's authors and admins: another author gets 404, a client 403, no token 401", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Hi", "Hi");
    await expectProblem(await runTests(await person("author"), project.id), 404, "NOT_FOUND");
    await expectProblem(await runTests(await person("client"), project.id), 403, "FORBIDDEN");
    await expectProblem(await runTests(null, project.id), 401, "UNAUTHENTICATED");
    expect(await body(await runTests(await person("admin"), project.id), 200)).toMatchObject({ passed: true });
  });
});

describe("publishing runs the tests", () => {
  const publish = (who: Person, projectId: string, payload: Record<string, unknown>) =>
    send("POST", `/api/projects/${projectId}/publish`, who, payload);

  it("refuses a draft whose test fails: 422 TESTS_FAILED with the report, and nothing is published", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Hello there", "Good morning");
    const problem = await expectProblem(await publish(a, project.id, { versionNumber: "1.0.0" }), 422, "TESTS_FAILED");
    expect(problem.report).toMatchObject({
      passed: false,
      failed: 1,
      files: [{ path: TEST, cases: [{ passed: false, failure: { step: 1, line: 7, expectation: "contains" } }] }],
    });
    const versions = await body(await send("GET", `/api/projects/${project.id}/versions`, a), 200);
    expect(versions.items).toEqual([]);

    // Fixing the script makes it publishable.
    await setContent(a, project.id, SCRIPT, sessionYaml("main", "Good morning"));
    expect(await publishVersion(a, project.id, "1.0.0")).toMatchObject({ versionNumber: "1.0.0" });
  });

  it("lets only an admin force it; the audit entry says it was forced and how many tests failed", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Hello there", "Good morning");
    await expectProblem(await publish(a, project.id, { versionNumber: "1.0.0", force: true }), 403, "FORCE_NOT_ALLOWED");

    const admin = await person("admin");
    const forced = await body(await publish(admin, project.id, { versionNumber: "1.0.0", force: true }), 201);
    expect(forced).toMatchObject({ versionNumber: "1.0.0", publishedBy: admin.id, isCurrent: true });
    const audit = await body(await send("GET", `/api/projects/${project.id}/audit`, a), 200);
    const entry = audit.items.find((e: { action: string }) => e.action === "version.publish");
    expect(entry).toMatchObject({
      actorId: admin.id,
      actorRole: "admin",
      target: "1.0.0",
      detail: { versionId: forced.id, forced: true, testsFailed: 1 },
    });
  });

  it("publishes passing tests without marking the audit entry forced, with or without an admin's force", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Good morning", "Good morning");
    await publishVersion(a, project.id, "1.0.0");
    const admin = await person("admin");
    await body(await publish(admin, project.id, { versionNumber: "1.0.1", force: true }), 201);
    const audit = await body(await send("GET", `/api/projects/${project.id}/audit`, a), 200);
    const publishes = audit.items.filter((e: { action: string }) => e.action === "version.publish");
    expect(publishes).toHaveLength(2);
    for (const e of publishes) expect(e.detail).not.toHaveProperty("forced");
  });

  it("refuses a test file with a format error as DRAFT_INVALID, like any file with errors", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Hi", "Hi");
    await addFile(a, project.id, "tests/bad.test.yaml", "script: sessions/main.yaml\ncases: []\n");
    const problem = await expectProblem(await publish(a, project.id, { versionNumber: "1.0.0" }), 422, "DRAFT_INVALID");
    expect(problem.files).toMatchObject([{ path: "tests/bad.test.yaml", diagnostics: [{ code: "TEST_INVALID" }] }]);
  });
});
