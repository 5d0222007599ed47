import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * RFC 9457 problem details. `code` is the stable, machine-readable identifier
 * clients branch on; `title` is its fixed human summary; `detail` explains this
 * occurrence without ever carrying internal messages or counseling content.
 */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "urn:heartrule:problem:not-found" }),
    title: z.string().openapi({ example: "Not found" }),
    status: z.number().int().openapi({ example: 404 }),
    detail: z.string().optional(),
    instance: z.string().optional(),
    code: z.string().openapi({ example: "NOT_FOUND" }),
    requestId: z.string(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string(), code: z.string().optional() }))
      .optional()
      .openapi({ description: "Field-level problems of a rejected request body, query or path." }),
  })
  .catchall(z.unknown())
  .openapi("Problem");

export type Problem = z.infer<typeof ProblemSchema>;

/** Every code the API emits; titles are fixed per code. */
export const problemTitles = {
  BAD_REQUEST: "Bad request",
  VALIDATION_FAILED: "The request is not valid",
  UNAUTHENTICATED: "Authentication required",
  INVALID_TOKEN: "The access token is not valid",
  TOKEN_EXPIRED: "The access token has expired",
  FORBIDDEN: "Not allowed for this role",
  NOT_FOUND: "Not found",
  METHOD_NOT_ALLOWED: "Method not allowed",
  CONFLICT: "Conflict",
  PAYLOAD_TOO_LARGE: "Request body too large",
  UNSUPPORTED_MEDIA_TYPE: "Unsupported media type",
  INTERNAL_ERROR: "Internal error",
  CONFIG_INVALID: "The service is misconfigured",
  SERVICE_UNAVAILABLE: "Service unavailable",
  // Authoring (projects, files, template schemes, versions)
  PROJECT_READ_ONLY: "The project is read-only",
  PROJECT_UNAVAILABLE: "The project starts no new sessions",
  STATUS_CONFLICT: "The project cannot change to that status",
  FILE_EXISTS: "A file already has that path",
  FILE_LIMIT: "The project has too many files",
  SCHEME_EXISTS: "The template scheme already exists",
  SCHEME_READ_ONLY: "The default template scheme is read-only",
  SCHEME_IN_USE: "Scripts use this template scheme",
  VERSION_EXISTS: "The version number is taken",
  VERSION_NOT_INCREASING: "The version number is not greater than the latest",
  DRAFT_INVALID: "The draft has errors",
  SCRIPT_INVALID: "The script has errors",
  SCRIPT_REQUIRED: "Name the script to start",
  // Sessions
  SESSION_COMPLETED: "The session has ended",
  SESSION_ARCHIVED: "The session is archived",
  CLIENT_MESSAGE_ID_REUSED: "The clientMessageId was used for another message",
  TURN_SUPERSEDED: "Later turns ran since this one failed",
  UPGRADE_REQUIRED: "Connect with a WebSocket",
  // A failed turn carries the engine's step error code (src/engine/runtime/events.ts)
  LLM_TIMEOUT: "The model did not answer in time",
  LLM_UNAVAILABLE: "The model is unavailable",
  LLM_ERROR: "The model refused the request",
  MODEL_REPLY_INVALID: "The model's reply was unusable",
  CONDITION_ERROR: "A script condition could not be evaluated",
  SCRIPT_MISMATCH: "The session's state does not match its script",
  STATE_INVALID: "The session's state is not valid",
  ABORTED: "The turn was interrupted",
  INTERNAL: "Internal error",
} as const;

export type ProblemCode = keyof typeof problemTitles | (string & {});

export function problemType(code: string): string {
  return `urn:heartrule:problem:${code.toLowerCase().replace(/_/g, "-")}`;
}

/** Throw from anywhere in a request to answer with a problem+json response. */
export class ProblemError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ProblemCode,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? code);
    this.name = "ProblemError";
  }
}

export function problemBody(
  status: number,
  code: ProblemCode,
  requestId: string,
  detail?: string,
  extra: Record<string, unknown> = {},
): Problem {
  const title = (problemTitles as Record<string, string>)[code] ?? code.replace(/_/g, " ").toLowerCase();
  return {
    type: problemType(code),
    title,
    status,
    ...(detail ? { detail } : {}),
    ...extra,
    code,
    requestId,
  };
}

export function problemResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: ProblemCode,
  detail?: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  const requestId = (c.get("requestId") as string | undefined) ?? crypto.randomUUID();
  // Through the context, so headers other middleware already set (request id, CORS) are kept.
  return c.body(JSON.stringify(problemBody(status, code, requestId, detail, extra)), status, {
    ...headers,
    "X-Request-Id": requestId,
    "Content-Type": "application/problem+json; charset=utf-8",
  });
}

/** OpenAPI response entries for the problems a route can answer with. */
export function problemResponses(...statuses: number[]) {
  const descriptions: Record<number, string> = {
    400: "The request is malformed or fails validation",
    401: "Missing, malformed or expired access token",
    403: "The token's role may not do this",
    404: "No such resource (or it belongs to someone else)",
    409: "The resource is not in a state that allows this",
    413: "The request body is over the size limit",
    422: "The content has errors; the problem lists them",
    503: "A dependency is unavailable",
  };
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: descriptions[s] ?? "Problem",
        content: { "application/problem+json": { schema: ProblemSchema } },
      },
    ]),
  );
}
