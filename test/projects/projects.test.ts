import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { body, expectProblem, person } from "../helpers";
import { DomainError } from "../../src/errors";
import { changeStatus } from "../../src/authoring/projects";
import { addFile, afterFirstRead, filesOf, newProject, publishVersion, send, sessionYaml } from "./fixtures";

describe("POST /api/projects", () => {
  it("creates a draft owned by the caller with the blank starter files", async () => {
    const a = await person("author");
    const res = await send("POST", "/api/projects", a, { projectName: "  Intake  ", description: "d", tags: ["cbt"], language: "en" });
    const project = await body(res, 201);
    expect(res.headers.get("location")).toBe(`/api/projects/${project.id}`);
    expect(project).toMatchObject({
      projectName: "Intake",
      description: "d",
      tags: ["cbt"],
      language: "en",
      status: "draft",
      ownerId: a.id,
      currentVersionId: null,
      currentVersionNumber: null,
      fileCount: 2,
    });
    const files = await filesOf(a, project.id);
    expect(files.map((f) => f.path)).toEqual(["globals.yaml", "sessions/hello_world.yaml"]);
    const hello = await body(await send("GET", `/api/projects/${project.id}/files/${files[1]!.id}`, a), 200);
    expect(hello).toMatchObject({ kind: "session", sessionId: "hello_world", valid: true });
    expect(hello.content).toContain("How have you been lately?");
    // The blank project publishes as it is.
    expect((await publishVersion(a, project.id, "0.1.0")).versionNumber).toBe("0.1.0");
  });

  it("writes the starter script in the project's language (zh-CN by default)", async () => {
    const a = await person("author");
    const project = await body(await send("POST", "/api/projects", a, { projectName: "中文项目" }), 201);
    expect(project.language).toBe("zh-CN");
    const files = await filesOf(a, project.id);
    const hello = await body(
      await send("GET", `/api/projects/${project.id}/files/${files.find((f) => f.path === "sessions/hello_world.yaml")!.id}`, a),
      200,
    );
    expect(hello.content).toContain("最近过得怎么样？");
  });

  it("rejects invalid bodies with field errors", async () => {
    const a = await person("author");
    for (const body of [
      {},
      { projectName: "" },
      { projectName: "x", template: "cbt-counseling" },
      { projectName: "x", author: "someone" },
      { projectName: "x", language: "fr" },
    ]) {
      const problem = await expectProblem(await send("POST", "/api/projects", a, body), 400, "VALIDATION_FAILED");
      expect((problem.errors as unknown[]).length).toBeGreaterThan(0);
    }
    const broken = await send("POST", "/api/projects", a, undefined, { "content-type": "application/json" });
    expect(broken.status).toBe(400);
  });
});

describe("GET /api/projects", () => {
  it("lists the caller's projects, newest change first, with file counts", async () => {
    const a = await person("author");
    const b = await person("author");
    const first = await newProject(a, { projectName: "First" });
    const second = await newProject(a, { projectName: "Second" });
    await newProject(b, { projectName: "Not mine" });
    await addFile(a, first.id, "sessions/more.yaml", sessionYaml("more", "More")); // first changed last

    const list = await body(await send("GET", "/api/projects", a), 200);
    expect(list.items.map((p: { projectName: string }) => p.projectName)).toEqual(["First", "Second"]);
    expect(list.items.map((p: { fileCount: number }) => p.fileCount)).toEqual([3, 2]);
    expect(list.nextCursor).toBeNull();
    expect(list.items.every((p: { ownerId: string }) => p.ownerId === a.id)).toBe(true);
    expect(second.id).toBe(list.items[1].id);
  });

  it("pages with an opaque cursor and rejects a forged one", async () => {
    const a = await person("author");
    for (const name of ["p1", "p2", "p3"]) await newProject(a, { projectName: name });
    const page1 = await body(await send("GET", "/api/projects?limit=2", a), 200);
    expect(page1.items.map((p: { projectName: string }) => p.projectName)).toEqual(["p3", "p2"]);
    expect(typeof page1.nextCursor).toBe("string");
    const page2 = await body(await send("GET", `/api/projects?limit=2&cursor=${encodeURIComponent(page1.nextCursor)}`, a), 200);
    expect(page2.items.map((p: { projectName: string }) => p.projectName)).toEqual(["p1"]);
    expect(page2.nextCursor).toBeNull();
    await expectProblem(await send("GET", "/api/projects?cursor=eyJub3QiOiJhIGN1cnNvciJ9", a), 400, "VALIDATION_FAILED");
    await expectProblem(await send("GET", "/api/projects?limit=0", a), 400, "VALIDATION_FAILED");
    await expectProblem(await send("GET", "/api/projects?limit=101", a), 400, "VALIDATION_FAILED");
  });

  it("searches names and descriptions with % and _ taken literally", async () => {
    const a = await person("author");
    await newProject(a, { projectName: "100% calm" });
    await newProject(a, { projectName: "1000 calm" });
    await newProject(a, { projectName: "snake_case" });
    await newProject(a, { projectName: "snakeXcase" });
    await newProject(a, { projectName: "Other", description: "about CALM breathing" });
    const names = async (q: string) =>
      (await body(await send("GET", `/api/projects?search=${encodeURIComponent(q)}`, a), 200)).items
        .map((p: { projectName: string }) => p.projectName)
        .sort();
    expect(await names("100%")).toEqual(["100% calm"]);
    expect(await names("e_c")).toEqual(["snake_case"]);
    expect(await names("calm")).toEqual(["100% calm", "1000 calm", "Other"]);
  });

  it("hides archived and deprecated projects unless a status asks for them", async () => {
    const a = await person("author");
    const live = await newProject(a, { projectName: "live" });
    const archived = await newProject(a, { projectName: "archived" });
    const deprecated = await newProject(a, { projectName: "deprecated" });
    await body(await send("DELETE", `/api/projects/${archived.id}`, a), 200);
    await body(await send("POST", `/api/projects/${deprecated.id}/deprecate`, a, { reason: "old" }), 200);
    const names = async (q = "") =>
      (await body(await send("GET", `/api/projects${q}`, a), 200)).items.map((p: { projectName: string }) => p.projectName).sort();
    expect(await names()).toEqual(["live"]);
    expect(await names("?status=archived")).toEqual(["archived"]);
    expect(await names("?status=all")).toEqual(["archived", "deprecated", "live"]);
    await expectProblem(await send("GET", "/api/projects?status=gone", a), 400, "VALIDATION_FAILED");
    expect(live.status).toBe("draft");
  });

  it("shows admins everyone's projects, optionally one owner's", async () => {
    const a = await person("author");
    const b = await person("author");
    const admin = await person("admin");
    const pa = await newProject(a);
    const pb = await newProject(b);
    const all = (await body(await send("GET", "/api/projects?limit=100", admin), 200)).items.map((p: { id: string }) => p.id);
    expect(all).toEqual(expect.arrayContaining([pa.id, pb.id]));
    const onlyB = (await body(await send("GET", `/api/projects?ownerId=${b.id}`, admin), 200)).items.map((p: { id: string }) => p.id);
    expect(onlyB).toEqual([pb.id]);
    // An author asking for someone else's projects still sees only their own (none of b's).
    expect((await body(await send("GET", `/api/projects?ownerId=${b.id}`, a), 200)).items).toEqual([]);
  });
});

describe("GET and PUT /api/projects/:id", () => {
  it("returns the project with its files and changes its metadata", async () => {
    const a = await person("author");
    const project = await newProject(a, { projectName: "Before" });
    const detail = await body(await send("GET", `/api/projects/${project.id}`, a), 200);
    expect(detail.files.map((f: { path: string; kind: string }) => `${f.kind}:${f.path}`)).toEqual([
      "globals:globals.yaml",
      "session:sessions/hello_world.yaml",
    ]);
    expect(detail.files[0]).not.toHaveProperty("content");
    expect(detail.statusHistory).toEqual([]);

    const updated = await body(await send("PUT", `/api/projects/${project.id}`, a, { projectName: "After", tags: ["a", "b"] }), 200);
    expect(updated).toMatchObject({ projectName: "After", tags: ["a", "b"], description: "" });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(project.updatedAt));
    await expectProblem(await send("PUT", `/api/projects/${project.id}`, a, {}), 400, "VALIDATION_FAILED");
    await expectProblem(await send("PUT", `/api/projects/${project.id}`, a, { ownerId: "me" }), 400, "VALIDATION_FAILED");
  });

  it("answers 400 for a malformed id and 404 for an unknown one", async () => {
    const a = await person("author");
    for (const path of ["/api/projects/not-a-uuid", "/api/projects/1%27%20OR%201=1", "/api/projects/00000000-0000-0000-0000-00000000000g"]) {
      await expectProblem(await send("GET", path, a), 400, "VALIDATION_FAILED");
    }
    await expectProblem(await send("GET", `/api/projects/${crypto.randomUUID()}`, a), 404, "NOT_FOUND");
    await expectProblem(await send("PUT", `/api/projects/${crypto.randomUUID()}`, a, { projectName: "x" }), 404, "NOT_FOUND");
  });
});

describe("archive, deprecate and restore", () => {
  it("keeps a status history and makes the project read-only meanwhile", async () => {
    const a = await person("author");
    const project = await newProject(a);
    const deprecated = await body(await send("POST", `/api/projects/${project.id}/deprecate`, a, { reason: "replaced by v2 project" }), 200);
    expect(deprecated.status).toBe("deprecated");
    await expectProblem(await send("PUT", `/api/projects/${project.id}`, a, { projectName: "x" }), 409, "PROJECT_READ_ONLY");
    await expectProblem(await send("POST", `/api/projects/${project.id}/files`, a, { path: "a.yaml", content: "x" }), 409, "PROJECT_READ_ONLY");
    await expectProblem(await send("POST", `/api/projects/${project.id}/deprecate`, a), 409, "STATUS_CONFLICT");

    const restored = await body(await send("POST", `/api/projects/${project.id}/restore`, a), 200);
    expect(restored.status).toBe("draft"); // never published
    await expectProblem(await send("POST", `/api/projects/${project.id}/restore`, a), 409, "STATUS_CONFLICT");

    const detail = await body(await send("GET", `/api/projects/${project.id}`, a), 200);
    expect(detail.statusHistory).toEqual([
      { action: "deprecate", at: expect.any(String), by: a.id, reason: "replaced by v2 project" },
      { action: "restore", at: expect.any(String), by: a.id, reason: "" },
    ]);
  });

  it("refuses a change that lost a race, and keeps it out of the status history", async () => {
    const a = await person("author");
    const project = await newProject(a);
    const user = { id: a.id, role: a.role };
    // The deprecation reads the project as a draft; before it writes, someone archives it.
    const racing = { ...env, DB: afterFirstRead(env.DB, async () => void (await body(await send("DELETE", `/api/projects/${project.id}`, a), 200))) };
    const lost = await changeStatus(racing, project.id, user, "deprecate", "too late").then(
      () => null,
      (err: unknown) => err,
    );
    expect(lost).toBeInstanceOf(DomainError);
    expect(lost).toMatchObject({ status: 409, code: "STATUS_CONFLICT" });

    const detail = await body(await send("GET", `/api/projects/${project.id}`, a), 200);
    expect(detail.status).toBe("archived");
    expect(detail.statusHistory.map((h: { action: string }) => h.action)).toEqual(["archive"]);
  });

  it("restores a published project to published and rewrites the published pointer each time", async () => {
    const a = await person("author");
    const project = await newProject(a);
    const v = await publishVersion(a, project.id, "1.0.0");
    const archived = await body(await send("DELETE", `/api/projects/${project.id}`, a), 200);
    expect(archived.status).toBe("archived");
    expect(await env.CACHE.get(`pub:${project.id}`, "json")).toEqual({ versionId: null, reason: "archived" });
    const restored = await body(await send("POST", `/api/projects/${project.id}/restore`, a, { reason: "needed again" }), 200);
    expect(restored).toMatchObject({ status: "published", currentVersionId: v.id });
    expect(await env.CACHE.get(`pub:${project.id}`, "json")).toEqual({ versionId: v.id, versionNumber: "1.0.0" });
    await expectProblem(await send("POST", `/api/projects/${project.id}/deprecate`, a, { reason: 5 }), 400, "VALIDATION_FAILED");
  });
});

describe("POST /api/projects/:id/copy", () => {
  it("copies every file with its path (templates included) into a new draft owned by the caller", async () => {
    const a = await person("author");
    const admin = await person("admin");
    const source = await newProject(a, { projectName: "Source", tags: ["t"] });
    await body(await send("POST", `/api/projects/${source.id}/template-schemes`, a, { name: "gentle", description: "soft" }), 201);
    await publishVersion(a, source.id, "1.0.0");

    const res = await send("POST", `/api/projects/${source.id}/copy`, admin);
    const copy = await body(res, 201);
    expect(res.headers.get("location")).toBe(`/api/projects/${copy.id}`);
    expect(copy).toMatchObject({ projectName: "Source (copy)", ownerId: admin.id, status: "draft", tags: ["t"], currentVersionId: null });
    const paths = (files: { path: string }[]) => files.map((f) => f.path);
    expect(paths(await filesOf(admin, copy.id))).toEqual(paths(await filesOf(a, source.id)));
    expect(paths(await filesOf(admin, copy.id))).toContain("templates/gentle/ai_say.md");
    const schemes = await body(await send("GET", `/api/projects/${copy.id}/template-schemes`, admin), 200);
    expect(schemes.items.find((s: { name: string }) => s.name === "gentle")).toMatchObject({ description: "soft" });
    expect((await body(await send("GET", `/api/projects/${copy.id}/versions`, admin), 200)).items).toEqual([]);

    const named = await body(await send("POST", `/api/projects/${source.id}/copy`, a, { projectName: "Named" }), 201);
    expect(named.projectName).toBe("Named");
  });
});

describe("GET /api/projects/:id/audit", () => {
  it("records who did what, newest first, without file contents", async () => {
    const a = await person("author");
    const project = await newProject(a);
    await addFile(a, project.id, "sessions/secret.yaml", sessionYaml("secret", "A very private sentence"));
    await publishVersion(a, project.id, "1.0.0");
    const audit = await body(await send("GET", `/api/projects/${project.id}/audit`, a), 200);
    expect(audit.items.map((e: { action: string; target: string | null }) => [e.action, e.target])).toEqual([
      ["version.publish", "1.0.0"],
      ["file.create", "sessions/secret.yaml"],
      ["project.create", null],
    ]);
    expect(audit.items.every((e: { actorId: string; actorRole: string }) => e.actorId === a.id && e.actorRole === "author")).toBe(true);
    expect(JSON.stringify(audit)).not.toContain("private sentence");
    const page = await body(await send("GET", `/api/projects/${project.id}/audit?limit=1`, a), 200);
    const next = await body(await send("GET", `/api/projects/${project.id}/audit?limit=1&cursor=${page.nextCursor}`, a), 200);
    expect(next.items[0].action).toBe("file.create");
  });
});

describe("create and copy are atomic", () => {
  async function count(sql: string, ...params: unknown[]): Promise<number> {
    return (
      (await env.DB.prepare(sql)
        .bind(...params)
        .first<number>("n")) ?? 0
    );
  }

  /** Everything `who` has written: projects owned, workspace files, audit rows; and every blob. */
  async function footprint(who: { id: string }) {
    return {
      projects: await count("SELECT count(*) AS n FROM projects WHERE owner_id = ?", who.id),
      files: await count("SELECT count(*) AS n FROM project_files WHERE updated_by = ?", who.id),
      audit: await count("SELECT count(*) AS n FROM audit_events WHERE actor_id = ?", who.id),
      blobs: await count("SELECT count(*) AS n FROM blobs"),
    };
  }

  /** Runs `act` with a trigger that aborts the statement it names; the trigger is gone afterwards. */
  async function withFailure(trigger: string, act: () => Promise<void>) {
    await env.DB.exec(`CREATE TRIGGER provoked_failure ${trigger} BEGIN SELECT RAISE(ABORT, 'provoked failure'); END;`);
    try {
      await act();
    } finally {
      await env.DB.exec("DROP TRIGGER provoked_failure;");
    }
  }

  it("a failure inside create (sample template) leaves no project, no files, no blobs, no audit row", async () => {
    const a = await person("author");
    const before = await footprint(a);
    expect(before).toMatchObject({ projects: 0, files: 0, audit: 0 });
    const fields = { projectName: "Atomic sample", language: "en", template: "sample" };

    // The project row is already inserted when the second sample file's insert fails.
    await withFailure(`BEFORE INSERT ON project_files WHEN NEW.updated_by = '${a.id}' AND NEW.path = 'sessions/intake_zh.yaml'`, async () => {
      await expectProblem(await send("POST", "/api/projects", a, fields), 500, "INTERNAL_ERROR");
    });
    expect(await footprint(a)).toEqual(before);
    expect(await count("SELECT count(*) AS n FROM projects WHERE project_name = ? AND owner_id = ?", "Atomic sample", a.id)).toBe(0);

    // Nothing is stuck: the same create works once the failure is gone.
    const project = await body(await send("POST", "/api/projects", a, fields), 201);
    expect((await filesOf(a, project.id)).map((f) => f.path)).toEqual([
      "globals.yaml",
      "sessions/intake_en.yaml",
      "sessions/intake_zh.yaml",
      "tests/intake_en.test.yaml",
      "tests/intake_en_model.test.yaml",
      "tests/intake_zh.test.yaml",
    ]);
  });

  it("a failure inside copy leaves no project, no files, no blobs, no audit row", async () => {
    const a = await person("author");
    const admin = await person("admin");
    const source = await newProject(a, { projectName: "Copy source" });
    await body(await send("POST", `/api/projects/${source.id}/template-schemes`, a, { name: "gentle", description: "soft" }), 201);
    await publishVersion(a, source.id, "1.0.0");
    const sourceFiles = (await filesOf(a, source.id)).length;
    const before = await footprint(admin);
    expect(before).toMatchObject({ projects: 0, files: 0, audit: 0 });

    // The audit row is the batch's last statement: the project and all its files are inserted by then.
    await withFailure(`BEFORE INSERT ON audit_events WHEN NEW.actor_id = '${admin.id}' AND NEW.action = 'project.copy'`, async () => {
      await expectProblem(await send("POST", `/api/projects/${source.id}/copy`, admin), 500, "INTERNAL_ERROR");
    });
    expect(await footprint(admin)).toEqual(before);
    expect(await count("SELECT count(*) AS n FROM projects WHERE project_name = ?", "Copy source (copy)")).toBe(0);
    expect((await filesOf(a, source.id)).length).toBe(sourceFiles); // the source is untouched

    const copy = await body(await send("POST", `/api/projects/${source.id}/copy`, admin), 201);
    expect((await filesOf(admin, copy.id)).length).toBe(sourceFiles);
  });
});
