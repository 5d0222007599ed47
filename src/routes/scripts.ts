/**
 * Script authoring helpers: validate a script as the loader sees it, and the
 * JSON Schema editors use to check scripts while they are typed.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { JSONValue } from "hono/utils/types";
import { diagnosticCodes, load, scriptJsonSchema } from "../engine/script";
import { bearerSecurity, publicSecurity, requireAuth } from "../http/auth";
import { limitPublicRoute } from "../limits/rate-limit";
import { problemResponses } from "../http/problem";
import { DomainError } from "../errors";
import { messageLanguage } from "../http/language";
import { createRouter } from "../http/router";
import { testJsonSchema } from "../authoring/testing/format";

/** Largest script the validate endpoint reads, in bytes of UTF-8 YAML. */
export const MAX_SCRIPT_BYTES = 256 * 1024;

const ValidateRequest = z
  .object({
    yaml: z.string().openapi({
      description: `The script as YAML text, at most ${MAX_SCRIPT_BYTES} bytes (256 KiB) in UTF-8.`,
      example:
        "session:\n  session_id: hello\n  phases:\n    - phase_id: p1\n      topics:\n        - topic_id: t1\n          actions:\n            - action_type: ai_say\n              action_id: hi\n              config:\n                content: Hello!\n",
    }),
    knownVariables: z
      .array(z.string().min(1).max(100))
      .max(1000)
      .optional()
      .openapi({ description: "Initial variables and project globals the script may use without an earlier action filling them." }),
  })
  .strict()
  .openapi("ScriptValidateRequest");

const DiagnosticSchema = z
  .object({
    severity: z.enum(["error", "warning"]),
    code: z.enum(Object.keys(diagnosticCodes) as [keyof typeof diagnosticCodes, ...(keyof typeof diagnosticCodes)[]]),
    path: z.string().openapi({ example: "session.phases[0].topics[1].actions[2].config.content" }),
    line: z.number().int().min(1),
    column: z.number().int().min(1),
    message: z.string(),
    suggestion: z.string(),
  })
  .openapi("ScriptDiagnostic");

const ValidateResponse = z
  .object({
    valid: z.boolean().openapi({ description: "True when no diagnostic is an error (warnings allowed)." }),
    kind: z.enum(["session", "technique"]).optional().openapi({ description: "Which kind of script this is, once recognised." }),
    diagnostics: z.array(DiagnosticSchema),
  })
  .openapi("ScriptValidateResponse");

const validate = createRoute({
  method: "post",
  operationId: "validateScript",
  path: "/api/scripts/validate",
  tags: ["scripts"],
  summary: "Check a script and explain every problem with its line and column",
  description:
    "Answers 200 whether or not the script is valid. Messages are in Simplified Chinese when the best match of `Accept-Language` is a `zh` tag, else in English. Scripts over 256 KiB get 413.",
  security: bearerSecurity,
  middleware: [requireAuth("author", "admin")] as const,
  request: {
    headers: z.object({ "accept-language": z.string().optional().openapi({ example: "zh-CN,zh;q=0.9,en;q=0.8" }) }),
    body: { required: true, content: { "application/json": { schema: ValidateRequest } } },
  },
  responses: {
    200: { description: "The diagnostics (none when the script is clean)", content: { "application/json": { schema: ValidateResponse } } },
    ...problemResponses(400, 401, 403, 413),
  },
});

const schemaResponse = {
  description: "The JSON Schema",
  content: { "application/schema+json": { schema: z.record(z.string(), z.unknown()).openapi({ type: "object" }) } },
};

const schemaDocument = createRoute({
  method: "get",
  operationId: "getScriptSchema",
  path: "/api/scripts/schema.json",
  tags: ["scripts"],
  summary: "JSON Schema (draft 2020-12) of the script language",
  description:
    "For editors: put `# yaml-language-server: $schema=<this URL>` at the top of a script. Public and cacheable. Older field names are not in it; the validate endpoint still accepts them with a warning.",
  security: publicSecurity,
  middleware: [limitPublicRoute] as const,
  responses: { ...problemResponses(429), 200: schemaResponse },
});

const testSchemaDocument = createRoute({
  method: "get",
  operationId: "getTestSchema",
  path: "/api/scripts/test-schema.json",
  tags: ["scripts"],
  summary: "JSON Schema (draft 2020-12) of conversation test files",
  description:
    "For editors: put `# yaml-language-server: $schema=<this URL>` at the top of a test file (tests/<name>.test.yaml). Public and cacheable.",
  security: publicSecurity,
  middleware: [limitPublicRoute] as const,
  responses: { ...problemResponses(429), 200: schemaResponse },
});

const schemaHeaders = {
  "Content-Type": "application/schema+json; charset=utf-8",
  "Cache-Control": "public, max-age=3600",
  // Browser-based editors on any origin may fetch it; it holds nothing private.
  "Access-Control-Allow-Origin": "*",
};

export const scriptRoutes = createRouter()
  .openapi(validate, (c) => {
    const { yaml, knownVariables } = c.req.valid("json");
    const bytes = new TextEncoder().encode(yaml).byteLength;
    if (bytes > MAX_SCRIPT_BYTES) {
      throw new DomainError("PAYLOAD_TOO_LARGE", `Scripts are limited to ${MAX_SCRIPT_BYTES} bytes (256 KiB); this one has ${bytes}.`, {
        limit: MAX_SCRIPT_BYTES,
      });
    }
    const lang = messageLanguage(c);
    const { kind, diagnostics } = load(yaml, { lang, knownVariables });
    const valid = !diagnostics.some((d) => d.severity === "error");
    c.header("Content-Language", lang);
    c.header("Vary", "Accept-Language", { append: true });
    return c.json({ valid, ...(kind ? { kind } : {}), diagnostics }, 200);
  })
  // A JSON Schema is plain JSON; its generated type just does not say so.
  .openapi(schemaDocument, (c) => c.json(scriptJsonSchema() as Record<string, JSONValue>, 200, schemaHeaders))
  .openapi(testSchemaDocument, (c) => c.json(testJsonSchema() as Record<string, JSONValue>, 200, schemaHeaders));
