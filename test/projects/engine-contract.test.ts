/**
 * What resolveSessionSource hands the session actor runs as it should in the
 * engine (offline model): the pinned version's words, the project's globals,
 * and the script's template scheme in the prompts. The HTTP session tests
 * (POST /api/sessions) come with the session actor.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { start, step, type EngineEvent } from "../../src/engine";
import { createOfflineModel } from "../../src/llm/offline";
import { resolveSessionSource, type SessionSource } from "../../src/authoring/resolve";
import { body, person } from "../helpers";
import { addFile, fileId, newProject, publishVersion, send, sessionYaml } from "./fixtures";

/** Runs the first step of a resolved source as the session actor would. */
async function firstStep(source: SessionSource) {
  const events: EngineEvent[] = [];
  const state = start(source.script, { globals: source.globals });
  const result = await step(source.script, state, null, {
    model: createOfflineModel(),
    templates: source.templates,
    debug: true,
    emit: (e) => events.push(e),
  });
  const prompts = events.flatMap((e) => (e.type === "llm" && e.trace.prompt !== undefined ? [e.trace.prompt] : []));
  return { said: result.messages.map((m) => m.content), prompts };
}

describe("resolved sources in the engine", () => {
  it("speak the words of the version they were resolved from, with the project's globals", async () => {
    const a = await person("author");
    const client = { id: "client-1", role: "client" as const };
    const project = await newProject(a, { language: "en" });
    await body(
      await send("PUT", `/api/projects/${project.id}/files/${await fileId(a, project.id, "globals.yaml")}`, a, {
        content: "variables:\n  - name: counselor_name\n    value: Lin\n",
      }),
      200,
    );
    await addFile(a, project.id, "sessions/main.yaml", sessionYaml("main", "Version one: I am {counselor_name}."));
    await publishVersion(a, project.id, "1.0.0");
    const sessionA = await resolveSessionSource(env, { projectId: project.id, script: "main", user: client });

    await body(
      await send("PUT", `/api/projects/${project.id}/files/${await fileId(a, project.id, "sessions/main.yaml")}`, a, {
        content: sessionYaml("main", "Version two: I am {counselor_name}."),
      }),
      200,
    );
    await publishVersion(a, project.id, "1.1.0");
    const sessionB = await resolveSessionSource(env, { projectId: project.id, script: "main", user: client });

    expect((await firstStep(sessionA)).said).toEqual(["Version one: I am Lin."]);
    expect((await firstStep(sessionB)).said).toEqual(["Version two: I am Lin."]);
  });

  it("prompt with the script's template scheme instead of the built-in template", async () => {
    const a = await person("author");
    const client = { id: "client-2", role: "client" as const };
    const project = await newProject(a, { language: "en" });
    await body(await send("POST", `/api/projects/${project.id}/template-schemes`, a, { name: "gentle" }), 201);
    const marker = "GENTLE-SCHEME-MARKER";
    const template = (await body(await send("GET", `/api/projects/${project.id}/templates/gentle/ai_say`, a), 200)).content as string;
    await body(await send("PUT", `/api/projects/${project.id}/templates/gentle/ai_say`, a, { content: `${marker}\n${template}` }), 200);
    await addFile(a, project.id, "sessions/styled.yaml", sessionYaml("styled", "Hello there.", { scheme: "gentle" }));
    await publishVersion(a, project.id, "1.0.0");

    const styled = await firstStep(await resolveSessionSource(env, { projectId: project.id, script: "styled", user: client }));
    expect(styled.said).toEqual(["Hello there."]);
    expect(styled.prompts.length).toBeGreaterThan(0);
    expect(styled.prompts[0]!.startsWith(marker)).toBe(true);

    const plain = await firstStep(await resolveSessionSource(env, { projectId: project.id, script: "hello_world", user: client }));
    expect(plain.prompts.some((p) => p.includes(marker))).toBe(false);
  });
});
