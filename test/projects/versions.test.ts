import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { body, expectProblem, person, type Person } from "../helpers";
import { addFile, brokenYaml, fileId, filesOf, newProject, publishVersion, send, sessionYaml } from "./fixtures";

async function rows(sql: string, ...params: unknown[]) {
  return (
    await env.DB.prepare(sql)
      .bind(...params)
      .all()
  ).results as Record<string, unknown>[];
}

/** A project with one session script saying `words`, ready to publish. */
async function projectWith(who: Person, words: string) {
  const project = await newProject(who);
  await addFile(who, project.id, "sessions/main.yaml", sessionYaml("main", words));
  return project;
}

async function setContent(who: Person, projectId: string, path: string, content: string) {
  return body(await send("PUT", `/api/projects/${projectId}/files/${await fileId(who, projectId, path)}`, who, { content }), 200);
}

async function versionContent(who: Person, projectId: string, versionId: string, path: string) {
  const version = await body<{ files: { path: string; content: string }[] }>(
    await send("GET", `/api/projects/${projectId}/versions/${versionId}`, who),
    200,
  );
  return version.files.find((f) => f.path === path)?.content;
}

describe("POST /api/projects/:id/publish", () => {
  it("snapshots the workspace as an immutable version and points the project at it", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Words of one");
    const v1 = await publishVersion(a, project.id, "v1.0.0", "first");
    expect(v1).toMatchObject({ versionNumber: "1.0.0", releaseNote: "first", publishedBy: a.id, isRollback: false, isCurrent: true, fileCount: 3 });

    await setContent(a, project.id, "sessions/main.yaml", sessionYaml("main", "Words of two"));
    const v2 = await publishVersion(a, project.id, "1.1.0");

    // The old version still holds its own words; the new one the edit.
    expect(await versionContent(a, project.id, v1.id, "sessions/main.yaml")).toContain("Words of one");
    expect(await versionContent(a, project.id, v2.id, "sessions/main.yaml")).toContain("Words of two");
    const detail = await body(await send("GET", `/api/projects/${project.id}`, a), 200);
    expect(detail).toMatchObject({ status: "published", currentVersionId: v2.id, currentVersionNumber: "1.1.0" });
    expect(await env.CACHE.get(`pub:${project.id}`, "json")).toEqual({ versionId: v2.id, versionNumber: "1.1.0" });

    const list = await body(await send("GET", `/api/projects/${project.id}/versions`, a), 200);
    expect(list.items.map((v: { versionNumber: string; isCurrent: boolean }) => [v.versionNumber, v.isCurrent])).toEqual([
      ["1.1.0", true],
      ["1.0.0", false],
    ]);
  });

  it("stores unchanged files once (content-addressed blobs)", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Stable words");
    const v1 = await publishVersion(a, project.id, "1.0.0");
    const v2 = await publishVersion(a, project.id, "1.0.1");
    const hashes = await rows(
      "SELECT version_id, content_hash FROM version_files WHERE version_id IN (?, ?) AND path = 'sessions/main.yaml'",
      v1.id,
      v2.id,
    );
    expect(hashes).toHaveLength(2);
    expect(hashes[0]!.content_hash).toBe(hashes[1]!.content_hash);
    expect(await rows("SELECT hash FROM blobs WHERE hash = ?", hashes[0]!.content_hash)).toHaveLength(1);
    const expected = [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(sessionYaml("main", "Stable words"))))]
      .map((b) => b.toString(16).padStart(2, "0"))
      .join("");
    expect(hashes[0]!.content_hash).toBe(expected);
  });

  it("refuses a version number that exists, and one that is not greater than the latest", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Hello");
    await publishVersion(a, project.id, "1.2.0");

    const duplicate = await expectProblem(
      await send("POST", `/api/projects/${project.id}/publish`, a, { versionNumber: "v1.2.0" }),
      409,
      "VERSION_EXISTS",
    );
    expect(duplicate.detail).toContain("1.2.0");
    const lower = await expectProblem(
      await send("POST", `/api/projects/${project.id}/publish`, a, { versionNumber: "1.1.9" }),
      409,
      "VERSION_NOT_INCREASING",
    );
    expect(lower).toMatchObject({ latestVersion: "1.2.0" });
    expect(lower.detail).toMatch(/greater than every existing version/);
    expect(await rows("SELECT id FROM project_versions WHERE project_id = ?", project.id)).toHaveLength(1);
  });

  it("rejects malformed version numbers with 400", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Hello");
    for (const versionNumber of ["1.0", "1.0.0-beta", "01.0.0", "latest", ""]) {
      const problem = await expectProblem(await send("POST", `/api/projects/${project.id}/publish`, a, { versionNumber }), 400, "VALIDATION_FAILED");
      expect(problem.errors).toEqual([expect.objectContaining({ path: "versionNumber" })]);
    }
  });

  it("refuses while any file has errors, naming the files and their errors, and writes nothing", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Fine");
    const saved = await addFile(a, project.id, "sessions/broken.yaml", brokenYaml);
    expect(saved.valid).toBe(false); // saved anyway

    const problem = await expectProblem(
      await send("POST", `/api/projects/${project.id}/publish`, a, { versionNumber: "1.0.0" }),
      422,
      "DRAFT_INVALID",
    );
    expect(problem.files).toEqual([
      {
        path: "sessions/broken.yaml",
        diagnostics: expect.arrayContaining([expect.objectContaining({ severity: "error", line: expect.any(Number) })]),
      },
    ]);
    expect(await rows("SELECT id FROM project_versions WHERE project_id = ?", project.id)).toEqual([]);
    expect((await body(await send("GET", `/api/projects/${project.id}`, a), 200)).currentVersionId).toBeNull();

    await send("DELETE", `/api/projects/${project.id}/files/${saved.id}`, a);
    await publishVersion(a, project.id, "1.0.0");
  });

  it("refuses an empty workspace", async () => {
    const a = await person("author");
    const project = await newProject(a);
    for (const f of await filesOf(a, project.id)) await send("DELETE", `/api/projects/${project.id}/files/${f.id}`, a);
    await expectProblem(await send("POST", `/api/projects/${project.id}/publish`, a, { versionNumber: "1.0.0" }), 422, "DRAFT_INVALID");
  });

  it("is atomic: a statement failing inside the batch leaves nothing half-written", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Atomic words");
    await publishVersion(a, project.id, "1.0.0");
    await setContent(a, project.id, "sessions/main.yaml", sessionYaml("main", "Never published words"));
    const blobsBefore = (await rows("SELECT count(*) AS n FROM blobs"))[0]!.n;
    const auditBefore = (await rows("SELECT count(*) AS n FROM audit_events WHERE project_id = ?", project.id))[0]!.n;

    // A real failure after the version row, the blobs and some files are already inserted.
    await env.DB.exec(
      `CREATE TRIGGER fail_project_update BEFORE UPDATE OF current_version_id ON projects WHEN NEW.id = '${project.id}' BEGIN SELECT RAISE(ABORT, 'provoked failure'); END;`,
    );
    try {
      const res = await send("POST", `/api/projects/${project.id}/publish`, a, { versionNumber: "1.1.0" });
      await expectProblem(res, 500, "INTERNAL_ERROR");
    } finally {
      await env.DB.exec("DROP TRIGGER fail_project_update;");
    }

    expect((await rows("SELECT version_number FROM project_versions WHERE project_id = ?", project.id)).map((r) => r.version_number)).toEqual([
      "1.0.0",
    ]);
    expect(await rows("SELECT v.version_id FROM version_files v LEFT JOIN project_versions p ON p.id = v.version_id WHERE p.id IS NULL")).toEqual([]);
    expect((await rows("SELECT count(*) AS n FROM blobs"))[0]!.n).toBe(blobsBefore);
    expect((await rows("SELECT count(*) AS n FROM audit_events WHERE project_id = ?", project.id))[0]!.n).toBe(auditBefore);
    expect((await body(await send("GET", `/api/projects/${project.id}`, a), 200)).currentVersionNumber).toBe("1.0.0");

    // Nothing is stuck: the same publish works once the failure is gone.
    expect((await publishVersion(a, project.id, "1.1.0")).versionNumber).toBe("1.1.0");
  });

  it("lets exactly one of two racing publishes of the same number win", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Race");
    const results = await Promise.all([1, 2].map(() => send("POST", `/api/projects/${project.id}/publish`, a, { versionNumber: "2.0.0" })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await rows("SELECT id FROM project_versions WHERE project_id = ?", project.id)).toHaveLength(1);
  });

  it("refuses publishing an archived project", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Archived");
    await body(await send("DELETE", `/api/projects/${project.id}`, a), 200);
    await expectProblem(await send("POST", `/api/projects/${project.id}/publish`, a, { versionNumber: "1.0.0" }), 409, "PROJECT_READ_ONLY");
  });
});

describe("GET /api/projects/:id/draft", () => {
  it("reports unpublished changes and per-file diagnostics", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Draft one");
    let draft = await body(await send("GET", `/api/projects/${project.id}/draft`, a), 200);
    expect(draft).toMatchObject({ currentVersion: null, hasUnpublishedChanges: true, publishable: true, errorCount: 0 });
    expect(draft.changes.map((c: { path: string; status: string }) => `${c.status} ${c.path}`)).toEqual([
      "added globals.yaml",
      "added sessions/hello_world.yaml",
      "added sessions/main.yaml",
    ]);

    const v1 = await publishVersion(a, project.id, "1.0.0");
    draft = await body(await send("GET", `/api/projects/${project.id}/draft`, a), 200);
    expect(draft).toMatchObject({ currentVersion: { id: v1.id, versionNumber: "1.0.0" }, hasUnpublishedChanges: false, changes: [] });

    await setContent(a, project.id, "sessions/main.yaml", sessionYaml("main", "Draft two"));
    await send("DELETE", `/api/projects/${project.id}/files/${await fileId(a, project.id, "sessions/hello_world.yaml")}`, a);
    await addFile(a, project.id, "sessions/broken.yaml", brokenYaml);
    draft = await body(await send("GET", `/api/projects/${project.id}/draft`, a), 200);
    expect(draft.changes).toEqual([
      { path: "sessions/broken.yaml", status: "added" },
      { path: "sessions/hello_world.yaml", status: "removed" },
      { path: "sessions/main.yaml", status: "modified" },
    ]);
    expect(draft.publishable).toBe(false);
    expect(draft.files.find((f: { path: string }) => f.path === "sessions/broken.yaml").errors).toBeGreaterThan(0);
  });
});

describe("POST /api/projects/:id/rollback", () => {
  it("restores the old files, paths included, as the next patch version", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Original words");
    const v1 = await publishVersion(a, project.id, "1.0.0");

    await setContent(a, project.id, "sessions/main.yaml", sessionYaml("main", "Changed words"));
    await send("DELETE", `/api/projects/${project.id}/files/${await fileId(a, project.id, "sessions/hello_world.yaml")}`, a);
    await addFile(a, project.id, "sessions/extra.yaml", sessionYaml("extra", "Extra"));
    await publishVersion(a, project.id, "1.3.0");
    await setContent(a, project.id, "sessions/main.yaml", sessionYaml("main", "Unpublished edit"));
    const mainId = await fileId(a, project.id, "sessions/main.yaml");

    const res = await send("POST", `/api/projects/${project.id}/rollback`, a, { targetVersionId: v1.id });
    const rolled = await body(res, 201);
    expect(rolled).toMatchObject({
      versionNumber: "1.3.1",
      isRollback: true,
      rollbackFromVersionId: v1.id,
      isCurrent: true,
      releaseNote: "Rolled back to version 1.0.0",
      publishedBy: a.id,
    });

    const files = await filesOf(a, project.id);
    expect(files.map((f) => f.path)).toEqual(["globals.yaml", "sessions/hello_world.yaml", "sessions/main.yaml"]);
    expect(files.find((f) => f.path === "sessions/main.yaml")!.id).toBe(mainId); // kept paths keep their ids
    const main = await body(await send("GET", `/api/projects/${project.id}/files/${mainId}`, a), 200);
    expect(main.content).toContain("Original words");
    expect(await versionContent(a, project.id, rolled.id, "sessions/main.yaml")).toContain("Original words");
    expect(await env.CACHE.get(`pub:${project.id}`, "json")).toEqual({ versionId: rolled.id, versionNumber: "1.3.1" });
    const draft = await body(await send("GET", `/api/projects/${project.id}/draft`, a), 200);
    expect(draft.hasUnpublishedChanges).toBe(false);
  });

  it("is atomic: a failure leaves the workspace as it was", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Before");
    const v1 = await publishVersion(a, project.id, "1.0.0");
    await setContent(a, project.id, "sessions/main.yaml", sessionYaml("main", "Current edit"));
    await addFile(a, project.id, "sessions/new.yaml", sessionYaml("new_one", "New"));

    await env.DB.exec(
      `CREATE TRIGGER fail_rollback_version BEFORE INSERT ON version_files WHEN NEW.path = 'sessions/main.yaml' AND NEW.version_id <> '${v1.id}' BEGIN SELECT RAISE(ABORT, 'provoked failure'); END;`,
    );
    try {
      await expectProblem(await send("POST", `/api/projects/${project.id}/rollback`, a, { targetVersionId: v1.id }), 500, "INTERNAL_ERROR");
    } finally {
      await env.DB.exec("DROP TRIGGER fail_rollback_version;");
    }
    const files = await filesOf(a, project.id);
    expect(files.map((f) => f.path)).toContain("sessions/new.yaml");
    const main = await body(await send("GET", `/api/projects/${project.id}/files/${await fileId(a, project.id, "sessions/main.yaml")}`, a), 200);
    expect(main.content).toContain("Current edit");
    expect(await rows("SELECT id FROM project_versions WHERE project_id = ?", project.id)).toHaveLength(1);
  });

  it("answers 404 for a version of another project and 400 for a bad id", async () => {
    const a = await person("author");
    const mine = await projectWith(a, "Mine");
    const other = await projectWith(a, "Other");
    const foreign = await publishVersion(a, other.id, "1.0.0");
    await expectProblem(await send("POST", `/api/projects/${mine.id}/rollback`, a, { targetVersionId: foreign.id }), 404, "NOT_FOUND");
    await expectProblem(await send("POST", `/api/projects/${mine.id}/rollback`, a, { targetVersionId: "nope" }), 400, "VALIDATION_FAILED");
    await expectProblem(await send("POST", `/api/projects/${mine.id}/rollback`, a, {}), 400, "VALIDATION_FAILED");
  });
});

describe("GET /api/projects/:id/versions/:versionId/diff", () => {
  it("lists added, removed and modified files with unified line diffs", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Line before");
    const v1 = await publishVersion(a, project.id, "1.0.0");
    await setContent(a, project.id, "sessions/main.yaml", sessionYaml("main", "Line after"));
    await send("DELETE", `/api/projects/${project.id}/files/${await fileId(a, project.id, "sessions/hello_world.yaml")}`, a);
    await addFile(a, project.id, "sessions/added.yaml", sessionYaml("added", "Brand new"));
    const v2 = await publishVersion(a, project.id, "2.0.0");

    const diff = await body(await send("GET", `/api/projects/${project.id}/versions/${v2.id}/diff`, a), 200);
    expect(diff.version).toEqual({ id: v2.id, versionNumber: "2.0.0" });
    expect(diff.compareWith).toEqual({ id: v1.id, versionNumber: "1.0.0" }); // the previous version by default
    expect(diff.summary).toEqual({ added: 1, removed: 1, modified: 1, unchanged: 1 });
    const byPath = Object.fromEntries(diff.files.map((f: { path: string }) => [f.path, f]));
    expect(Object.keys(byPath)).toEqual(["sessions/added.yaml", "sessions/hello_world.yaml", "sessions/main.yaml"]);

    const modified = byPath["sessions/main.yaml"];
    expect(modified).toMatchObject({ status: "modified", kind: "session", additions: 1, deletions: 1 });
    expect(modified.patch).toContain("--- a/sessions/main.yaml\t1.0.0");
    expect(modified.patch).toContain("+++ b/sessions/main.yaml\t2.0.0");
    expect(modified.patch).toContain('-                content: "Line before"');
    expect(modified.patch).toContain('+                content: "Line after"');
    expect(modified.patch).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@$/m);

    expect(byPath["sessions/added.yaml"]).toMatchObject({ status: "added", oldHash: null, deletions: 0 });
    expect(byPath["sessions/added.yaml"].additions).toBe(sessionYaml("added", "Brand new").trimEnd().split("\n").length);
    expect(byPath["sessions/hello_world.yaml"]).toMatchObject({ status: "removed", newHash: null, additions: 0 });

    // Explicit comparison the other way round reverses the statuses.
    const back = await body(await send("GET", `/api/projects/${project.id}/versions/${v1.id}/diff?compareWith=${v2.id}`, a), 200);
    expect(back.files.map((f: { path: string; status: string }) => `${f.status} ${f.path}`)).toEqual([
      "removed sessions/added.yaml",
      "added sessions/hello_world.yaml",
      "modified sessions/main.yaml",
    ]);
  });

  it("has nothing to compare the first version with unless told", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Only");
    const v1 = await publishVersion(a, project.id, "1.0.0");
    await expectProblem(await send("GET", `/api/projects/${project.id}/versions/${v1.id}/diff`, a), 404, "NOT_FOUND");
    const same = await body(await send("GET", `/api/projects/${project.id}/versions/${v1.id}/diff?compareWith=${v1.id}`, a), 200);
    expect(same).toMatchObject({ files: [], summary: { added: 0, removed: 0, modified: 0, unchanged: 3 } });
    await expectProblem(await send("GET", `/api/projects/${project.id}/versions/${v1.id}/diff?compareWith=x`, a), 400, "VALIDATION_FAILED");
    await expectProblem(
      await send("GET", `/api/projects/${project.id}/versions/${v1.id}/diff?compareWith=${crypto.randomUUID()}`, a),
      404,
      "NOT_FOUND",
    );
  });
});

describe("GET /api/projects/:id/versions", () => {
  it("pages by version number, highest first", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Paged");
    for (const n of ["0.9.0", "1.0.0", "1.0.2", "1.0.10"]) await publishVersion(a, project.id, n);
    const first = await body(await send("GET", `/api/projects/${project.id}/versions?limit=3`, a), 200);
    expect(first.items.map((v: { versionNumber: string }) => v.versionNumber)).toEqual(["1.0.10", "1.0.2", "1.0.0"]);
    const second = await body(await send("GET", `/api/projects/${project.id}/versions?limit=3&cursor=${first.nextCursor}`, a), 200);
    expect(second.items.map((v: { versionNumber: string }) => v.versionNumber)).toEqual(["0.9.0"]);
    expect(second.nextCursor).toBeNull();
    await expectProblem(await send("GET", `/api/projects/${project.id}/versions?cursor=garbage`, a), 400, "VALIDATION_FAILED");
  });

  it("answers 404 for a version id that is not the project's", async () => {
    const a = await person("author");
    const project = await projectWith(a, "Lonely");
    await expectProblem(await send("GET", `/api/projects/${project.id}/versions/${crypto.randomUUID()}`, a), 404, "NOT_FOUND");
    await expectProblem(await send("GET", `/api/projects/${project.id}/versions/123`, a), 400, "VALIDATION_FAILED");
  });
});
