/**
 * The exported JSON Schema (draft 2020-12) is what editors check against:
 * it must accept every sample script and reject broken ones.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { load, scriptJsonSchema } from "../../../src/engine/script";
import { repoRoot, session, upstreamDir } from "./helpers";

const schema = scriptJsonSchema();
const validate = new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(schema);
const accepts = (yaml: string) => validate(parse(yaml)) || validate.errors;

describe("scriptJsonSchema", () => {
  it("is a draft 2020-12 schema with an id, a title and descriptions", () => {
    expect(schema).toMatchObject({ $schema: "https://json-schema.org/draft/2020-12/schema", $id: expect.any(String), title: "HeartRule script" });
    expect(JSON.stringify(schema)).toContain("Placeholders {name}, {{name}} and ${name}");
  });

  it.each(["intake_en.yaml", "intake_zh.yaml"])("accepts the sample %s", (name) => {
    expect(accepts(readFileSync(path.join(repoRoot, "scripts/sessions", name), "utf8"))).toBe(true);
  });

  it("accepts the one upstream script already in the modern form", () => {
    expect(accepts(readFileSync(path.join(upstreamDir, "story-2.1-verification-test.yaml"), "utf8"))).toBe(true);
  });

  it.each(["cbt_depression_assessment.yaml", "test_multi_output.yaml", "test_deprecated_fields.yaml", "new_session_template.yaml"])(
    "rejects the older spelling of %s but accepts what the loader turns it into",
    (file) => {
      const yaml = readFileSync(path.join(upstreamDir, file), "utf8");
      expect(accepts(yaml)).not.toBe(true);
      expect(validate(load(yaml).script)).toBe(true);
    },
  );

  const say = (config: string) => session(`- action_type: ai_say\n  action_id: a\n  config:\n${config.replace(/^/gm, "    ")}`);
  it.each([
    ["an unknown field", say("content: hi\nmax_round: 2"), "additionalProperties"],
    ["a missing content", say("tone: warm"), "required"],
    ["an older field name", say("content_template: hi"), "additionalProperties"],
    ["max_rounds over 10", say("content: hi\nmax_rounds: 15"), "maximum"],
    [
      "a use_skill action with the upstream input list",
      session("- action_type: use_skill\n  action_id: s\n  config: { skill: x, input: [ { get: y } ] }"),
      "type",
    ],
    ["a session_id with a hyphen", say("content: hi").replace("session_id: test", "session_id: a-b"), "pattern"],
    ["an empty phase list", "session:\n  session_id: s\n  phases: []\n", "minItems"],
  ])("rejects %s", (_, yaml, keyword) => {
    const result = accepts(yaml);
    expect(result).not.toBe(true);
    expect((result as { keyword: string }[]).map((e) => e.keyword)).toContain(keyword);
  });
});
