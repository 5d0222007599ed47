/**
 * The conversation test format (tests/<name>.test.yaml): a session script, the
 * model to run it with, and cases of steps — a client line, then what must
 * follow. One zod schema gives the parser, the TypeScript types and the JSON
 * Schema editors check test files with.
 */
import { z } from "zod";
import { riskLevels, stepErrorCodes } from "../../engine";

/** Most cases in one file and steps in one case: far above a real test, low enough that a run stays quick in a Worker. */
export const MAX_CASES = 100;
export const MAX_STEPS = 200;
export const MAX_REPLIES = 500;

export const variableTypes = ["text", "number", "integer", "boolean", "list", "object"] as const;
export type VariableType = (typeof variableTypes)[number];

const OneOrMore = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const VariableCheckSchema = z
  .object({
    value: z.json().optional().describe("The value the variable must hold (compared as JSON)."),
    type: z.enum(variableTypes).optional().describe("The JSON type of the value: text, number, integer, boolean, list or object."),
    set: z.boolean().optional().describe("false: the variable must have no value yet."),
  })
  .strict()
  .refine((c) => c.value !== undefined || c.type !== undefined || c.set !== undefined, "name a value, a type or set: false");

/** A mapping is always a check, so a mistyped one is an error rather than a value nobody meant. */
const VariableExpectationSchema = z
  .union([VariableCheckSchema, z.string(), z.number(), z.boolean(), z.null(), z.array(z.json())])
  .describe("A value (compared as JSON), or { value?, type?, set? }. To expect a mapping as the value, write it under `value:`.");

const SafetyMatchSchema = z
  .object({
    source: z.enum(["input", "model"]).optional().describe("input: the local scan of the client's words; model: the model's own flag."),
    crisis: z.boolean().optional(),
    level: z.enum(riskLevels).optional(),
    risk_type: z.string().min(1).optional().describe("self_harm, third_party, or the model's risk type."),
  })
  .strict();

export const ExpectSchema = z
  .object({
    contains: OneOrMore.optional().describe("Text the AI's lines of this step contain (each, case-sensitive)."),
    not_contains: OneOrMore.optional().describe("Text none of the AI's lines of this step may contain."),
    matches: OneOrMore.optional().describe("RE2 regular expressions the AI's lines of this step match."),
    variables: z.record(z.string().min(1), VariableExpectationSchema).optional().describe("Variables after this step, by name."),
    position: z
      .object({ phase: z.string().min(1).optional(), topic: z.string().min(1).optional(), action: z.string().min(1).optional() })
      .strict()
      .optional()
      .describe("Where the script waits after this step (phase_id, topic_id, action_id)."),
    status: z.enum(["active", "completed", "error"]).optional().describe("active: waiting for the client; completed: the script ended."),
    error: z.enum(stepErrorCodes).optional().describe("The step fails with this code (implies status: error)."),
    safety: z
      .union([z.literal("none"), SafetyMatchSchema, z.array(SafetyMatchSchema).min(1)])
      .optional()
      .describe("none: no safety event in this step; else each match is met by one of the step's safety events."),
    crisis: z.boolean().optional().describe("true: the crisis protocol runs after this step; false: the script does."),
  })
  .strict();

export const StepSchema = z
  .object({
    start: z.literal(true).optional().describe("The session starts (only as the first step): what the AI says first."),
    client: z.string().optional().describe("What the client says."),
    expect: ExpectSchema.optional(),
  })
  .strict()
  .refine((s) => (s.start === true) !== (s.client !== undefined), "a step is either `start: true` or a `client:` line");

/** A scripted model's answer to one call: a mapping is sent as its JSON; a string is sent as written (fenced JSON, prose, plain text). */
export const ReplySchema = z.union([z.string(), z.record(z.string(), z.json())]);

export const CaseSchema = z
  .object({
    name: z.string().min(1),
    variables: z.record(z.string().min(1), z.json()).optional().describe("The session's initial variables."),
    replies: z.array(ReplySchema).max(MAX_REPLIES).optional().describe("model: scripted — what each model call answers, in order."),
    steps: z.array(StepSchema).min(1).max(MAX_STEPS),
  })
  .strict();

export const TestFileSchema = z
  .object({
    script: z.string().min(1).describe("The session script: its path in the project (the CLI also looks beside and above the test file)."),
    description: z.string().optional(),
    model: z
      .enum(["offline", "scripted"])
      .default("offline")
      .describe("offline (default): the deterministic offline model; scripted: each case's `replies`, in order."),
    cases: z.array(CaseSchema).min(1).max(MAX_CASES),
  })
  .strict();

export type TestFile = z.infer<typeof TestFileSchema>;
export type TestCase = z.infer<typeof CaseSchema>;
export type TestStep = z.infer<typeof StepSchema>;
export type Expect = z.infer<typeof ExpectSchema>;
export type SafetyMatch = z.infer<typeof SafetyMatchSchema>;
export type VariableCheck = z.infer<typeof VariableCheckSchema>;
export type Reply = z.infer<typeof ReplySchema>;

export const TEST_SCHEMA_ID = "urn:heartrule:schema:test";

let cached: Record<string, unknown> | undefined;

/** The test format as JSON Schema (draft 2020-12), for editors (`# yaml-language-server: $schema=<url>`). */
export function testJsonSchema(): Record<string, unknown> {
  cached ??= {
    ...z.toJSONSchema(TestFileSchema, { target: "draft-2020-12", io: "input" }),
    $id: TEST_SCHEMA_ID,
    title: "HeartRule conversation test",
    description: "Cases of client lines and what must follow, run against a session script (`heartrule test`, POST /api/projects/{id}/tests/run).",
  };
  return structuredClone(cached);
}
