import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DomainError } from "../../src/errors";
import { resolveSessionSource, type SessionSourceRequest } from "../../src/authoring/resolve";
import { body, expectProblem, person, type Person } from "../helpers";
import { addFile, brokenYaml, fileId, newProject, publishVersion, send, sessionYaml } from "./fixtures";

const user = (c: Person) => ({ id: c.id, role: c.role });

async function problemOf(req: SessionSourceRequest): Promise<DomainError> {
  try {
    await resolveSessionSource(env, req);
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error("expected a problem");
}

/** A project with globals and one session script (`main`) published as 1.0.0. */
async function published(who: Person, words: string) {
  const project = await newProject(who);
  await send("DELETE", `/api/projects/${project.id}/files/${await fileId(who, project.id, "sessions/hello_world.yaml")}`, who);
  await body(
    await send("PUT", `/api/projects/${project.id}/files/${await fileId(who, project.id, "globals.yaml")}`, who, {
      content: "variables:\n  - name: counselor_name\n    value: Lin\n  - name: clinic\n    value: {city: Oslo}\n",
    }),
    200,
  );
  await addFile(who, project.id, "sessions/main.yaml", sessionYaml("main", words));
  const version = await publishVersion(who, project.id, "1.0.0");
  return { project, version };
}

const say = (s: { script: { session: { phases: { topics: { actions: { config: object }[] }[] }[] } } }) =>
  (s.script.session.phases[0]!.topics[0]!.actions[0]!.config as { content?: string }).content;

describe("resolveSessionSource", () => {
  it("gives any signed-in user the published version, with globals as initial variables", async () => {
    const a = await person("author");
    const client = await person("client");
    const { project, version } = await published(a, "Words of 1.0.0");
    const source = await resolveSessionSource(env, { projectId: project.id, user: user(client) });
    expect(source).toMatchObject({
      projectId: project.id,
      versionId: version.id,
      versionNumber: "1.0.0",
      path: "sessions/main.yaml",
      yaml: sessionYaml("main", "Words of 1.0.0"),
      globals: { counselor_name: "Lin", clinic: { city: "Oslo" } },
      templateScheme: null,
      templates: {},
    });
    expect(say(source)).toBe("Words of 1.0.0");
    const file = await body(await send("GET", `/api/projects/${project.id}/versions/${version.id}`, a), 200);
    expect(source.contentHash).toBe(file.files.find((f: { path: string }) => f.path === "sessions/main.yaml").contentHash);
  });

  it("pins content: a new publish changes what new sessions get, not what was resolved, and old versions stay reachable for authors", async () => {
    const a = await person("author");
    const client = await person("client");
    const { project, version: v1 } = await published(a, "Old words");
    const before = await resolveSessionSource(env, { projectId: project.id, script: "main", user: user(client) });

    await body(
      await send("PUT", `/api/projects/${project.id}/files/${await fileId(a, project.id, "sessions/main.yaml")}`, a, {
        content: sessionYaml("main", "New words"),
      }),
      200,
    );
    // Unpublished edits reach nobody.
    expect(say(await resolveSessionSource(env, { projectId: project.id, user: user(client) }))).toBe("Old words");
    const v2 = await publishVersion(a, project.id, "1.1.0");

    const after = await resolveSessionSource(env, { projectId: project.id, user: user(client) });
    expect([after.versionNumber, say(after)]).toEqual(["1.1.0", "New words"]);
    expect([before.versionId, before.versionNumber, say(before)]).toEqual([v1.id, "1.0.0", "Old words"]);
    expect(after.contentHash).not.toBe(before.contentHash);

    const old = await resolveSessionSource(env, { projectId: project.id, version: "v1.0.0", user: user(a) });
    expect([old.versionId, say(old)]).toEqual([v1.id, "Old words"]);
    const admin = await person("admin");
    expect((await resolveSessionSource(env, { projectId: project.id, version: "1.0.0", user: user(admin) })).versionId).toBe(v1.id);
    // Clients (and other authors) may name only the current version.
    expect((await resolveSessionSource(env, { projectId: project.id, version: "1.1.0", user: user(client) })).versionId).toBe(v2.id);
    expect(await problemOf({ projectId: project.id, version: "1.0.0", user: user(client) })).toMatchObject({ status: 403, code: "FORBIDDEN" });
    const other = await person("author");
    expect(await problemOf({ projectId: project.id, version: "1.0.0", user: user(other) })).toMatchObject({ status: 403 });
    expect(await problemOf({ projectId: project.id, version: "9.9.9", user: user(a) })).toMatchObject({ status: 404, code: "NOT_FOUND" });
    expect(await problemOf({ projectId: project.id, version: "newest", user: user(a) })).toMatchObject({ status: 400, code: "VALIDATION_FAILED" });
  });

  it("gives the draft only to the owner author and admins, and only when it loads", async () => {
    const a = await person("author");
    const { project } = await published(a, "Published words");
    await body(
      await send("PUT", `/api/projects/${project.id}/files/${await fileId(a, project.id, "sessions/main.yaml")}`, a, {
        content: sessionYaml("main", "Draft words"),
      }),
      200,
    );

    const draft = await resolveSessionSource(env, { projectId: project.id, version: "draft", user: user(a) });
    expect(draft).toMatchObject({ versionId: null, versionNumber: null, globals: { counselor_name: "Lin" } });
    expect(say(draft)).toBe("Draft words");
    const admin = await person("admin");
    expect(say(await resolveSessionSource(env, { projectId: project.id, version: "draft", user: user(admin) }))).toBe("Draft words");
    for (const role of ["client", "author"] as const) {
      const stranger = await person(role);
      expect(await problemOf({ projectId: project.id, version: "draft", user: user(stranger) })).toMatchObject({ status: 404, code: "NOT_FOUND" });
    }

    await addFile(a, project.id, "sessions/broken.yaml", brokenYaml);
    const broken = await problemOf({ projectId: project.id, version: "draft", script: "sessions/broken.yaml", user: user(a) });
    expect(broken).toMatchObject({ status: 422, code: "SCRIPT_INVALID" });
    expect(broken.params.files).toEqual([
      { path: "sessions/broken.yaml", diagnostics: expect.arrayContaining([expect.objectContaining({ severity: "error" })]) },
    ]);
  });

  it("finds the script by path or session id and asks which one when there are several", async () => {
    const a = await person("author");
    const client = await person("client");
    const project = await newProject(a); // hello_world + the one below
    await addFile(a, project.id, "sessions/second.yaml", sessionYaml("second_one", "Second"));
    await publishVersion(a, project.id, "1.0.0");

    expect((await resolveSessionSource(env, { projectId: project.id, script: "second_one", user: user(client) })).path).toBe("sessions/second.yaml");
    expect(
      (await resolveSessionSource(env, { projectId: project.id, script: "sessions/hello_world.yaml", user: user(client) })).script.session.session_id,
    ).toBe("hello_world");
    const which = await problemOf({ projectId: project.id, user: user(client) });
    expect(which).toMatchObject({ status: 400, code: "SCRIPT_REQUIRED" });
    expect(which.params.available).toEqual([
      { path: "sessions/hello_world.yaml", sessionId: "hello_world" },
      { path: "sessions/second.yaml", sessionId: "second_one" },
    ]);
    expect(await problemOf({ projectId: project.id, script: "globals.yaml", user: user(client) })).toMatchObject({ status: 404 });
    expect(await problemOf({ projectId: project.id, script: "nope", user: user(client) })).toMatchObject({ status: 404 });
  });

  it("starts nothing from unknown, unpublished, archived or deprecated projects", async () => {
    const a = await person("author");
    const client = await person("client");
    expect(await problemOf({ projectId: crypto.randomUUID(), user: user(client) })).toMatchObject({ status: 404, code: "NOT_FOUND" });
    const draftOnly = await newProject(a);
    expect(await problemOf({ projectId: draftOnly.id, user: user(client) })).toMatchObject({ status: 404, code: "NOT_FOUND" });

    const { project } = await published(a, "Soon archived");
    await body(await send("DELETE", `/api/projects/${project.id}`, a), 200);
    expect(await problemOf({ projectId: project.id, user: user(client) })).toMatchObject({ status: 409, code: "PROJECT_UNAVAILABLE" });
    expect(await problemOf({ projectId: project.id, version: "1.0.0", user: user(a) })).toMatchObject({ status: 409 });
    expect(await problemOf({ projectId: project.id, version: "draft", user: user(a) })).toMatchObject({ status: 409 });
    await body(await send("POST", `/api/projects/${project.id}/restore`, a), 200);
    expect((await resolveSessionSource(env, { projectId: project.id, user: user(client) })).versionNumber).toBe("1.0.0");
    await body(await send("POST", `/api/projects/${project.id}/deprecate`, a, { reason: "retired" }), 200);
    expect(await problemOf({ projectId: project.id, user: user(client) })).toMatchObject({ status: 409, code: "PROJECT_UNAVAILABLE" });
  });

  it("overrides prompts with the script's template scheme, as published", async () => {
    const a = await person("author");
    const client = await person("client");
    const project = await newProject(a, { language: "en" });
    await body(await send("POST", `/api/projects/${project.id}/template-schemes`, a, { name: "gentle" }), 201);
    const custom = "GENTLE v1 {{topic_content}} as JSON with content, safety_risk, crisis_signal";
    await body(await send("PUT", `/api/projects/${project.id}/templates/gentle/ai_say`, a, { content: custom }), 200);
    await addFile(a, project.id, "sessions/styled.yaml", sessionYaml("styled", "Hello", { scheme: "gentle" }));
    await publishVersion(a, project.id, "1.0.0");
    await body(await send("PUT", `/api/projects/${project.id}/templates/gentle/ai_say`, a, { content: custom.replace("v1", "v2") }), 200);

    const source = await resolveSessionSource(env, { projectId: project.id, script: "styled", user: user(client) });
    expect(source.templateScheme).toBe("gentle");
    expect(source.templates.ai_say).toBe(custom); // the published text, not the later edit
    expect(Object.keys(source.templates).length).toBeGreaterThan(1);
    const draft = await resolveSessionSource(env, { projectId: project.id, script: "styled", version: "draft", user: user(a) });
    expect(draft.templates.ai_say).toContain("GENTLE v2");
    const plain = await resolveSessionSource(env, { projectId: project.id, script: "hello_world", user: user(client) });
    expect(plain).toMatchObject({ templateScheme: null, templates: {} });
  });

  it("reads the published pointer from KV, which publish and rollback rewrite", async () => {
    const a = await person("author");
    const client = await person("client");
    const { project, version: v1 } = await published(a, "One");
    await body(
      await send("PUT", `/api/projects/${project.id}/files/${await fileId(a, project.id, "sessions/main.yaml")}`, a, {
        content: sessionYaml("main", "Two"),
      }),
      200,
    );
    const v2 = await publishVersion(a, project.id, "2.0.0");

    // A location whose KV still holds the old pointer serves the old version until it expires or is rewritten.
    await env.CACHE.put(`pub:${project.id}`, JSON.stringify({ versionId: v1.id, versionNumber: "1.0.0" }));
    expect(say(await resolveSessionSource(env, { projectId: project.id, user: user(client) }))).toBe("One");
    // With no cached pointer the truth comes from D1 and is cached again.
    await env.CACHE.delete(`pub:${project.id}`);
    expect(say(await resolveSessionSource(env, { projectId: project.id, user: user(client) }))).toBe("Two");
    expect(await env.CACHE.get(`pub:${project.id}`, "json")).toEqual({ versionId: v2.id, versionNumber: "2.0.0" });

    const rolled = await body(await send("POST", `/api/projects/${project.id}/rollback`, a, { targetVersionId: v1.id }), 201);
    expect(await env.CACHE.get(`pub:${project.id}`, "json")).toEqual({ versionId: rolled.id, versionNumber: "2.0.1" });
    const source = await resolveSessionSource(env, { projectId: project.id, user: user(client) });
    expect([source.versionNumber, say(source)]).toEqual(["2.0.1", "One"]);

    // Compiled scripts are cached by content hash.
    const cached = await env.CACHE.get<{ loader: string; script: unknown }>(`script:${source.contentHash}`, "json");
    expect(cached?.script).toEqual(source.script);
  });
});

describe("GET /api/projects/published", () => {
  it("lists the session scripts of published projects to every role", async () => {
    const a = await person("author");
    const client = await person("client");
    const project = await newProject(a, { projectName: `zz published ${a.id}` });
    await addFile(a, project.id, "sessions/chinese.yaml", sessionYaml("chinese", "你好", { language: "zh-CN" }));
    await addFile(
      a,
      project.id,
      "techniques/t.yaml",
      "topic:\n  topic_id: t\n  actions:\n    - action_type: ai_say\n      action_id: a\n      config:\n        content: x\n",
    );
    const v = await publishVersion(a, project.id, "1.0.0");
    const hidden = await newProject(a, { projectName: `zz draft ${a.id}` });

    const all = await body(await send("GET", "/api/projects/published?limit=100", client), 200);
    const mine = all.items.filter((s: { projectId: string }) => s.projectId === project.id);
    expect(mine).toEqual([
      {
        projectId: project.id,
        projectName: project.projectName,
        versionId: v.id,
        versionNumber: "1.0.0",
        publishedAt: v.publishedAt,
        path: "sessions/chinese.yaml",
        sessionId: "chinese",
        sessionName: "chinese name",
        language: "zh-CN",
      },
      {
        projectId: project.id,
        projectName: project.projectName,
        versionId: v.id,
        versionNumber: "1.0.0",
        publishedAt: v.publishedAt,
        path: "sessions/hello_world.yaml",
        sessionId: "hello_world",
        sessionName: "Hello world",
        language: "en",
      },
    ]);
    expect(all.items.some((s: { projectId: string }) => s.projectId === hidden.id)).toBe(false);

    const zh = await body(await send("GET", "/api/projects/published?language=zh-CN&limit=100", client), 200);
    expect(zh.items.filter((s: { projectId: string }) => s.projectId === project.id).map((s: { path: string }) => s.path)).toEqual([
      "sessions/chinese.yaml",
    ]);

    const first = await body(await send("GET", "/api/projects/published?limit=1", client), 200);
    const second = await body(await send("GET", `/api/projects/published?limit=1&cursor=${first.nextCursor}`, client), 200);
    expect(second.items[0]).not.toEqual(first.items[0]);

    await body(await send("DELETE", `/api/projects/${project.id}`, a), 200);
    const after = await body(await send("GET", "/api/projects/published?limit=100", client), 200);
    expect(after.items.some((s: { projectId: string }) => s.projectId === project.id)).toBe(false);
    await expectProblem(await send("GET", "/api/projects/published", null), 401, "UNAUTHENTICATED");
  });
});
