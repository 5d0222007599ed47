import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_FILES_PER_PROJECT } from "../../src/authoring/limits";
import { body, expectProblem, person } from "../helpers";
import { addFile, brokenYaml, fileId, newProject, send, sessionYaml } from "./fixtures";

const techniqueYaml = [
  "topic:",
  "  topic_id: breathing",
  "  actions:",
  "    - action_type: ai_say",
  "      action_id: explain",
  "      config:",
  "        content: Let us breathe slowly together.",
  "",
].join("\n");

describe("POST /api/projects/:id/files", () => {
  it("saves a session script and answers with its kind, session id and diagnostics", async () => {
    const a = await person("author");
    const project = await newProject(a);
    const res = await send("POST", `/api/projects/${project.id}/files`, a, {
      path: "sessions/intake.yaml",
      content: sessionYaml("intake", "Welcome"),
    });
    const file = await body(res, 201);
    expect(res.headers.get("location")).toBe(`/api/projects/${project.id}/files/${file.id}`);
    expect(file).toMatchObject({
      path: "sessions/intake.yaml",
      fileName: "intake.yaml",
      kind: "session",
      sessionId: "intake",
      valid: true,
      updatedBy: a.id,
      size: new TextEncoder().encode(sessionYaml("intake", "Welcome")).byteLength,
    });
    expect(file.diagnostics.filter((d: { severity: string }) => d.severity === "error")).toEqual([]);
  });

  it("recognises technique scripts by their content", async () => {
    const a = await person("author");
    const project = await newProject(a);
    const file = await addFile(a, project.id, "techniques/breathing.yaml", techniqueYaml);
    expect(file).toMatchObject({ kind: "technique", sessionId: null, valid: true });
  });

  it("saves an invalid script with its errors (line, column, code) so the author can fix it", async () => {
    const a = await person("author");
    const project = await newProject(a);
    const file = await addFile(a, project.id, "sessions/broken.yaml", brokenYaml);
    expect(file.valid).toBe(false);
    expect(file.kind).toBe("session");
    const errors = file.diagnostics.filter((d: { severity: string }) => d.severity === "error");
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors)
      expect(e).toMatchObject({ code: expect.any(String), line: expect.any(Number), column: expect.any(Number), message: expect.any(String) });
    expect(errors.map((e: { code: string }) => e.code)).toContain("UNKNOWN_FIELD");
    const unknown = errors.find((e: { code: string }) => e.code === "UNKNOWN_FIELD");
    expect(unknown.line).toBe(4); // surprise_field

    // Diagnostics follow Accept-Language.
    const zh = await body(
      await send(
        "POST",
        `/api/projects/${project.id}/files`,
        a,
        { path: "sessions/broken_zh.yaml", content: brokenYaml },
        { "accept-language": "zh-CN,zh;q=0.9" },
      ),
      201,
    );
    expect(zh.diagnostics.map((d: { message: string }) => d.message).join(" ")).toMatch(/[\u4e00-\u9fff]/);
    // By rank, as POST /api/scripts/validate does: a low-ranked English tag first does not win.
    const ranked = await body(
      await send("GET", `/api/projects/${project.id}/files/${zh.id}`, a, undefined, { "accept-language": "en;q=0.1, zh-CN" }),
      200,
    );
    expect(ranked.diagnostics.map((d: { message: string }) => d.message).join(" ")).toMatch(/[\u4e00-\u9fff]/);
  });

  it("checks placeholders against the project's globals", async () => {
    const a = await person("author");
    const project = await newProject(a);
    const script = sessionYaml("greet", "Hello, I am {counselor_name}.");
    const before = await addFile(a, project.id, "sessions/greet.yaml", script);
    expect(before.diagnostics.map((d: { code: string }) => d.code)).toContain("UNDEFINED_VARIABLE");

    await body(
      await send("PUT", `/api/projects/${project.id}/files/${await fileId(a, project.id, "globals.yaml")}`, a, {
        content: "variables:\n  - name: counselor_name\n    value: Lin\n",
      }),
      200,
    );
    const after = await body(await send("GET", `/api/projects/${project.id}/files/${before.id}`, a), 200);
    expect(after.diagnostics.map((d: { code: string }) => d.code)).not.toContain("UNDEFINED_VARIABLE");
  });

  it("validates the globals file", async () => {
    const a = await person("author");
    const project = await newProject(a);
    const globalsId = await fileId(a, project.id, "globals.yaml");
    const put = async (content: string) => body(await send("PUT", `/api/projects/${project.id}/files/${globalsId}`, a, { content }), 200);

    const shape = await put("variables: 3\n");
    expect(shape).toMatchObject({ valid: false, kind: "globals" });
    expect(shape.diagnostics[0]).toMatchObject({ code: "GLOBALS_SHAPE", severity: "error", line: 1 });

    const syntax = await put("variables:\n  - name: [unclosed\n");
    expect(syntax.valid).toBe(false);
    expect(syntax.diagnostics[0].code).toBe("YAML_SYNTAX");

    const entries = await put("variables:\n  - name: a\n    value: 1\n  - value: 2\n  - name: b\n  - name: a\n    value: 3\n");
    expect(entries.diagnostics.map((d: { code: string; line: number }) => [d.code, d.line])).toEqual([
      ["GLOBALS_ENTRY", 4],
      ["GLOBALS_NO_VALUE", 5],
      ["GLOBALS_DUPLICATE", 6],
    ]);
    expect((await put("variables:\n  - name: a\n    value: {nested: true}\n")).valid).toBe(true);
    expect((await put("")).valid).toBe(true);
  });

  it("flags a script whose template scheme the project lacks", async () => {
    const a = await person("author");
    const project = await newProject(a);
    const file = await addFile(a, project.id, "sessions/styled.yaml", sessionYaml("styled", "Hi", { scheme: "gentle" }));
    expect(file.valid).toBe(false);
    expect(file.diagnostics).toContainEqual(expect.objectContaining({ code: "TEMPLATE_SCHEME_NOT_FOUND", path: "session.template_scheme", line: 5 }));
  });

  it("flags a template file the engine would never use", async () => {
    const a = await person("author");
    const project = await newProject(a);
    const file = await addFile(a, project.id, "templates/mine/ai_shout.md", "Shout {{topic_content}} as JSON");
    expect(file).toMatchObject({ kind: "template", valid: false });
    expect(file.diagnostics[0].code).toBe("UNKNOWN_TEMPLATE");
  });

  it("rejects paths outside the workspace rules with 400", async () => {
    const a = await person("author");
    const project = await newProject(a);
    for (const path of [
      "../up.yaml",
      "/abs.yaml",
      "sessions/.hidden.yaml",
      "notes.txt",
      "a//b.yaml",
      "sessions/./x.yaml",
      "templates/default/ai_say.md",
      "templates/ai_say.md",
      "templates/a/b/ai_say.md",
      "templates/bad name/ai_say.md",
      `${"x".repeat(201)}.yaml`,
    ]) {
      const problem = await expectProblem(
        await send("POST", `/api/projects/${project.id}/files`, a, { path, content: "x" }),
        400,
        "VALIDATION_FAILED",
      );
      expect(problem.errors).toContainEqual(expect.objectContaining({ path: "path" }));
    }
    await expectProblem(await send("POST", `/api/projects/${project.id}/files`, a, { path: "ok.yaml" }), 400, "VALIDATION_FAILED");
  });

  it("refuses a second file at the same path and oversized content", async () => {
    const a = await person("author");
    const project = await newProject(a);
    const taken = await expectProblem(
      await send("POST", `/api/projects/${project.id}/files`, a, { path: "globals.yaml", content: "variables: []" }),
      409,
      "FILE_EXISTS",
    );
    expect(taken.path).toBe("globals.yaml");
    await expectProblem(
      await send("POST", `/api/projects/${project.id}/files`, a, { path: "big.yaml", content: `# ${"x".repeat(128 * 1024)}` }),
      413,
      "PAYLOAD_TOO_LARGE",
    );
  });
});

describe("PUT, GET and DELETE /api/projects/:id/files/:fileId", () => {
  it("renames, rewrites and deletes a file", async () => {
    const a = await person("author");
    const project = await newProject(a);
    const file = await addFile(a, project.id, "draft.yaml", sessionYaml("first", "One"));

    const renamed = await body(await send("PUT", `/api/projects/${project.id}/files/${file.id}`, a, { path: "sessions/first.yaml" }), 200);
    expect(renamed).toMatchObject({ id: file.id, path: "sessions/first.yaml", contentHash: file.contentHash });

    const rewritten = await body(await send("PUT", `/api/projects/${project.id}/files/${file.id}`, a, { content: techniqueYaml }), 200);
    expect(rewritten).toMatchObject({ kind: "technique", sessionId: null });
    expect(rewritten.contentHash).not.toBe(file.contentHash);

    await expectProblem(await send("PUT", `/api/projects/${project.id}/files/${file.id}`, a, { path: "globals.yaml" }), 409, "FILE_EXISTS");
    await expectProblem(await send("PUT", `/api/projects/${project.id}/files/${file.id}`, a, {}), 400, "VALIDATION_FAILED");

    const del = await send("DELETE", `/api/projects/${project.id}/files/${file.id}`, a);
    expect(del.status).toBe(204);
    await expectProblem(await send("GET", `/api/projects/${project.id}/files/${file.id}`, a), 404, "NOT_FOUND");
    await expectProblem(await send("DELETE", `/api/projects/${project.id}/files/${file.id}`, a), 404, "NOT_FOUND");
  });

  it("does not reach a file through another project's id", async () => {
    const a = await person("author");
    const one = await newProject(a);
    const two = await newProject(a);
    const globalsOfTwo = await fileId(a, two.id, "globals.yaml");
    await expectProblem(await send("GET", `/api/projects/${one.id}/files/${globalsOfTwo}`, a), 404, "NOT_FOUND");
    await expectProblem(await send("PUT", `/api/projects/${one.id}/files/${globalsOfTwo}`, a, { content: "" }), 404, "NOT_FOUND");
    await expectProblem(await send("GET", `/api/projects/${one.id}/files/nope`, a), 400, "VALIDATION_FAILED");
  });
});

describe("GET /api/projects/:id/files", () => {
  it("lists by path without contents, filtered by kind and paged", async () => {
    const a = await person("author");
    const project = await newProject(a);
    await addFile(a, project.id, "techniques/breathing.yaml", techniqueYaml);
    const all = await body(await send("GET", `/api/projects/${project.id}/files?limit=2`, a), 200);
    expect(all.items.map((f: { path: string }) => f.path)).toEqual(["globals.yaml", "sessions/hello_world.yaml"]);
    expect(all.items[0]).not.toHaveProperty("content");
    const rest = await body(await send("GET", `/api/projects/${project.id}/files?limit=2&cursor=${all.nextCursor}`, a), 200);
    expect(rest).toEqual({ items: [expect.objectContaining({ path: "techniques/breathing.yaml" })], nextCursor: null });
    const techniques = await body(await send("GET", `/api/projects/${project.id}/files?kind=technique`, a), 200);
    expect(techniques.items.map((f: { kind: string }) => f.kind)).toEqual(["technique"]);
    await expectProblem(await send("GET", `/api/projects/${project.id}/files?kind=global`, a), 400, "VALIDATION_FAILED");
  });
});

describe("the file limit", () => {
  it("holds under concurrent writes: the database refuses the file past it", async () => {
    const a = await person("author");
    const project = await newProject(a);
    const { n } = (await env.DB.prepare("SELECT count(*) AS n FROM project_files WHERE project_id = ?").bind(project.id).first<{ n: number }>())!;
    // Fill the project to one below the limit directly: hundreds of API writes would only slow the test.
    const now = Date.now();
    const filler = env.DB.prepare(
      "INSERT INTO project_files (id, project_id, path, kind, content, content_hash, session_id, updated_by, created_at, updated_at) VALUES (?, ?, ?, 'template', 'x', 'h', NULL, ?, ?, ?)",
    );
    await env.DB.batch(
      Array.from({ length: MAX_FILES_PER_PROJECT - 1 - n }, (_, i) =>
        filler.bind(crypto.randomUUID(), project.id, `templates/filler/${i}.md`, a.id, now, now),
      ),
    );

    const writes = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        send("POST", `/api/projects/${project.id}/files`, a, { path: `sessions/last_${i}.yaml`, content: sessionYaml(`last_${i}`, "Hi") }),
      ),
    );
    expect(writes.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    for (const r of writes.filter((w) => w.status === 409)) await expectProblem(r, 409, "FILE_LIMIT");
    const after = await env.DB.prepare("SELECT count(*) AS n FROM project_files WHERE project_id = ?").bind(project.id).first<{ n: number }>();
    expect(after!.n).toBe(MAX_FILES_PER_PROJECT);
  });
});
