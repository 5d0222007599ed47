import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bundledTemplate, type EngineEvent, start, step, templateNames } from "../../src/engine";
import { resolveSessionSource } from "../../src/authoring/resolve";
import { createOfflineModel } from "../../src/llm/offline";
import { body, expectProblem, person, type Person } from "../helpers";
import { addFile, fileId, filesOf, newProject, publishVersion, scriptYaml, send, sessionYaml } from "./fixtures";

const base = (projectId: string) => `/api/projects/${projectId}`;

async function createScheme(who: Person, projectId: string, fields: Record<string, unknown>) {
  return body(await send("POST", `${base(projectId)}/template-schemes`, who, fields), 201);
}

describe("template schemes", () => {
  it("lists the read-only default scheme with every engine template", async () => {
    const a = await person("author");
    const project = await newProject(a);
    const list = await body(await send("GET", `${base(project.id)}/template-schemes`, a), 200);
    expect(list).toEqual({
      items: [{ name: "default", description: expect.any(String), isDefault: true, isReadonly: true, templates: [...templateNames] }],
      nextCursor: null,
    });
  });

  it("creates a scheme as a copy of the built-in templates in the project's language, or of another scheme", async () => {
    const a = await person("author");
    const project = await newProject(a, { language: "en" });
    const res = await send("POST", `${base(project.id)}/template-schemes`, a, { name: "gentle", description: "Softer wording" });
    const gentle = await body(res, 201);
    expect(res.headers.get("location")).toBe(`${base(project.id)}/template-schemes/gentle`);
    expect(gentle).toEqual({
      name: "gentle",
      description: "Softer wording",
      isDefault: false,
      isReadonly: false,
      templates: [...templateNames].sort(),
    });
    const say = await body(await send("GET", `${base(project.id)}/templates/gentle/ai_say`, a), 200);
    expect(say).toMatchObject({ path: "templates/gentle/ai_say.md", isDefault: false, content: bundledTemplate("ai_say", "en") });

    const zh = await createScheme(a, project.id, { name: "zh_copy", language: "zh-CN" });
    expect(zh.templates).toHaveLength(templateNames.length);
    expect((await body(await send("GET", `${base(project.id)}/templates/zh_copy/ai_ask.md`, a), 200)).content).toBe(
      bundledTemplate("ai_ask", "zh-CN"),
    );

    await body(
      await send("PUT", `${base(project.id)}/templates/gentle/ai_say`, a, {
        content: "Gentle {{topic_content}} as JSON with content, safety_risk, crisis_signal",
      }),
      200,
    );
    await createScheme(a, project.id, { name: "gentler", copyFrom: "gentle" });
    expect((await body(await send("GET", `${base(project.id)}/templates/gentler/ai_say`, a), 200)).content).toContain("Gentle {{topic_content}}");

    await expectProblem(await send("POST", `${base(project.id)}/template-schemes`, a, { name: "gentle" }), 409, "SCHEME_EXISTS");
    await expectProblem(await send("POST", `${base(project.id)}/template-schemes`, a, { name: "default" }), 409, "SCHEME_READ_ONLY");
    await expectProblem(await send("POST", `${base(project.id)}/template-schemes`, a, { name: "x", copyFrom: "missing" }), 404, "NOT_FOUND");
    await expectProblem(await send("POST", `${base(project.id)}/template-schemes`, a, { name: "no spaces" }), 400, "VALIDATION_FAILED");
  });

  it("renames a scheme by moving its files, and refuses while scripts use it", async () => {
    const a = await person("author");
    const project = await newProject(a);
    await createScheme(a, project.id, { name: "old_name", description: "kept" });
    const renamed = await body(await send("PATCH", `${base(project.id)}/template-schemes/old_name`, a, { name: "new-name" }), 200);
    expect(renamed).toMatchObject({ name: "new-name", description: "kept" });
    const paths = (await filesOf(a, project.id)).map((f) => f.path);
    expect(paths.filter((p) => p.startsWith("templates/"))).toEqual(templateNames.map((n) => `templates/new-name/${n}.md`).sort());
    await expectProblem(await send("GET", `${base(project.id)}/template-schemes/old_name`, a), 404, "NOT_FOUND");

    const described = await body(await send("PATCH", `${base(project.id)}/template-schemes/new-name`, a, { description: "now described" }), 200);
    expect(described.description).toBe("now described");

    await addFile(a, project.id, "sessions/uses.yaml", sessionYaml("uses", "Hi", { scheme: "new-name" }));
    const inUse = await expectProblem(
      await send("PATCH", `${base(project.id)}/template-schemes/new-name`, a, { name: "other" }),
      409,
      "SCHEME_IN_USE",
    );
    expect(inUse.scripts).toEqual(["sessions/uses.yaml"]);
    await expectProblem(await send("DELETE", `${base(project.id)}/template-schemes/new-name`, a), 409, "SCHEME_IN_USE");

    await expectProblem(await send("PATCH", `${base(project.id)}/template-schemes/default`, a, { description: "x" }), 409, "SCHEME_READ_ONLY");
    await expectProblem(await send("PATCH", `${base(project.id)}/template-schemes/missing`, a, { description: "x" }), 404, "NOT_FOUND");
  });

  it("deletes a scheme and its templates; published versions keep their copy", async () => {
    const a = await person("author");
    const project = await newProject(a);
    await createScheme(a, project.id, { name: "temp" });
    const v1 = await publishVersion(a, project.id, "1.0.0");
    const del = await send("DELETE", `${base(project.id)}/template-schemes/temp`, a);
    expect(del.status).toBe(204);
    expect((await filesOf(a, project.id)).some((f) => f.path.startsWith("templates/"))).toBe(false);
    const version = await body(await send("GET", `${base(project.id)}/versions/${v1.id}`, a), 200);
    expect(version.files.some((f: { path: string }) => f.path === "templates/temp/ai_say.md")).toBe(true);
    await expectProblem(await send("DELETE", `${base(project.id)}/template-schemes/default`, a), 409, "SCHEME_READ_ONLY");
    await expectProblem(await send("DELETE", `${base(project.id)}/template-schemes/temp`, a), 404, "NOT_FOUND");
  });
});

describe("templates", () => {
  it("serves a built-in template where a scheme has no file of that name", async () => {
    const a = await person("author");
    const project = await newProject(a, { language: "zh-CN" });
    await createScheme(a, project.id, { name: "partial" });
    await send("DELETE", `${base(project.id)}/files/${await fileId(a, project.id, "templates/partial/ai_ask.md")}`, a);
    const ask = await body(await send("GET", `${base(project.id)}/templates/partial/ai_ask`, a), 200);
    expect(ask).toMatchObject({ path: null, isDefault: true, isReadonly: false, content: bundledTemplate("ai_ask", "zh-CN") });
    const en = await body(await send("GET", `${base(project.id)}/templates/default/ai_say?language=en`, a), 200);
    expect(en).toMatchObject({ schemeName: "default", isDefault: true, isReadonly: true, content: bundledTemplate("ai_say", "en") });

    const written = await body(
      await send("PUT", `${base(project.id)}/templates/partial/ai_ask`, a, {
        content: "Ask {{task}} {{output_list}} in JSON with content, safety_risk, crisis_signal",
      }),
      200,
    );
    expect(written).toMatchObject({ path: "templates/partial/ai_ask.md", isDefault: false, valid: true });
    expect((await body(await send("GET", `${base(project.id)}/templates/partial/ai_ask`, a), 200)).content).toContain("Ask {{task}}");
  });

  it("returns the engine's template diagnostics and keeps the default scheme read-only", async () => {
    const a = await person("author");
    const project = await newProject(a);
    await createScheme(a, project.id, { name: "checked" });
    const empty = await body(await send("PUT", `${base(project.id)}/templates/checked/ai_say`, a, { content: "   " }), 200);
    expect(empty.valid).toBe(false);
    expect(empty.diagnostics[0]).toMatchObject({ severity: "error", code: "TEMPLATE_EMPTY" });
    const draft = await body(await send("GET", `${base(project.id)}/draft`, a), 200);
    expect(draft.publishable).toBe(false);

    await expectProblem(await send("PUT", `${base(project.id)}/templates/default/ai_say`, a, { content: "mine" }), 409, "SCHEME_READ_ONLY");
    await expectProblem(await send("GET", `${base(project.id)}/templates/checked/ai_shout`, a), 404, "NOT_FOUND");
    await expectProblem(await send("PUT", `${base(project.id)}/templates/checked/ai_shout`, a, { content: "x" }), 404, "NOT_FOUND");
    await expectProblem(await send("PUT", `${base(project.id)}/templates/nowhere/ai_say`, a, { content: "x" }), 404, "NOT_FOUND");
    await expectProblem(await send("GET", `${base(project.id)}/templates/checked/..%2Fsecret`, a), 400, "VALIDATION_FAILED");
  });
});

describe("upstream templates as overrides", () => {
  // The upstream's own spelling: {%…%} for engine values, {{chat}} for the conversation, no {{safety_rules}}.
  const upstreamAsk = `It is {%time%}. You are {{ai_role}}; ask {%user%} the next question.
Task: {{task}}
Conversation:
{{chat}}
Reply in JSON: {"content": "…", "EXIT": "false", {{output_list}} "safety_risk": {}, "metadata": {"crisis_signal": false}}`;

  it("are stored with warnings that say what is filled and that the safety section is missing", async () => {
    const a = await person("author");
    const project = await newProject(a);
    await createScheme(a, project.id, { name: "upstream" });
    const written = await body(await send("PUT", `${base(project.id)}/templates/upstream/ai_ask`, a, { content: upstreamAsk }), 200);
    expect(written.valid).toBe(true);
    const codes = (written.diagnostics as { code: string; message: string }[]).map((d) => d.code);
    expect(codes).toContain("TEMPLATE_NO_SAFETY_SECTION");
    const legacy = (written.diagnostics as { code: string; message: string }[]).filter((d) => d.code === "TEMPLATE_LEGACY_PLACEHOLDER");
    expect(legacy.map((d) => d.message).join("\n")).toMatch(/\{\{chat\}\}[\s\S]*chat_history/);
  });

  it("run with the history, the time and the safety rules filled in", async () => {
    const a = await person("author");
    const project = await newProject(a);
    await createScheme(a, project.id, { name: "upstream" });
    await body(await send("PUT", `${base(project.id)}/templates/upstream/ai_ask`, a, { content: upstreamAsk }), 200);
    await addFile(a, project.id, "sessions/asks.yaml", scriptYaml("asks", [{ ask: "How do you sleep?", into: "sleep" }], { scheme: "upstream" }));
    await publishVersion(a, project.id, "1.0.0");
    const source = await resolveSessionSource(env, { projectId: project.id, script: "asks", user: { id: "client-up", role: "client" } });

    const events: EngineEvent[] = [];
    const options = { model: createOfflineModel(), templates: source.templates, debug: true, emit: (e: EngineEvent) => events.push(e) };
    const first = await step(source.script, start(source.script), null, options);
    await step(source.script, first.state, "I wake up at four every night", options);
    const prompts = events.flatMap((e) => (e.type === "llm" && e.trace.purpose === "ai_ask" && e.trace.prompt ? [e.trace.prompt] : []));
    expect(prompts.length).toBeGreaterThanOrEqual(2);
    for (const prompt of prompts) {
      expect(prompt).not.toMatch(/\{%|\{\{/);
      expect(prompt).toMatch(/^## Safety boundaries[\s\S]*take precedence/);
    }
    expect(prompts.at(-1)).toContain("Client: I wake up at four every night");
  });
});
