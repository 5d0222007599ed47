/**
 * The JSON each template asks for, as JSON Schema: sent as the response
 * format to providers that support structured output (others get JSON mode
 * or nothing and rely on the prompt), and the shape replies are read as.
 */
import type { JSONSchema7 } from "@ai-sdk/provider";
import type { OutputField } from "../script/schema";

const str: JSONSchema7 = { type: "string" };
const strOrNull: JSONSchema7 = { type: ["string", "null"] };
const flag: JSONSchema7 = { type: "string", enum: ["true", "false"] };

function object(properties: Record<string, JSONSchema7>): JSONSchema7 {
  return { type: "object", properties, required: Object.keys(properties), additionalProperties: false };
}

const safetyRisk = object({
  detected: { type: "boolean" },
  risk_type: { type: ["string", "null"], enum: ["diagnosis", "prescription", "guarantee", "inappropriate_advice", null] },
  confidence: { type: "string", enum: ["high", "medium", "low"] },
  reason: strOrNull,
});

const crisisOnly = object({ crisis_signal: { type: "boolean" } });
const toneAndCrisis = object({ emotional_tone: str, crisis_signal: { type: "boolean" } });

/**
 * Each output's value: text ones as `text`; typed ones (number, integer, boolean, enum) as their
 * JSON type, `nullable` where the reply may have none (ask: not heard yet; extract: not found).
 */
function outputs(fields: readonly OutputField[], text: JSONSchema7, nullable: boolean): Record<string, JSONSchema7> {
  return Object.fromEntries(fields.map((f) => [f.get, !f.type || f.type === "text" ? text : typed(f, nullable)]));
}

function typed(f: OutputField, nullable: boolean): JSONSchema7 {
  const type = f.type === "enum" ? "string" : (f.type as "number" | "integer" | "boolean");
  const schema: JSONSchema7 = { type: nullable ? [type, "null"] : type };
  if (f.values) schema.enum = nullable ? [...f.values, null] : f.values;
  return schema;
}

export const sayReplySchema: JSONSchema7 = object({
  EXIT: flag,
  content: str,
  BRIEF: str,
  safety_risk: safetyRisk,
  metadata: object({
    emotional_tone: str,
    crisis_signal: { type: "boolean" },
    assessment: object({
      understanding_level: { type: "number", minimum: 0, maximum: 100 },
      has_questions: { type: "boolean" },
      expressed_understanding: { type: "boolean" },
      reasoning: str,
    }),
  }),
});

export const paraphraseReplySchema: JSONSchema7 = object({ content: str, safety_risk: safetyRisk, metadata: toneAndCrisis });

export function askReplySchema(fields: readonly OutputField[]): JSONSchema7 {
  return object({ EXIT: flag, content: str, BRIEF: str, ...outputs(fields, str, true), safety_risk: safetyRisk, metadata: toneAndCrisis });
}

export function thinkReplySchema(fields: readonly OutputField[]): JSONSchema7 {
  return object({ ...outputs(fields, str, false), safety_risk: safetyRisk, metadata: crisisOnly });
}

export function extractReplySchema(fields: readonly OutputField[]): JSONSchema7 {
  return object({ ...outputs(fields, strOrNull, true), safety_risk: safetyRisk, metadata: crisisOnly });
}

/** How a typed output's description says its type (text says nothing): for models that get the prompt but no response schema. */
function typeNote(f: OutputField): string {
  if (f.type === "enum") return ` (one of: ${(f.values ?? []).join(" | ")})`;
  if (f.type === "boolean") return " (true/false)";
  return f.type === "number" || f.type === "integer" ? ` (${f.type})` : "";
}

/** The `{{output_list}}` lines: one `"name": "what it is",` per field, valid inside the template's JSON example. */
export function outputList(fields: readonly OutputField[], hint: (name: string) => string): string {
  return fields.map((f) => `  ${JSON.stringify(f.get)}: ${JSON.stringify((f.define?.trim() || hint(f.get)) + typeNote(f))},`).join("\n");
}
