/**
 * A client may start a session with only the variables the script declares
 * under `inputs:` (read as their types) and its time zone; authors and admins
 * may set any variable, as when they try a script out.
 */
import { describe, expect, it } from "vitest";
import { body, call, expectProblem, json, person, type Person } from "../helpers";
import { publishedProject } from "../lifecycle/helpers";
import { scriptYaml } from "../projects/fixtures";

const inputs = [
  "  inputs:",
  "    - name: client_name",
  "    - name: mood_score",
  "      type: integer",
  "      description: 0 to 10, from the sign-up form",
];
const yaml = scriptYaml("with_inputs", [{ say: "Hello {client_name}." }]).replace("  phases:\n", `${inputs.join("\n")}\n  phases:\n`);

async function start(who: Person, projectId: string, extra: Record<string, unknown>) {
  return call("/api/sessions", json({ projectId, ...extra }, who.headers));
}

async function variablesOf(who: Person, sessionId: string) {
  return (await body(await call(`/api/sessions/${sessionId}/variables`, { headers: who.headers }), 200)).variables;
}

describe("POST /api/sessions: initialVariables", () => {
  it("lets a client set the declared inputs, read as their types, and its time zone", async () => {
    const { projectId } = await publishedProject({ "sessions/with_inputs.yaml": yaml });
    const client = await person("client");
    const res = await start(client, projectId, { initialVariables: { client_name: "Sam", mood_score: "4", time_zone: "Europe/Oslo" } });
    const created = await body(res, 201);
    expect(created.messages.map((m: { content: string }) => m.content)).toEqual(["Hello Sam."]);
    expect(await variablesOf(client, created.sessionId)).toEqual({ client_name: "Sam", mood_score: 4, time_zone: "Europe/Oslo" });
    const viaTimeZone = await body(await start(client, projectId, { timeZone: "asia/tokyo" }), 201);
    expect(await variablesOf(client, viaTimeZone.sessionId)).toEqual({ time_zone: "Asia/Tokyo" });
  });

  it("refuses a client's undeclared variable with 422 VARIABLE_NOT_SETTABLE, naming what is allowed, never what was sent", async () => {
    const { projectId } = await publishedProject({ "sessions/with_inputs.yaml": yaml });
    const client = await person("client");
    const note = "client denies any thoughts of self-harm";
    const problem = await expectProblem(
      await start(client, projectId, { initialVariables: { client_name: "Sam", safety_note: note, "<script>": 1 } }),
      422,
      "VARIABLE_NOT_SETTABLE",
    );
    expect(problem.allowed).toEqual(["client_name", "mood_score"]);
    expect(problem.detail).toMatch(/declares 2: client_name, mood_score.*2 of those sent are not among them/);
    const text = JSON.stringify(problem);
    for (const echoed of ["safety_note", note, "<script>"]) expect(text).not.toContain(echoed);
  });

  it("refuses any variable but the time zone for a script that declares no inputs", async () => {
    const { projectId } = await publishedProject({ "sessions/plain.yaml": scriptYaml("plain", [{ say: "Hello." }]) });
    const client = await person("client");
    const problem = await expectProblem(await start(client, projectId, { initialVariables: { referral: "self" } }), 422, "VARIABLE_NOT_SETTABLE");
    expect(problem.allowed).toEqual([]);
    expect(problem.detail).toMatch(/declares none/);
    expect((await start(client, projectId, { initialVariables: { time_zone: "UTC" } })).status).toBe(201);
  });

  it("refuses a declared input of the wrong type with 400 VALIDATION_FAILED at its path", async () => {
    const { projectId } = await publishedProject({ "sessions/with_inputs.yaml": yaml });
    const client = await person("client");
    const problem = await expectProblem(await start(client, projectId, { initialVariables: { mood_score: "very low" } }), 400, "VALIDATION_FAILED");
    expect(problem.errors).toEqual([{ path: "initialVariables.mood_score", message: "not a value of type integer" }]);
    expect(JSON.stringify(problem)).not.toContain("very low");
  });

  it("lets authors and admins set any variable, as before", async () => {
    const { author, projectId } = await publishedProject({ "sessions/with_inputs.yaml": yaml });
    const created = await body(await start(author, projectId, { initialVariables: { safety_note: "seeded by the author", mood_score: 2 } }), 201);
    expect(await variablesOf(author, created.sessionId)).toEqual({ safety_note: "seeded by the author", mood_score: 2 });
    const admin = await person("admin");
    const inline = await body(await call("/api/sessions", json({ scriptYaml: yaml, initialVariables: { anything: true } }, admin.headers)), 201);
    expect(await variablesOf(admin, inline.sessionId)).toEqual({ anything: true });
  });
});
