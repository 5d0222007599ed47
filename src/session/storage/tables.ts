/**
 * The session actor's own SQLite storage: the durable log and the source of
 * truth for one session. Statements are constant strings (workerd caches
 * their compiled form); every write of a turn happens inside one
 * `transactionSync`, so a turn is stored entirely or not at all.
 *
 * Tables
 *   meta     one row: who owns the session, what it runs, its status, the engine state
 *   script   the pinned script (YAML, compiled JSON, template overrides), by content hash
 *   messages the log: seq (1, 2, …) → user and assistant messages
 *   turns    one row per turn: queued → running → done | failed, with the result
 *            a repeated clientMessageId is answered from
 *   outbox   what the D1 mirror still has to receive (variable changes, safety records; any row = flush due)
 *   safety_log  per turn: the safety flags raised, the referrals (crisis resources shown), the
 *            output guard's actions (lines replaced) and the crisis protocol's confirmations, no content
 *   debug    per turn: prompts, raw replies, the decision trace (debug sessions only)
 * Their layout is versioned: migrations.ts.
 */
import type { JsonValue, RiskLevel, SessionScript, SessionState } from "../../engine";
import type { ConfirmationOutcome, GuardAction } from "../../engine/runtime/events";
import type { TurnMetrics } from "../../store/schema/ops";
import type { ExecutionStatus, MessageRole, SessionStatus } from "../../store/schema/sessions";
import type { LoggedChange, SafetyView, TurnDebug } from "../schemas";
import type { Erasure, Meta } from "./meta";
import { migrate } from "./migrations";

export interface PinnedScript {
  hash: string;
  yaml: string;
  script: SessionScript;
  templates: Record<string, string>;
}

export interface StoredMessage {
  seq: number;
  id: string;
  role: MessageRole;
  content: string;
  actionId: string | null;
  clientMessageId: string | null;
  turnId: number;
  createdAt: number;
  metadata: Record<string, JsonValue> | null;
}

export type TurnStatus = "queued" | "running" | "done" | "failed";

/** What a finished turn answered, minus its messages (those are in the log, by seq range). */
export interface StoredResult {
  /** The AI's messages are the assistant rows with seq in [aiFrom, aiTo] (none when aiTo < aiFrom). */
  aiFrom: number;
  aiTo: number;
  status: ExecutionStatus;
  sessionStatus: SessionStatus;
  position: SessionState["position"];
  variables: SessionState["variables"];
  safety: SafetyView[];
  /** What the turn cost (no content): mirrored to D1's turn_metrics with the turn. */
  metrics?: TurnMetrics;
}

export interface StoredError {
  status: number;
  code: string;
  detail: string;
  retryable: boolean;
  metrics?: TurnMetrics;
}

export interface Turn {
  id: number;
  clientMessageId: string | null;
  /** The user's words while the turn is queued; null once they are in the log (or for the opening turn). */
  input: string | null;
  userSeq: number | null;
  status: TurnStatus;
  result: StoredResult | null;
  error: StoredError | null;
  createdAt: number;
}

interface RecordOf<K extends string> {
  /** Given when the turn commits, so D1 inserts a record once however often the batch is sent. */
  id: string;
  kind: K;
  turnId: number;
  messageId: string | null;
  actionId: string | null;
  /** The script's language. */
  locale: string;
  createdAt: number;
}

/**
 * A safety flag the engine raised (`flag`), crisis resources shown to the client (`referral`), a line the
 * output guard replaced before the client kept it (`guard`), or what the crisis protocol's question about
 * safety read in the client's answer (`confirmation`): what reviewers and the yearly report count.
 * Never any of the words that were said.
 */
export type SafetyRecord =
  | (RecordOf<"flag"> & { source: "model" | "input"; level: RiskLevel })
  | (RecordOf<"referral"> & { source: null; level: RiskLevel })
  | (RecordOf<"guard"> & GuardAction)
  | (RecordOf<"confirmation"> & { source: null; level: RiskLevel; outcome: ConfirmationOutcome });

export type GuardRecord = Extract<SafetyRecord, { kind: "guard" }>;

export interface OutboxEntry {
  id: number;
  turnId: number | null;
  changes: LoggedChange[];
  safety: SafetyRecord[];
  createdAt: number;
}

type Row = Record<string, SqlStorageValue>;

/** Booleans are stored as 0/1 and JSON as text; every other column is stored as it is. */
function decode<T>(row: Row | undefined, json: readonly string[] = [], booleans: readonly string[] = []): T | null {
  if (!row) return null;
  const out: Record<string, unknown> = { ...row };
  for (const k of json) out[k] = row[k] === null ? null : JSON.parse(row[k] as string);
  for (const k of booleans) out[k] = row[k] === 1;
  return out as T;
}

function encode(value: object): Record<string, SqlStorageValue> {
  const out: Record<string, SqlStorageValue> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = typeof v === "boolean" ? (v ? 1 : 0) : v !== null && typeof v === "object" ? JSON.stringify(v) : (v as SqlStorageValue);
  }
  return out;
}

const META_JSON = ["templateHashes", "state", "erasure"] as const;
const META_BOOLEANS = ["debug", "erasing"] as const;
const TURN_JSON = ["result", "error"] as const;

export class SessionStorage {
  private readonly sql: SqlStorage;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
  }

  /**
   * Tables are created with the session (or its rebuild), so an erased or never-used actor keeps no storage at all;
   * storage an older layout wrote is brought to the current one before anything reads it.
   */
  ensureSchema(): void {
    this.transaction(() => migrate(this.sql));
  }

  private hasSchema(): boolean {
    return this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").toArray().length > 0;
  }

  /** Everything, tables included, and the alarm. */
  async eraseAll(): Promise<void> {
    await this.storage.deleteAlarm();
    await this.storage.deleteAll();
  }

  transaction<T>(fn: () => T): T {
    return this.storage.transactionSync(fn);
  }

  private insert(table: string, value: object, verb = "INSERT", returning = ""): SqlStorageCursor<Row> {
    const row = encode(value);
    const columns = Object.keys(row);
    return this.sql.exec(
      `${verb} INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})${returning}`,
      ...Object.values(row),
    );
  }

  private update(table: string, value: object, where: string, ...params: SqlStorageValue[]): void {
    const row = encode(value);
    const columns = Object.keys(row);
    this.sql.exec(`UPDATE ${table} SET ${columns.map((c) => `${c} = ?`).join(", ")} WHERE ${where}`, ...Object.values(row), ...params);
  }

  private rows(query: string, ...params: SqlStorageValue[]): Row[] {
    return this.sql.exec(query, ...params).toArray();
  }

  // ── meta and state ────────────────────────────────────────────────────

  readMeta(): { meta: Meta; state: SessionState } | null {
    if (!this.hasSchema()) return null;
    this.ensureSchema();
    const row = decode<Meta & { id: number; state: SessionState }>(this.rows("SELECT * FROM meta WHERE id = 1")[0], META_JSON, META_BOOLEANS);
    if (!row) return null;
    const { id: _id, state, ...meta } = row;
    return { meta, state };
  }

  insertMeta(meta: Meta, state: SessionState): void {
    this.insert("meta", { id: 1, ...meta, state });
  }

  /** After a turn: the new state and what follows from it. */
  writeState(m: Meta, state: SessionState): void {
    this.update("meta", { ...statusOf(m), state }, "id = 1");
  }

  /** Status and timestamps only (the state is unchanged). */
  writeStatus(m: Meta): void {
    this.update("meta", statusOf(m), "id = 1");
  }

  writeMirror(m: Meta): void {
    this.update("meta", { mirroredSeq: m.mirroredSeq, mirrorAttempts: m.mirrorAttempts, mirrorRetryAt: m.mirrorRetryAt }, "id = 1");
  }

  markErasing(erasure: Erasure): void {
    this.sql.exec("UPDATE meta SET erasing = 1, erasure = ? WHERE id = 1", JSON.stringify(erasure));
    this.sql.exec("DELETE FROM outbox");
  }

  // ── script ────────────────────────────────────────────────────────────

  insertScript(s: PinnedScript): void {
    this.insert("script", s, "INSERT OR IGNORE");
  }

  readScript(hash: string): PinnedScript | null {
    return decode<PinnedScript>(this.rows("SELECT * FROM script WHERE hash = ?", hash)[0], ["script", "templates"]);
  }

  // ── messages ──────────────────────────────────────────────────────────

  lastSeq(): number {
    return this.sql.exec<{ s: number }>("SELECT coalesce(max(seq), 0) AS s FROM messages").one().s;
  }

  appendMessage(m: StoredMessage): void {
    this.insert("messages", m);
  }

  /** Messages with `after < seq <= upTo`, oldest first, at most `limit`. */
  messages(after: number, upTo = Number.MAX_SAFE_INTEGER, limit = -1): StoredMessage[] {
    return this.rows("SELECT * FROM messages WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?", after, upTo, limit).map(
      (r) => decode<StoredMessage>(r, ["metadata"])!,
    );
  }

  message(seq: number): StoredMessage | null {
    return this.messages(seq - 1, seq)[0] ?? null;
  }

  // ── turns ─────────────────────────────────────────────────────────────

  insertTurn(t: Omit<Turn, "id" | "result" | "error">): number {
    // The new id comes back with the insert: no second statement per accepted message.
    return this.insert("turns", t, "INSERT", " RETURNING id").one().id as number;
  }

  private findTurn(where: string, param: SqlStorageValue): Turn | null {
    return decode<Turn>(this.rows(`SELECT * FROM turns WHERE ${where}`, param)[0], TURN_JSON);
  }

  turnByClientId(clientMessageId: string): Turn | null {
    return this.findTurn("clientMessageId = ?", clientMessageId);
  }

  turn(id: number): Turn | null {
    return this.findTurn("id = ?", id);
  }

  lastTurnId(): number {
    return this.sql.exec<{ id: number }>("SELECT coalesce(max(id), 0) AS id FROM turns").one().id;
  }

  /** After a rebuild: a finished turn recovered from the log, so its clientMessageId is recognised again. */
  restoreTurn(turn: Turn): void {
    this.insert("turns", turn);
  }

  /** After a rebuild: new turns are numbered after the ones D1 knows (their variable changes are keyed by turn). */
  continueTurnsAfter(lastTurn: number): void {
    if (lastTurn > 0) this.insert("turns", { id: lastTurn, status: "done", createdAt: Date.now() });
  }

  /** Turns an interruption left behind, in the order they arrived. */
  unfinishedTurns(): Turn[] {
    return this.rows("SELECT * FROM turns WHERE status IN ('queued', 'running') ORDER BY id").map((r) => decode<Turn>(r, TURN_JSON)!);
  }

  startTurn(id: number, userSeq: number | null): void {
    this.update("turns", { status: "running", userSeq, input: null }, "id = ?", id);
  }

  /** A failed turn sent again: it runs once more on the same logged user message. */
  retryTurn(id: number): void {
    this.update("turns", { status: "running", error: null }, "id = ?", id);
  }

  finishTurn(id: number, result: StoredResult): void {
    this.update("turns", { status: "done", result }, "id = ?", id);
  }

  failTurn(id: number, error: StoredError): void {
    this.update("turns", { status: "failed", error }, "id = ?", id);
  }

  // ── outbox ────────────────────────────────────────────────────────────

  /** What D1 has to receive of a turn; its safety records go into the session's safety log in the same write. */
  addOutbox(turnId: number | null, changes: LoggedChange[], createdAt: number, safety: SafetyRecord[] = []): void {
    for (const record of safety) this.insert("safety_log", record);
    this.insert("outbox", { turnId, changes, safety, createdAt });
  }

  /** Entries after `afterId` (the ones D1 is known to have are skipped). */
  outbox(afterId = 0): OutboxEntry[] {
    return this.rows("SELECT * FROM outbox WHERE id > ? ORDER BY id", afterId).map((r) => decode<OutboxEntry>(r, ["changes", "safety"])!);
  }

  hasOutbox(afterId = 0): boolean {
    return this.rows("SELECT 1 FROM outbox WHERE id > ? LIMIT 1", afterId).length > 0;
  }

  clearOutbox(upToId: number): void {
    this.sql.exec("DELETE FROM outbox WHERE id <= ?", upToId);
  }

  // ── safety log ────────────────────────────────────────────────────────

  safetyLog(): SafetyRecord[] {
    return this.rows("SELECT * FROM safety_log ORDER BY createdAt, turnId, kind, id").map(safetyRecordOf);
  }

  // ── debug ─────────────────────────────────────────────────────────────

  addDebug(debug: TurnDebug): void {
    this.insert("debug", { turnId: debug.turn, data: debug }, "INSERT OR REPLACE");
  }

  debugFor(turnId: number): TurnDebug | null {
    return this.debug("WHERE turnId = ?", turnId)[0] ?? null;
  }

  allDebug(): TurnDebug[] {
    return this.debug("");
  }

  private debug(where: string, ...params: SqlStorageValue[]): TurnDebug[] {
    return this.rows(`SELECT data FROM debug ${where} ORDER BY turnId`, ...params).map((r) => JSON.parse(r.data as string) as TurnDebug);
  }
}

/**
 * A safety_log row as its record: a guard's columns (`kinds`, `action`), a flag's, referral's or
 * confirmation's (`level`) and a confirmation's (`outcome`) are null on the others.
 */
function safetyRecordOf(row: Row): SafetyRecord {
  const { kinds, action, level, outcome, ...common } = row;
  if (common.kind === "guard") return { ...common, kinds: JSON.parse(kinds as string), action } as unknown as SafetyRecord;
  if (common.kind === "confirmation") return { ...common, level, outcome } as unknown as SafetyRecord;
  return { ...common, level } as unknown as SafetyRecord;
}

function statusOf(m: Meta) {
  return {
    status: m.status,
    executionStatus: m.executionStatus,
    updatedAt: m.updatedAt,
    lastActivityAt: m.lastActivityAt,
    completedAt: m.completedAt,
    riskLevel: m.riskLevel,
    riskRaisedAt: m.riskRaisedAt,
  };
}
