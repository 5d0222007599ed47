import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { JsonValue, Position, SessionState, VariableMap } from "../../engine";
// Not the engine's index: that would build the engine's zod schemas before @hono/zod-openapi extends zod.
import { confirmationOutcomes, riskLevels, type GuardAction } from "../../engine/runtime/events";
import type { GuardKind } from "../../engine/safety/output-check";

/**
 * The D1 mirror of chat sessions. Each session's Durable Object is the source
 * of truth; it upserts these rows once per turn (idempotently: by session id,
 * by session id + seq, by session id + turn + index), so lists and dashboards
 * read D1 while a lost write is simply repeated.
 */

export const sessionStatuses = ["active", "paused", "completed", "archived"] as const;
export type SessionStatus = (typeof sessionStatuses)[number];

/** `error`: the last turn failed and may be retried; the state is the one before it. */
export const executionStatuses = ["waiting_input", "completed", "error"] as const;
export type ExecutionStatus = (typeof executionStatuses)[number];

/** `counselor`: a human counselor who took the session over (Counselors in the session). */
export const messageRoles = ["user", "assistant", "counselor"] as const;
export type MessageRole = (typeof messageRoles)[number];

const inList = (column: string, values: readonly string[]) => sql.raw(`${column} IN (${values.map((v) => `'${v}'`).join(", ")})`);

export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull(),
    projectId: text("project_id"),
    versionId: text("version_id"),
    versionNumber: text("version_number"),
    scriptPath: text("script_path"),
    /** `session_id` of the script. */
    scriptId: text("script_id").notNull(),
    /** Content address (SHA-256 of the YAML) of the pinned script. */
    scriptHash: text("script_hash").notNull(),
    /** Prompt-template overrides the session runs with: template name → content hash. */
    templates: text("templates", { mode: "json" }).$type<Record<string, string>>().notNull(),
    debug: integer("debug", { mode: "boolean" }).notNull(),
    status: text("status", { enum: sessionStatuses }).notNull(),
    executionStatus: text("execution_status", { enum: executionStatuses }).notNull(),
    position: text("position", { mode: "json" }).$type<Position>().notNull(),
    variables: text("variables", { mode: "json" }).$type<VariableMap>().notNull(),
    /** The engine state, so an actor whose storage was lost can rebuild itself. */
    state: text("state", { mode: "json" }).$type<SessionState>().notNull(),
    /** Highest message seq written so far. */
    lastSeq: integer("last_seq").notNull(),
    /** Number of the newest turn: a rebuilt actor numbers its turns on from here. */
    lastTurn: integer("last_turn").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
    lastActivityAt: integer("last_activity_at", { mode: "timestamp_ms" }).notNull(),
    completedAt: integer("completed_at", { mode: "timestamp_ms" }),
    /**
     * The highest risk any safety flag of the session carried: what counselors list flagged sessions by.
     * No CHECK: adding one to an existing SQLite table means rebuilding it, which would cascade to its messages.
     */
    riskLevel: text("risk_level", { enum: riskLevels }).notNull().default("none"),
    /** When the session first reached `risk_level`; null while it is `none`. */
    riskRaisedAt: integer("risk_raised_at", { mode: "timestamp_ms" }),
    /** The project's retention when the session started (days after its last activity); null: SESSION_RETENTION_DAYS. */
    retentionDays: integer("retention_days"),
  },
  (t) => [
    index("sessions_user_created_idx").on(t.userId, t.createdAt, t.id),
    index("sessions_script_hash_idx").on(t.scriptHash),
    index("sessions_risk_created_idx").on(t.riskLevel, t.createdAt, t.id),
    // The daily retention sweep walks sessions by their last activity.
    index("sessions_last_activity_idx").on(t.lastActivityAt),
    check("sessions_status_check", inList("status", sessionStatuses)),
    check("sessions_execution_status_check", inList("execution_status", executionStatuses)),
  ],
);

export const messages = sqliteTable(
  "messages",
  {
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    /** Position in the session's log, from 1, without gaps. */
    seq: integer("seq").notNull(),
    id: text("id").notNull(),
    role: text("role", { enum: messageRoles }).notNull(),
    content: text("content").notNull(),
    actionId: text("action_id"),
    clientMessageId: text("client_message_id"),
    metadata: text("metadata", { mode: "json" }).$type<Record<string, JsonValue>>(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.seq] }), check("messages_role_check", inList("role", messageRoles))],
);

/** Every variable write, in order: `turn` is the actor's turn number, `idx` the order within it. */
export const variableChanges = sqliteTable(
  "variable_changes",
  {
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    turn: integer("turn").notNull(),
    idx: integer("idx").notNull(),
    actionId: text("action_id"),
    name: text("name").notNull(),
    scope: text("scope").notNull(),
    value: text("value", { mode: "json" }).$type<JsonValue>().notNull(),
    previous: text("previous", { mode: "json" }).$type<JsonValue>(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.turn, t.idx] })],
);

/**
 * The safety records of sessions, without any content: one row per flag the engine raised and one per
 * referral (crisis resources shown), written by the actor with the turn (idempotently, by the id the actor
 * gave the record). Erasing a session unlinks its rows (session_id NULL) instead of deleting them, so the
 * yearly counts stay right and hold nothing that leads back to a person.
 */
const recordColumns = {
  /** Given by the actor when it logged the record: a repeated batch inserts nothing. */
  id: text("id").primaryKey(),
  sessionId: text("session_id").references(() => sessions.id, { onDelete: "set null" }),
  /** The actor's turn number. */
  turn: integer("turn").notNull(),
  /** The AI message the record went with, when there was one (a guard action's: the one that holds the safe line). */
  messageId: text("message_id"),
  actionId: text("action_id"),
  /** The script's language: the locale of the resources offered. */
  locale: text("locale").notNull(),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
};

const safetyColumns = { ...recordColumns, level: text("level", { enum: riskLevels }).notNull() };

export const safetySources = ["model", "input"] as const;

export const safetyFlags = sqliteTable("safety_flags", { ...safetyColumns, source: text("source", { enum: safetySources }).notNull() }, (t) => [
  index("safety_flags_created_idx").on(t.createdAt),
  index("safety_flags_session_idx").on(t.sessionId),
  check("safety_flags_level_check", inList("level", riskLevels)),
  check("safety_flags_source_check", inList("source", safetySources)),
]);

export const crisisReferrals = sqliteTable("crisis_referrals", safetyColumns, (t) => [
  index("crisis_referrals_created_idx").on(t.createdAt),
  index("crisis_referrals_session_idx").on(t.sessionId),
  check("crisis_referrals_level_check", inList("level", riskLevels)),
]);

export const guardSources = ["model", "local"] as const satisfies readonly GuardAction["source"][];
export const guardOutcomes = ["rewritten", "canned"] as const satisfies readonly GuardAction["action"][];

/**
 * The output guard's actions: one row per line the AI was about to show that crossed a safety boundary and
 * was replaced (by a checked rewrite or the canned line) before any client kept it. Written with the turn
 * like the safety records (the same columns, but no level), unlinked like them when the session is erased;
 * never any words.
 */
export const guardActions = sqliteTable(
  "guard_actions",
  {
    ...recordColumns,
    /** `model`: the model flagged its own line; `local`: only the local output check did. */
    source: text("source", { enum: guardSources }).notNull(),
    /** The boundaries crossed (diagnosis, prescription, …), as far as known. */
    kinds: text("kinds", { mode: "json" }).$type<GuardKind[]>().notNull(),
    action: text("action", { enum: guardOutcomes }).notNull(),
  },
  (t) => [
    index("guard_actions_created_idx").on(t.createdAt),
    index("guard_actions_session_idx").on(t.sessionId),
    check("guard_actions_source_check", inList("source", guardSources)),
    check("guard_actions_action_check", inList("action", guardOutcomes)),
  ],
);

/**
 * The crisis protocol's confirmations: one row per answer its question about safety read, with what it found
 * (`confirmed`, `denied`, `unclear`) and the crisis's level. Written with the turn like the safety records,
 * unlinked like them when the session is erased; never any words.
 */
export const crisisConfirmations = sqliteTable(
  "crisis_confirmations",
  { ...safetyColumns, outcome: text("outcome", { enum: confirmationOutcomes }).notNull() },
  (t) => [
    index("crisis_confirmations_created_idx").on(t.createdAt),
    index("crisis_confirmations_session_idx").on(t.sessionId),
    check("crisis_confirmations_level_check", inList("level", riskLevels)),
    check("crisis_confirmations_outcome_check", inList("outcome", confirmationOutcomes)),
  ],
);
