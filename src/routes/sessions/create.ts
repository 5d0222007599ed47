import { createRoute, z } from "@hono/zod-openapi";
import { currentUser } from "../../http/auth";
import { ProblemError, problemResponses } from "../../http/problem";
import { createRouter } from "../../http/router";
import { unwrap } from "../../session/result";
import { CreatedSessionSchema } from "../../session/schemas";
import { inlineSource } from "../../session/source";
import { MAX_SCRIPT_BYTES } from "../scripts";
import { common, jsonContent, sessionActor } from "./common";

/** Largest `initialVariables`, in bytes of JSON. */
export const MAX_INITIAL_VARIABLES_BYTES = 16 * 1024;

const CreateBody = z
  .object({
    scriptYaml: z.string().min(1).optional().openapi({ description: "Authors and admins: run this script text (at most 256 KiB) instead of a project's." }),
    initialVariables: z
      .record(z.string().min(1).max(100), z.json())
      .optional()
      .openapi({ description: "Session-scope variables the script starts with (e.g. the client's name)", example: { client_name: "Sam" } }),
    debug: z.boolean().default(false).openapi({ description: "Authors and admins: record prompts, raw model replies and the decision trace, shown only to authors and admins." }),
  })
  .strict()
  .openapi("CreateSession");

const create = createRoute({
  method: "post",
  path: "/api/sessions",
  ...common,
  summary: "Start a session",
  description:
    "Pins the script by content hash and runs its opening turn: the AI's first messages are in the answer. `scriptYaml` is for authors and admins. A script with errors is refused with 422 and its diagnostics.",
  request: { body: { required: true, content: { "application/json": { schema: CreateBody } } } },
  responses: {
    201: {
      ...jsonContent(CreatedSessionSchema, "The session, with the AI's opening messages"),
      headers: z.object({ Location: z.string().openapi({ example: "/api/sessions/6f1c2a8e-8c1b-4e8f-9d3a-2b7c5e9a1d40" }) }),
    },
    ...problemResponses(400, 401, 403, 413, 422, 502, 503),
  },
});

export const createRoutes = createRouter().openapi(create, async (c) => {
  const user = currentUser(c);
  const body = c.req.valid("json");
  const author = user.role === "author" || user.role === "admin";
  if (body.debug && !author) throw new ProblemError(403, "FORBIDDEN", "Only authors and admins can start debug sessions.");
  if (body.initialVariables && JSON.stringify(body.initialVariables).length > MAX_INITIAL_VARIABLES_BYTES) {
    throw new ProblemError(413, "PAYLOAD_TOO_LARGE", `initialVariables are limited to ${MAX_INITIAL_VARIABLES_BYTES} bytes of JSON.`);
  }
  if (!body.scriptYaml) throw new ProblemError(400, "VALIDATION_FAILED", "Send `scriptYaml`.", { errors: [{ path: "scriptYaml", message: "required" }] });
  if (!author) throw new ProblemError(403, "FORBIDDEN", "Only authors and admins can run a script given inline.");
  const bytes = new TextEncoder().encode(body.scriptYaml).byteLength;
  if (bytes > MAX_SCRIPT_BYTES) throw new ProblemError(413, "PAYLOAD_TOO_LARGE", `Scripts are limited to ${MAX_SCRIPT_BYTES} bytes (256 KiB); this one has ${bytes}.`);
  const source = await inlineSource(c.env, body.scriptYaml);
  const sessionId = crypto.randomUUID();
  const created = await unwrap(
    sessionActor(c.env, sessionId).create({ sessionId, user, source, initialVariables: body.initialVariables ?? {}, debug: body.debug }),
  );
  return c.json(created, 201, { Location: `/api/sessions/${sessionId}` });
});
