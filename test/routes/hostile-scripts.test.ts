/**
 * Scripts built to make the loader slow or crash, through every door a script
 * comes in by: they answer with a diagnostic (never 500), and a project file
 * is saved with its errors like any other invalid file.
 */
import { describe, expect, it } from "vitest";
import { mergeBomb } from "../../bench/engine/hostile";
import { body, call, expectProblem, json, person, type Person } from "../helpers";
import { newProject, scriptYaml, send } from "../projects/fixtures";

/** A valid script whose second action has a condition of `terms` comparisons joined by `||`. */
function longCondition(terms: number): string {
  const condition = Array.from({ length: terms }, (_, i) => `answer == "${i}"`).join(" || ");
  return scriptYaml("hostile", [{ ask: "Anything?", into: "answer" }, { say: "Noted." }]).replace(
    "              action_id: line_2\n",
    `              action_id: line_2\n              condition: '${condition}'\n`,
  );
}

const hostile = [
  ["a 3,000-term condition", longCondition(3000), "INVALID_CONDITION", /more than 1000 parts/],
  ["a 400-level merge-key bomb", mergeBomb(400), "YAML_TOO_COMPLEX", /expands to more than \d+ values/],
] as const;

type Diagnostic = { code: string; severity: string; message: string };
const errors = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.severity === "error");

describe.each(hostile)("%s", (_name, yaml, code, message) => {
  it("is a diagnostic on POST /api/scripts/validate", async () => {
    const author = await person("author");
    const result = await body(await call("/api/scripts/validate", json({ yaml }, author.headers)), 200);
    expect(result.valid).toBe(false);
    expect(errors(result.diagnostics)).toEqual([expect.objectContaining({ code, message: expect.stringMatching(message) })]);
  });

  it("is 422 SCRIPT_INVALID with the diagnostic on POST /api/sessions {scriptYaml}", async () => {
    const author = await person("author");
    const problem = await expectProblem(await call("/api/sessions", json({ scriptYaml: yaml }, author.headers)), 422, "SCRIPT_INVALID");
    const [file] = problem.files as { diagnostics: Diagnostic[] }[];
    expect(errors(file!.diagnostics).map((d) => d.code)).toEqual([code]);
  });

  it("is saved as an invalid file on POST and PUT …/files, with the diagnostic", async () => {
    const author: Person = await person("author");
    const project = await newProject(author);
    const created = await body(
      await send("POST", `/api/projects/${project.id}/files`, author, { path: "sessions/hostile.yaml", content: yaml }),
      201,
    );
    expect(created).toMatchObject({ valid: false });
    expect(errors(created.diagnostics).map((d: Diagnostic) => d.code)).toEqual([code]);
    const stored = await body(await send("GET", `/api/projects/${project.id}/files/${created.id}`, author), 200);
    expect(stored.content).toBe(yaml);

    const fine = await body(
      await send("POST", `/api/projects/${project.id}/files`, author, { path: "sessions/fine.yaml", content: scriptYaml("fine", [{ say: "Hi." }]) }),
      201,
    );
    const updated = await body(await send("PUT", `/api/projects/${project.id}/files/${fine.id}`, author, { content: yaml }), 200);
    expect(updated).toMatchObject({ valid: false });
    expect(errors(updated.diagnostics).map((d: Diagnostic) => d.code)).toEqual([code]);
    expect((await body(await send("GET", `/api/projects/${project.id}/files/${fine.id}`, author), 200)).content).toBe(yaml);
  });
});
