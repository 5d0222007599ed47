/**
 * A project's technique files: a session script's use_skill names one (by technique_id or path), is checked
 * against it on save, runs it in a session of the published version (positions, messages, the D1 mirror show
 * it), and the version pins it: a later edit of the technique reaches no session of that version, and a
 * rebuild from D1 compiles the same script.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { rebuildFromMirror } from "../../src/session/load/rebuild";
import { SessionStorage } from "../../src/session/storage/tables";
import { body, person } from "../helpers";
import { d1Session, say } from "../session/helpers";
import { inFreshObject } from "../session/parts";
import { addFile, fileId, newProject, publishVersion, send } from "./fixtures";

const technique = (question: string) => `technique:
  technique_id: name_feeling
  language: en
  inputs: [{ name: situation }]
  outputs: [{ name: feeling }]
topic:
  topic_id: naming
  actions:
    - action_type: ai_ask
      action_id: ask_feeling
      config:
        content: ${JSON.stringify(question)}
        max_rounds: 1
        output: [{ get: feeling }, { get: scratch }]
`;

const sessionScript = (skill: string) => `session:
  session_id: uses_technique
  language: en
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - { action_type: ai_ask, action_id: ask_situation, config: { content: What happened?, max_rounds: 1, output: [{ get: situation }] } }
            - action_type: use_skill
              action_id: name_it
              config: { skill: ${skill}, input: { situation: "{situation}" }, output: { feeling: named_feeling } }
            - { action_type: ai_say, action_id: close, config: { content: "You named it: {named_feeling}.", max_rounds: 1 } }
`;

describe("a project's technique", () => {
  it("is checked against on save: an unknown skill is an error with the nearest technique", async () => {
    const a = await person("author");
    const project = await newProject(a);
    await addFile(a, project.id, "techniques/name_feeling.yaml", technique("How did {situation} feel?"));
    const file = await addFile(a, project.id, "sessions/uses.yaml", sessionScript("name_feelings"));
    expect(file.valid).toBe(false);
    expect(file.diagnostics.filter((d: any) => d.severity === "error")).toEqual([
      expect.objectContaining({ code: "UNKNOWN_SKILL", suggestion: "Did you mean `name_feeling`?", line: 12, column: 32 }),
    ]);
  });

  it("runs in a session of the published version, shows itself while it waits, and stays pinned", async () => {
    const a = await person("author");
    const project = await newProject(a, { projectName: `Techniques of ${a.id}` });
    await addFile(a, project.id, "techniques/name_feeling.yaml", technique("How did {situation} feel?"));
    const file = await addFile(a, project.id, "sessions/uses.yaml", sessionScript("techniques/name_feeling.yaml"));
    expect(file.diagnostics.filter((d: any) => d.severity === "error")).toEqual([]);
    await publishVersion(a, project.id, "1.0.0");
    // A later draft edit of the technique reaches no session of 1.0.0.
    const techniqueId = await fileId(a, project.id, "techniques/name_feeling.yaml");
    await body(await send("PUT", `/api/projects/${project.id}/files/${techniqueId}`, a, { content: technique("Edited {situation}?") }), 200);

    const client = await person("client");
    const started = await body(await send("POST", "/api/sessions", client, { projectId: project.id, script: "sessions/uses.yaml" }), 201);
    const id = started.sessionId as string;
    const inTechnique = await say(client, id, "my exam went badly");
    expect(inTechnique.messages).toEqual([
      expect.objectContaining({
        actionId: "ask_feeling",
        content: "How did my exam went badly feel?",
        metadata: expect.objectContaining({ technique: "name_feeling" }),
      }),
    ]);
    expect(inTechnique.position).toMatchObject({
      actionId: "name_it",
      actionType: "use_skill",
      technique: { techniqueId: "name_feeling", actionId: "ask_feeling", actionType: "ai_ask" },
    });
    const row = await d1Session(id);
    expect(JSON.parse(row!.position)).toMatchObject({ actionId: "name_it", technique: { techniqueId: "name_feeling" } });
    expect(Object.keys(JSON.parse(row!.templates))).toEqual(["technique:techniques/name_feeling.yaml"]);

    const after = await say(client, id, "anxious");
    expect(after.messages.map((m: any) => m.content)).toEqual(["You named it: anxious."]);
    expect(after.position.technique).toBeNull();
    const vars = await body(await send("GET", `/api/sessions/${id}/variables`, client), 200);
    expect(vars.variables).toEqual({ situation: "my exam went badly", named_feeling: "anxious" });

    // Rebuilt from D1 into empty storage, the session compiles the technique it started with.
    const rebuilt = await inFreshObject(async (state) => {
      const store = new SessionStorage(state.storage);
      const ok = await rebuildFromMirror(env, store, id);
      return { ok, script: store.readScript(store.readMeta()!.meta.scriptHash)!.script };
    });
    expect(rebuilt.ok).toBe(true);
    const pinned = rebuilt.script.techniques!["techniques/name_feeling.yaml"]!;
    expect(pinned.topic.actions[0]!.action_type === "ai_ask" && pinned.topic.actions[0]!.config.content).toBe("How did {situation} feel?");
  });
});
