/**
 * The one table of error codes: each code's HTTP status and fixed title. Domain code
 * (authoring, store, session) throws `DomainError` with a code and never picks a status;
 * `src/http/problem.ts` turns it into problem+json from this table. The README's error
 * list and the OpenAPI `Problem.code` enum are checked against it.
 */
export const errorCodes = {
  BAD_REQUEST: { status: 400, title: "Bad request" },
  VALIDATION_FAILED: { status: 400, title: "The request is not valid" },
  UNAUTHENTICATED: { status: 401, title: "Authentication required" },
  INVALID_TOKEN: { status: 401, title: "The access token is not valid" },
  TOKEN_EXPIRED: { status: 401, title: "The access token has expired" },
  FORBIDDEN: { status: 403, title: "Not allowed for this role" },
  NOT_FOUND: { status: 404, title: "Not found" },
  METHOD_NOT_ALLOWED: { status: 405, title: "Method not allowed" },
  CONFLICT: { status: 409, title: "Conflict" },
  PAYLOAD_TOO_LARGE: { status: 413, title: "Request body too large" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Unsupported media type" },
  UPGRADE_REQUIRED: { status: 426, title: "Connect with a WebSocket" },
  // Protection at the edge (src/limits): the problem carries `retryAfter` (seconds), also sent as `Retry-After`.
  RATE_LIMITED: { status: 429, title: "Too many requests" },
  PROJECT_TOKEN_BUDGET_EXCEEDED: { status: 429, title: "The project has used today's token budget" },
  INTERNAL_ERROR: { status: 500, title: "Internal error" },
  // 503, not 500: the deployment lacks a setting, which is neither the caller's mistake nor a
  // bug; the same request (and a turn failed by it, stored as retryable) succeeds once an
  // operator fixes it, like any other "not available right now" answer.
  CONFIG_INVALID: { status: 503, title: "The service is misconfigured" },
  SERVICE_UNAVAILABLE: { status: 503, title: "Service unavailable" },
  // The token may be fine: the keys to check it with (JWKS_URL) could not be had, so it is not the caller's fault.
  IDENTITY_PROVIDER_UNAVAILABLE: { status: 503, title: "The identity provider's keys cannot be fetched" },
  // Authoring (projects, files, template schemes, versions)
  SCRIPT_REQUIRED: { status: 400, title: "Name the script to start" },
  PROJECT_READ_ONLY: { status: 409, title: "The project is read-only" },
  PROJECT_UNAVAILABLE: { status: 409, title: "The project starts no new sessions" },
  STATUS_CONFLICT: { status: 409, title: "The project cannot change to that status" },
  FILE_EXISTS: { status: 409, title: "A file already has that path" },
  FILE_LIMIT: { status: 409, title: "The project has too many files" },
  SCHEME_EXISTS: { status: 409, title: "The template scheme already exists" },
  SCHEME_READ_ONLY: { status: 409, title: "The default template scheme is read-only" },
  SCHEME_IN_USE: { status: 409, title: "Scripts use this template scheme" },
  VERSION_EXISTS: { status: 409, title: "The version number is taken" },
  VERSION_NOT_INCREASING: { status: 409, title: "The version number is not greater than the latest" },
  DRAFT_INVALID: { status: 422, title: "The draft has errors" },
  // The problem carries the test run's `report`; an admin may publish anyway with `force`.
  TESTS_FAILED: { status: 422, title: "The project's tests fail" },
  FORCE_NOT_ALLOWED: { status: 403, title: "Only an admin may publish past failing tests" },
  SCRIPT_INVALID: { status: 422, title: "The script has errors" },
  // Sessions
  SESSION_COMPLETED: { status: 409, title: "The session has ended" },
  SESSION_ARCHIVED: { status: 409, title: "The session is archived" },
  CLIENT_MESSAGE_ID_REUSED: { status: 409, title: "The clientMessageId was used for another message" },
  TURN_SUPERSEDED: { status: 409, title: "Later turns ran since this one failed" },
  // Retrying never helps: the session has used SESSION_TOKEN_BUDGET; a new session starts afresh.
  SESSION_TOKEN_BUDGET_EXCEEDED: { status: 409, title: "The session has used its token budget" },
  VARIABLE_NOT_SETTABLE: { status: 422, title: "The script does not let clients set that variable" },
  // Counselors in the session
  HANDOFF_HELD: { status: 409, title: "Another counselor holds this session" },
  HANDOFF_NOT_HELD: { status: 409, title: "Take the session over first" },
  // A failed turn carries the engine's step error code (src/engine/runtime/events.ts):
  // the model being slow or down is a dependency outage (503), a reply it got but could not
  // use is a bad gateway (502), a failure inside the engine is a bug (500).
  LLM_TIMEOUT: { status: 503, title: "The model did not answer in time" },
  LLM_UNAVAILABLE: { status: 503, title: "The model is unavailable" },
  ABORTED: { status: 503, title: "The turn was interrupted" },
  LLM_ERROR: { status: 502, title: "The model refused the request" },
  MODEL_REPLY_INVALID: { status: 502, title: "The model's reply was unusable" },
  CONDITION_ERROR: { status: 500, title: "A script condition could not be evaluated" },
  SCRIPT_MISMATCH: { status: 500, title: "The session's state does not match its script" },
  STATE_INVALID: { status: 500, title: "The session's state is not valid" },
  INTERNAL: { status: 500, title: "Internal error" },
} as const satisfies Record<string, { status: ErrorStatus; title: string }>;

/** The statuses a problem can have (hono's ContentfulStatusCode, narrowed to what the table uses). */
type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 426 | 429 | 500 | 502 | 503;

export type ErrorCode = keyof typeof errorCodes;

export const errorCodeList = Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]];

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(errorCodes, code);
}

/** Any code that is not in the table (a peer on an older or newer build) answers as an internal error. */
export function statusOf(code: string): ErrorStatus {
  return isErrorCode(code) ? errorCodes[code].status : 500;
}

/**
 * A failure the caller is told about: the code decides status and title, `detail` says what
 * went wrong this time (never counseling content or internal messages), `params` are extra
 * problem members a client can act on (`path`, `available`, `projectStatus`, …).
 */
export class DomainError extends Error {
  readonly status: ErrorStatus;

  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    readonly params: Record<string, unknown> = {},
  ) {
    super(detail ?? code);
    this.name = "DomainError";
    this.status = errorCodes[code].status;
  }
}
