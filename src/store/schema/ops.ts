import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { riskLevels } from "../../engine/runtime/events";

/**
 * What operators read: per-turn metrics, canary runs and alert incidents. None of it holds
 * counseling content — ids, counts, codes and durations only.
 */

/** How a turn reached the session: a REST or SSE request, a WebSocket frame, or the alarm re-running an interrupted turn. */
export const turnChannels = ["rest", "sse", "ws", "recovered"] as const;
export type TurnChannel = (typeof turnChannels)[number];

export const turnOutcomes = ["done", "failed"] as const;

/** What one turn attempt cost; kept with the turn and mirrored to D1 with it. */
export interface TurnMetrics {
  /** Given when the turn ends, so D1 inserts the row once however often the batch is sent. */
  id: string;
  requestId: string | null;
  channel: TurnChannel;
  status: (typeof turnOutcomes)[number];
  code: string | null;
  latencyMs: number;
  llmCalls: number;
  modelMs: number;
  inputTokens: number;
  outputTokens: number;
  model: string | null;
  riskLevel: (typeof riskLevels)[number];
  safetyFlags: number;
  referrals: number;
  guarded: number;
  endedAt: number;
  workerVersion: string | null;
}

/**
 * One row per turn attempt, mirrored to D1 with the turn's outbox entry (idempotently, by the id the actor gave it).
 * Erasing a session unlinks its rows (session_id NULL) like the safety records: the counts stay right.
 */
export const turnMetrics = sqliteTable(
  "turn_metrics",
  {
    id: text("id").primaryKey(),
    sessionId: text("session_id"),
    turn: integer("turn").notNull(),
    /** The request that carried the turn (REST, SSE); null for WebSocket frames and recovered turns. */
    requestId: text("request_id"),
    projectId: text("project_id"),
    /** The script version the session pinned (null: an inline script). */
    versionId: text("version_id"),
    scriptId: text("script_id").notNull(),
    /** The Worker version that ran the turn (CF_VERSION_METADATA), when bound. */
    workerVersion: text("worker_version"),
    channel: text("channel", { enum: turnChannels }).notNull(),
    status: text("status", { enum: turnOutcomes }).notNull(),
    code: text("code"),
    latencyMs: integer("latency_ms").notNull(),
    llmCalls: integer("llm_calls").notNull(),
    modelMs: integer("model_ms").notNull(),
    inputTokens: integer("input_tokens").notNull(),
    outputTokens: integer("output_tokens").notNull(),
    /** The model id (for the cost estimate); null when the turn never reached a model. */
    model: text("model"),
    /** The highest risk level the turn's safety flags carried. */
    riskLevel: text("risk_level", { enum: riskLevels }).notNull(),
    safetyFlags: integer("safety_flags").notNull(),
    referrals: integer("referrals").notNull(),
    guarded: integer("guarded").notNull(),
    endedAt: integer("ended_at", { mode: "timestamp_ms" }).notNull(),
    /** When the batch carrying the row was sent to D1 (first time): minus `ended_at`, how far the mirror lagged. */
    mirroredAt: integer("mirrored_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("turn_metrics_ended_idx").on(t.endedAt), index("turn_metrics_session_idx").on(t.sessionId)],
);

/** One row per canary run (the cron's sample session through the public API). */
export const canaryRuns = sqliteTable(
  "canary_runs",
  {
    id: text("id").primaryKey(),
    startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull(),
    ok: integer("ok", { mode: "boolean" }).notNull(),
    /** The whole run: start, every answer, erase. */
    latencyMs: integer("latency_ms").notNull(),
    turns: integer("turns").notNull(),
    /** Why it failed (a problem code, or CANARY_* for what the canary itself checks); null when ok. */
    code: text("code"),
    /** How long after its last answer the canary's session row showed that turn in D1; null if it never did. */
    mirrorLagMs: integer("mirror_lag_ms"),
  },
  (t) => [index("canary_runs_started_idx").on(t.startedAt)],
);

export const alertKinds = ["canary_failed", "error_rate", "p95_latency", "mirror_lag"] as const;
export type AlertKind = (typeof alertKinds)[number];

/** An incident: opened when a check crosses its threshold, resolved when it no longer does; notified once. */
export const alertIncidents = sqliteTable(
  "alert_incidents",
  {
    /** `<kind>:<opened at, ms>`: the HeartRule-Event-Id of its one webhook. */
    id: text("id").primaryKey(),
    kind: text("kind", { enum: alertKinds }).notNull(),
    openedAt: integer("opened_at", { mode: "timestamp_ms" }).notNull(),
    resolvedAt: integer("resolved_at", { mode: "timestamp_ms" }),
    /** Set once the webhook was accepted (2xx); until then each cron run tries again with the same event id. */
    notifiedAt: integer("notified_at", { mode: "timestamp_ms" }),
    /** The measured value that opened it, and the threshold it crossed. */
    value: real("value").notNull(),
    threshold: real("threshold").notNull(),
  },
  // One open incident per kind: two cron runs at once cannot both open one.
  (t) => [uniqueIndex("alert_incidents_open_idx").on(t.kind).where(sql`resolved_at IS NULL`)],
);
