/**
 * The modern language as JSON Schema (draft 2020-12), generated from the zod
 * schema, for editors: with the YAML language server, a script that starts
 * with `# yaml-language-server: $schema=<url>` is checked as it is typed.
 * Older field names are not in it on purpose: editors nudge to the modern form.
 */
import { z } from "zod";
import { SessionScriptSchema, TechniqueScriptSchema } from "./schema";

export const SCRIPT_SCHEMA_ID = "urn:heartrule:schema:script";

let cached: Record<string, unknown> | undefined;

export function scriptJsonSchema(): Record<string, unknown> {
  cached ??= {
    ...z.toJSONSchema(z.union([SessionScriptSchema, TechniqueScriptSchema]), { target: "draft-2020-12" }),
    $id: SCRIPT_SCHEMA_ID,
    title: "HeartRule script",
    description: "A HeartRule counseling script: a session (`session:`) or a technique (`topic:`), with optional free-form `metadata:`.",
  };
  return structuredClone(cached);
}
