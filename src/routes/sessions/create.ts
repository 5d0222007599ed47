import { createRoute, z } from "@hono/zod-openapi";
import { currentUser, requireAuth } from "../../http/auth";
import { problemResponses } from "../../http/problem";
import { DomainError } from "../../errors";
import { createRouter } from "../../http/router";
import { unwrap } from "../../session/result";
import { CreatedSessionSchema, JsonValueSchema } from "../../session/schemas";
import { inlineSource, projectSource } from "../../session/source";
import type { PinnedSource } from "../../session/requests";
import { getConfig, type Env } from "../../config";
import { MAX_SCRIPT_BYTES } from "../scripts";
import { common, sessionActor } from "./common";
import { newSessionId } from "../../session/placement";
import { jsonResponse } from "../../http/openapi";
import { canonicalTimeZone, TIME_ZONE_VARIABLE } from "../../engine";
import { readInputs } from "../../engine/script";
import { checkProjectBudget } from "../../limits/budget";
import { limitPerUser } from "../../limits/rate-limit";

const timeZoneMessage = "not an IANA time zone name (such as Asia/Shanghai or Europe/London)";

/** Largest `initialVariables`, in bytes of JSON. */
export const MAX_INITIAL_VARIABLES_BYTES = 16 * 1024;

const CreateBody = z
  .object({
    projectId: z.uuid().optional().openapi({ description: "Run a script of this project: its published version unless `version` says otherwise." }),
    script: z.string().min(1).max(300).optional().openapi({
      description: "The session script's path (`sessions/intake_en.yaml`) or `session_id`; optional when the version has one.",
      example: "sessions/intake_en.yaml",
    }),
    version: z.string().min(1).max(50).optional().openapi({
      description:
        "A version number (`1.0.0`), or `draft` for the workspace: other than the published version only for the project's authors and admins.",
      example: "1.0.0",
    }),
    scriptYaml: z
      .string()
      .min(1)
      .optional()
      .openapi({ description: "Authors and admins: run this script text (at most 256 KiB) instead of a project's." }),
    initialVariables: z
      .record(z.string().min(1).max(100), JsonValueSchema)
      .optional()
      .openapi({
        description: `Session-scope variables the script starts with (e.g. the client's name). Clients may set only those the script declares under \`inputs:\` (read as their types) and \`${TIME_ZONE_VARIABLE}\`; authors and admins may set any.`,
        example: { client_name: "Sam" },
      }),
    timeZone: z
      .string()
      .max(64)
      .refine((name) => canonicalTimeZone(name) !== undefined, timeZoneMessage)
      .optional()
      .openapi({
        description: `The client's IANA time zone: prompts tell the model the client's local time. Stored as the session variable \`${TIME_ZONE_VARIABLE}\` (which initialVariables may set instead); default: the script language's (zh-CN: Asia/Shanghai, en: UTC).`,
        example: "Asia/Shanghai",
      }),
    minor: z.boolean().default(false).openapi({
      description:
        'The client is a minor: every 3 hours of conversation the next AI turn opens with a reminder, in the script\'s language, that they are talking with an AI and may take a break (`metadata.reminder: "ai_disclosure"`). Kept with the session; it cannot change later.',
    }),
    debug: z
      .boolean()
      .default(false)
      .openapi({ description: "Authors and admins: record prompts, raw model replies and the decision trace, shown only to authors and admins." }),
  })
  .strict()
  .refine((b) => (b.projectId === undefined) !== (b.scriptYaml === undefined), {
    message: "send either `projectId` or `scriptYaml`",
    path: ["projectId"],
  })
  .refine((b) => b.scriptYaml === undefined || (b.script === undefined && b.version === undefined), {
    message: "`script` and `version` go with `projectId`",
    path: ["script"],
  })
  .refine(
    (b) => {
      const given = b.initialVariables?.[TIME_ZONE_VARIABLE];
      return given === undefined || (typeof given === "string" && canonicalTimeZone(given) !== undefined);
    },
    { message: timeZoneMessage, path: ["initialVariables", TIME_ZONE_VARIABLE] },
  )
  .openapi("CreateSession");

const create = createRoute({
  method: "post",
  operationId: "createSession",
  path: "/api/sessions",
  ...common,
  middleware: [requireAuth(), limitPerUser("sessionStarts")],
  summary: "Start a session",
  description:
    "From a project (`projectId`, optional `script` and `version`) or, for authors and admins, from inline `scriptYaml`. The script is pinned by content hash (later edits and publishes never change the session) and its opening turn runs at once: the AI's first messages are in the answer. A script with errors is refused with 422 and its diagnostics; an archived or deprecated project with 409.",
  request: { body: { required: true, content: { "application/json": { schema: CreateBody } } } },
  responses: {
    201: {
      ...jsonResponse(CreatedSessionSchema, "The session, with the AI's opening messages"),
      headers: z.object({ Location: z.string().openapi({ example: "/api/sessions/6f1c2a8e-8c1b-4e8f-9d3a-2b7c5e9a1d40" }) }),
    },
    ...problemResponses(400, 401, 403, 404, 409, 413, 422, 429, 502, 503),
  },
});

async function inline(env: Env, author: boolean, yaml: string) {
  if (!author) throw new DomainError("FORBIDDEN", "Only authors and admins can run a script given inline.");
  const bytes = new TextEncoder().encode(yaml).byteLength;
  if (bytes > MAX_SCRIPT_BYTES)
    throw new DomainError("PAYLOAD_TOO_LARGE", `Scripts are limited to ${MAX_SCRIPT_BYTES} bytes (256 KiB); this one has ${bytes}.`);
  return inlineSource(env, yaml);
}

/**
 * The initial variables a caller may set: a client only the script's `inputs` (read as their
 * types) and the time zone. Refusals name the declared inputs, never what the caller sent.
 */
function settable(script: PinnedSource["script"], given: Record<string, z.infer<typeof JsonValueSchema>>, author: boolean) {
  const checked = readInputs(script.session.inputs, given, { anyName: author, alwaysSettable: [TIME_ZONE_VARIABLE] });
  if (checked.ok) return checked.variables;
  if (checked.invalid.length > 0) {
    const errors = checked.invalid.map(({ name, type }) => ({ path: `initialVariables.${name}`, message: `not a value of type ${type}` }));
    throw new DomainError("VALIDATION_FAILED", "An initial variable is not of the type the script declares for it.", { errors });
  }
  const allowed = checked.allowed;
  const listed =
    allowed.length === 0 ? "declares none" : `declares ${allowed.length}: ${allowed.slice(0, 20).join(", ")}${allowed.length > 20 ? ", …" : ""}`;
  throw new DomainError(
    "VARIABLE_NOT_SETTABLE",
    `Clients may set only the variables the script declares under \`inputs:\` (it ${listed}), and ${TIME_ZONE_VARIABLE}; ${checked.undeclared} of those sent are not among them.`,
    { allowed },
  );
}

/** The initial variables with the client's time zone, by its canonical name (`asia/tokyo` → `Asia/Tokyo`); `timeZone` wins. */
function withTimeZone(body: z.infer<typeof CreateBody>): Record<string, z.infer<typeof JsonValueSchema>> {
  const variables = { ...body.initialVariables };
  const given = body.timeZone ?? variables[TIME_ZONE_VARIABLE];
  if (typeof given === "string") variables[TIME_ZONE_VARIABLE] = canonicalTimeZone(given)!;
  return variables;
}

export const createRoutes = createRouter().openapi(create, async (c) => {
  const user = currentUser(c);
  const body = c.req.valid("json");
  const author = user.role === "author" || user.role === "admin";
  if (body.debug && !author) throw new DomainError("FORBIDDEN", "Only authors and admins can start debug sessions.");
  if (body.initialVariables && JSON.stringify(body.initialVariables).length > MAX_INITIAL_VARIABLES_BYTES) {
    throw new DomainError("PAYLOAD_TOO_LARGE", `initialVariables are limited to ${MAX_INITIAL_VARIABLES_BYTES} bytes of JSON.`);
  }
  const source = body.projectId
    ? await projectSource(c.env, { projectId: body.projectId, script: body.script, version: body.version, user })
    : await inline(c.env, author, body.scriptYaml!);
  const sessionId = newSessionId(source.policy.jurisdiction);
  c.set("sessionId", sessionId);
  // The opening turn calls the model: a project that has used today's budget starts nothing.
  await checkProjectBudget(c.env, getConfig(c.env), { sessionId, userId: user.id, projectId: source.projectId });
  const created = await unwrap(
    sessionActor(c.env, sessionId, source.policy.locationHint).create({
      sessionId,
      user,
      requestId: c.get("requestId"),
      source,
      initialVariables: settable(source.script, withTimeZone(body), author),
      debug: body.debug,
      minor: body.minor,
    }),
  );
  return c.json(created, 201, { Location: `/api/sessions/${sessionId}` });
});
