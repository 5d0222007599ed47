/**
 * A project's crisis protocol (crisis/<language>.yaml): checked against the protocol contract on save,
 * a publish with a broken one is refused, and it is no script anyone starts.
 */
import { describe, expect, it } from "vitest";
import { body, expectProblem, person } from "../helpers";
import { addFile, newProject, projectCrisisYaml, publishVersion, send, sessionYaml } from "./fixtures";

/** A session script that loads but has no `current_risk` answer: not a crisis protocol. */
const noConfirm = sessionYaml("no_confirm", "Take care.");

describe("a project's crisis file", () => {
  it("is checked as a crisis protocol on save: the contract, and the language its path names", async () => {
    const a = await person("author");
    const project = await newProject(a);
    const good = await addFile(a, project.id, "crisis/en.yaml", projectCrisisYaml("Acme care line"));
    expect(good).toMatchObject({ kind: "session", valid: true });
    expect(good.diagnostics.filter((d: any) => d.severity === "error")).toEqual([]);

    const broken = await addFile(a, project.id, "crisis/zh-CN.yaml", noConfirm);
    expect(broken.valid).toBe(false);
    expect(broken.diagnostics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ severity: "error", code: "CRISIS_SCRIPT_INVALID", message: expect.stringContaining("current_risk") }),
      ]),
    );
    const file = await body(
      await send("PUT", `/api/projects/${project.id}/files/${broken.id}`, a, { content: projectCrisisYaml("Acme care line") }),
      200,
    );
    expect(file.diagnostics).toEqual([expect.objectContaining({ severity: "error", code: "CRISIS_LANGUAGE_MISMATCH" })]);

    await expectProblem(
      await send("POST", `/api/projects/${project.id}/files`, a, { path: "crisis/fr.yaml", content: noConfirm }),
      400,
      "VALIDATION_FAILED",
    );
  });

  it("blocks publishing while it is broken, and once fixed is published but not listed or started as a script", async () => {
    const a = await person("author");
    const project = await newProject(a, { projectName: `Crisis file of ${a.id}` });
    const file = await addFile(a, project.id, "crisis/en.yaml", noConfirm);
    const problem = await expectProblem(
      await send("POST", `/api/projects/${project.id}/publish`, a, { versionNumber: "1.0.0" }),
      422,
      "DRAFT_INVALID",
    );
    expect(problem.files).toEqual([
      { path: "crisis/en.yaml", diagnostics: [expect.objectContaining({ severity: "error", code: "CRISIS_SCRIPT_INVALID" })] },
    ]);
    // The draft's sessions would run it: starting one is refused like a broken script.
    const draft = await expectProblem(await send("POST", "/api/sessions", a, { projectId: project.id, version: "draft" }), 422, "SCRIPT_INVALID");
    expect(draft.files).toEqual([{ path: "crisis/en.yaml", diagnostics: [expect.objectContaining({ code: "CRISIS_SCRIPT_INVALID" })] }]);

    await body(await send("PUT", `/api/projects/${project.id}/files/${file.id}`, a, { content: projectCrisisYaml("Acme care line") }), 200);
    const version = await publishVersion(a, project.id, "1.0.0");
    const files = await body(await send("GET", `/api/projects/${project.id}/versions/${version.id}`, a), 200);
    expect(JSON.stringify(files)).toContain("crisis/en.yaml");

    const client = await person("client");
    const listed = await body(await send("GET", "/api/projects/published?limit=100", client), 200);
    const ours = listed.items.filter((s: any) => s.projectId === project.id);
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.map((s: any) => s.path)).not.toContain("crisis/en.yaml");
    // The project's one startable script is found without naming it: the crisis file is not a second one.
    const started = await body(await send("POST", "/api/sessions", client, { projectId: project.id }), 201);
    expect(started.sessionId).toEqual(expect.any(String));
    await expectProblem(await send("POST", "/api/sessions", client, { projectId: project.id, script: "crisis/en.yaml" }), 404, "NOT_FOUND");
  });
});
