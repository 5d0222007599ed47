/**
 * The test format's JSON Schema is what editors check test files against:
 * it accepts the sample tests and rejects what the runner refuses, and
 * `heartrule schema --test` prints it.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { testJsonSchema } from "../../../src/authoring/testing/format";

const repoRoot = join(import.meta.dirname, "../../..");
const schema = testJsonSchema();
const validate = new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(schema);
const accepts = (yaml: string) => validate(parse(yaml)) || validate.errors;
const samples = readdirSync(join(repoRoot, "scripts/tests")).filter((f) => f.endsWith(".test.yaml"));

describe("testJsonSchema", () => {
  it("is a draft 2020-12 schema with an id and a title", () => {
    expect(schema).toMatchObject({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: "urn:heartrule:schema:test",
      title: "HeartRule conversation test",
    });
  });

  it.each(samples)("accepts the sample %s", (name) => {
    expect(accepts(readFileSync(join(repoRoot, "scripts/tests", name), "utf8"))).toBe(true);
  });

  it.each([
    ["an unknown expectation", "script: s.yaml\ncases:\n  - name: c\n    steps:\n      - client: hi\n        expect: { says: hi }\n"],
    ["no cases", "script: s.yaml\ncases: []\n"],
    ["an unknown model", "script: s.yaml\nmodel: gpt\ncases:\n  - name: c\n    steps: [{ client: hi }]\n"],
    [
      "a variable type that does not exist",
      "script: s.yaml\ncases:\n  - name: c\n    steps:\n      - client: hi\n        expect: { variables: { x: { type: date } } }\n",
    ],
  ])("rejects %s", (_, yaml) => {
    expect(accepts(yaml)).not.toBe(true);
  });

  it("is what `heartrule schema --test` prints", () => {
    const printed = execFileSync(process.execPath, [join(repoRoot, "bin/heartrule.mjs"), "schema", "--test"], { cwd: repoRoot, encoding: "utf8" });
    expect(JSON.parse(printed)).toEqual(schema);
  }, 60_000);
});
