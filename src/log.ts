/**
 * The one way the Worker and its objects write logs: one JSON line per event, with a fixed
 * set of fields. Requests and sessions carry counseling content (messages, variables,
 * prompts, model replies), so a line holds only metadata: ids, counts, codes, names of
 * settings and error classes. A field not in the list below is dropped, so a caller passing
 * a message text or a variable map by mistake cannot leak it.
 */
export const logLevels = ["info", "warn", "error"] as const;
export type LogLevel = (typeof logLevels)[number];

type Scalar = string | number | boolean | null | undefined;

export interface LogFields {
  level: LogLevel;
  /** A fixed description of the event ("session erased"), never built from user input. */
  msg: string;
  requestId?: string | undefined;
  sessionId?: string | undefined;
  userId?: string | undefined;
  projectId?: string | undefined;
  method?: string;
  /** The matched route pattern, never the raw URL (its query may hold what someone typed). */
  route?: string;
  /** HTTP status, or a session's status. */
  status?: number | string;
  durationMs?: number;
  /** A stable error or step code (LLM_TIMEOUT, NEWER_VERSION, …). */
  code?: string;
  /** An error's class name; its message may quote content, so it needs `message` below. */
  error?: string;
  /** Names of settings, never their values. */
  fields?: string[];
  check?: string;
  turn?: number;
  turns?: number;
  messages?: number;
  attempts?: number;
  version?: Scalar;
  events?: number;
  chars?: number;
  /** Lines the output guard replaced with a checked rewrite, or with its canned line. */
  rewritten?: number;
  canned?: number;
  /** Why a session was erased (request, user, retention). */
  reason?: string;
  /** Data lifecycle jobs: sessions looked at, erased by retention, messages re-sent to D1 by reconcile. */
  sessions?: number;
  expired?: number;
  repaired?: number;
  /** The Worker version that wrote the line (CF_VERSION_METADATA id). */
  workerVersion?: string | null | undefined;
  // A turn event (src/session/turns/turn-event.ts): ids, counts and durations of one turn, never its words.
  /** How the turn arrived: rest, sse, ws, or recovered (re-run by the alarm after an interruption). */
  channel?: string;
  scriptId?: string;
  /** The script version a session pinned (null: an inline script). */
  versionId?: string | null;
  llmCalls?: number;
  modelMs?: number;
  inputTokens?: number;
  outputTokens?: number;
  /** A model id ("deepseek-chat"), never a prompt. */
  model?: string | null;
  riskLevel?: string;
  safetyFlags?: number;
  referrals?: number;
  guarded?: number;
  /** A scheduled job's name (src/ops/cron.ts) and whether it succeeded. */
  job?: string;
  ok?: boolean;
  /** An unexpected error's message and stack: only local runs pass them (they may quote content). */
  message?: string;
  stack?: string | undefined;
}

const allowed = new Set<string>([
  "level",
  "msg",
  "requestId",
  "sessionId",
  "userId",
  "projectId",
  "method",
  "route",
  "status",
  "durationMs",
  "code",
  "error",
  "fields",
  "check",
  "turn",
  "turns",
  "messages",
  "attempts",
  "version",
  "events",
  "chars",
  "rewritten",
  "canned",
  "reason",
  "sessions",
  "expired",
  "repaired",
  "workerVersion",
  "channel",
  "scriptId",
  "versionId",
  "llmCalls",
  "modelMs",
  "inputTokens",
  "outputTokens",
  "model",
  "riskLevel",
  "safetyFlags",
  "referrals",
  "guarded",
  "job",
  "ok",
  "message",
  "stack",
] satisfies (keyof LogFields)[]);

/** The line `log` writes: allowed fields only, scalars or lists of strings. */
export function logLine(fields: LogFields): string {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (!allowed.has(key) || value === undefined) continue;
    const ok = typeof value !== "object" || value === null || (Array.isArray(value) && value.every((v) => typeof v === "string"));
    if (ok) kept[key] = value;
  }
  return JSON.stringify(kept);
}

export function log(fields: LogFields): void {
  console.log(logLine(fields));
}
