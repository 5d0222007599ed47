/**
 * `session.inputs`: the variables a client may set when it starts a session.
 * The loader checks them like outputs (types, unique names) and counts them
 * as defined from the start; readInputs decides what a caller may set.
 */
import { describe, expect, it } from "vitest";
import { load, readInputs, type InputField } from "../../../src/engine/script";
import { diagnose, locate, only, session } from "./helpers";

const withInputs = (inputs: string, actions = "- action_type: ai_say\n  action_id: hi\n  config: { content: 'Hello {client_name}' }") =>
  session(actions, `  inputs:\n${inputs.replace(/^/gm, "    ")}\n`);

describe("inputs in a script", () => {
  it("are part of the session, and count as defined for placeholders and conditions", () => {
    const yaml = withInputs(
      "- name: client_name\n  description: the name the client signed up with\n- name: mood_score\n  type: integer",
      "- action_type: ai_say\n  action_id: hi\n  condition: mood_score < 4\n  config: { content: 'Hello {client_name}' }",
    );
    const result = load(yaml);
    expect(result.diagnostics).toEqual([]);
    expect(result.script && "session" in result.script && result.script.session.inputs).toEqual([
      { name: "client_name", description: "the name the client signed up with" },
      { name: "mood_score", type: "integer" },
    ]);
  });

  it("carry their type into the condition type check", () => {
    const yaml = withInputs(
      "- name: mood_score\n  type: integer",
      "- action_type: ai_say\n  action_id: hi\n  condition: 'mood_score == \"3\"'\n  config: { content: hi }",
    );
    expect(only(diagnose(yaml), "CONDITION_TYPE_MISMATCH").message).toMatch(/`mood_score` is declared `type: integer`/);
  });

  it("a name declared twice is DUPLICATE_ID at the second", () => {
    const yaml = withInputs("- name: client_name\n- name: client_name");
    const d = only(diagnose(yaml), "DUPLICATE_ID");
    expect(d).toMatchObject({ path: "session.inputs[1].name", ...locate(yaml, "client_name", 2) });
    expect(d.message).toContain("`name: client_name`");
  });

  it("`type: enum` needs `values`, and an unknown field is an error", () => {
    expect(diagnose(withInputs("- name: level\n  type: enum")).map((d) => d.code)).toContain("INVALID_VALUE");
    expect(load(withInputs("- name: client_name\n  default: Sam")).script).toBeUndefined();
  });
});

describe("readInputs", () => {
  const declared: InputField[] = [
    { name: "client_name" },
    { name: "mood_score", type: "integer" },
    { name: "level", type: "enum", values: ["low", "high"] },
  ];
  const client = { anyName: false, alwaysSettable: ["time_zone"] };

  it("reads declared inputs as their types and keeps the always-settable ones", () => {
    expect(readInputs(declared, { client_name: "Sam", mood_score: "3", level: "HIGH", time_zone: "UTC" }, client)).toEqual({
      ok: true,
      variables: { client_name: "Sam", mood_score: 3, level: "high", time_zone: "UTC" },
    });
  });

  it("counts undeclared names without naming them, and names declared inputs of the wrong type", () => {
    expect(readInputs(declared, { safety_note: "x", other: 1, mood_score: "lots" }, client)).toEqual({
      ok: false,
      undeclared: 2,
      allowed: ["client_name", "mood_score", "level"],
      invalid: [{ name: "mood_score", type: "integer" }],
    });
    expect(readInputs(undefined, { referral: "self" }, client)).toMatchObject({ ok: false, undeclared: 1, allowed: [] });
  });

  it("lets authors set any name; declared ones are still read as their types", () => {
    expect(readInputs(declared, { safety_note: "x", mood_score: 2.0 }, { ...client, anyName: true })).toEqual({
      ok: true,
      variables: { safety_note: "x", mood_score: 2 },
    });
  });
});
