import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { DomainError, errorCodeList, errorCodes, statusOf, type ErrorCode } from "../errors";

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
    code: z
      .enum(errorCodeList)
      .openapi({ example: "NOT_FOUND", description: "The stable code clients branch on; the README lists when each is used." }),
    requestId: z.string(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string(), code: z.string().optional() }))
      .optional()
      .openapi({ description: "Field-level problems of a rejected request body, query or path." }),
  })
  .catchall(z.unknown())
  .openapi("Problem");

export type Problem = z.infer<typeof ProblemSchema>;

export function problemType(code: string): string {
  return `urn:heartrule:problem:${code.toLowerCase().replace(/_/g, "-")}`;
}

/** A domain error that also needs response headers (an auth challenge, `Upgrade`): only `http/` and routes throw it. */
export class HttpProblem extends DomainError {
  constructor(
    code: ErrorCode,
    detail: string,
    readonly headers: Record<string, string>,
  ) {
    super(code, detail);
    this.name = "HttpProblem";
  }
}

export function problemBody(code: ErrorCode, requestId: string, detail?: string, params: Record<string, unknown> = {}): Problem {
  const { status, title } = errorCodes[code];
  return {
    type: problemType(code),
    title,
    status,
    ...(detail ? { detail } : {}),
    ...params,
    code,
    requestId,
  };
}

export function problemResponse(
  c: Context,
  code: ErrorCode,
  detail?: string,
  params: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  const requestId = (c.get("requestId") as string | undefined) ?? crypto.randomUUID();
  // A problem that says when to come back (rate limits, budgets) says it in the standard header too.
  if (typeof params.retryAfter === "number") headers = { ...headers, "Retry-After": String(params.retryAfter) };
  // Through the context, so headers other middleware already set (request id, CORS) are kept.
  return c.body(JSON.stringify(problemBody(code, requestId, detail, params)), statusOf(code), {
    ...headers,
    "X-Request-Id": requestId,
    "Content-Type": "application/problem+json; charset=utf-8",
  });
}

export function domainErrorResponse(c: Context, err: DomainError): Response {
  return problemResponse(c, err.code, err.detail, err.params, err instanceof HttpProblem ? err.headers : {});
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
    429: "Too many requests, or a token budget is used up: `Retry-After` says when to try again",
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
