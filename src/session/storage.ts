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
 *   outbox   what the D1 mirror still has to receive (variable changes; any row = flush due)
 *   debug    per turn: prompts, raw replies, the decision trace (debug sessions only)
 */
import type { JsonValue, SessionScript, SessionState } from "../engine";
import type { ExecutionStatus, MessageRole, SessionStatus } from "../store/schema/sessions";
import type { LoggedChange, SafetyView, TurnDebug } from "./schemas";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  session_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  project_id TEXT,
  version_id TEXT,
  version_number TEXT,
  script_path TEXT,
  script_id TEXT NOT NULL,
  script_hash TEXT NOT NULL,
  template_hashes TEXT NOT NULL,
  debug INTEGER NOT NULL,
  status TEXT NOT NULL,
  execution_status TEXT NOT NULL,
  state TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_activity_at INTEGER NOT NULL,
  completed_at INTEGER,
  mirrored_seq INTEGER NOT NULL DEFAULT 0,
  mirror_attempts INTEGER NOT NULL DEFAULT 0,
  mirror_retry_at INTEGER,
  erasing INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS script (
  hash TEXT PRIMARY KEY,
  yaml TEXT NOT NULL,
  compiled TEXT NOT NULL,
  templates TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  role TEXT NOT NULL,
  content TEXT NOT NULL,
  action_id TEXT,
  client_message_id TEXT,
  turn_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  metadata TEXT
);
CREATE TABLE IF NOT EXISTS turns (
  id INTEGER PRIMARY KEY,
  client_message_id TEXT UNIQUE,
  input TEXT,
  user_seq INTEGER,
  status TEXT NOT NULL,
  result TEXT,
  error TEXT,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY,
  turn_id INTEGER,
  changes TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS debug (
  turn_id INTEGER PRIMARY KEY,
  data TEXT NOT NULL
);
`;

export interface Meta {
  sessionId: string;
  userId: string;
  projectId: string | null;
  versionId: string | null;
  versionNumber: string | null;
  scriptPath: string | null;
  scriptId: string;
  scriptHash: string;
  /** Template name → content hash of the override. */
  templateHashes: Record<string, string>;
  debug: boolean;
  status: SessionStatus;
  executionStatus: ExecutionStatus;
  createdAt: number;
  updatedAt: number;
  lastActivityAt: number;
  completedAt: number | null;
  /** Every message up to this seq is in D1. */
  mirroredSeq: number;
  mirrorAttempts: number;
  mirrorRetryAt: number | null;
  /** DELETE was accepted; the D1 rows may still have to go. */
  erasing: boolean;
}

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
}

export interface StoredError {
  status: number;
  code: string;
  detail: string;
  retryable: boolean;
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

export interface OutboxEntry {
  id: number;
  turnId: number | null;
  changes: LoggedChange[];
  createdAt: number;
}

type Row = Record<string, SqlStorageValue>;
type Cell = SqlStorageValue | undefined;

const str = (v: Cell): string => v as string;
const strOrNull = (v: Cell): string | null => (v === null || v === undefined ? null : (v as string));
const num = (v: Cell): number => v as number;
const numOrNull = (v: Cell): number | null => (v === null || v === undefined ? null : (v as number));
const json = <T>(v: Cell): T => JSON.parse(v as string) as T;
const jsonOrNull = <T>(v: Cell): T | null => (v === null || v === undefined ? null : (JSON.parse(v as string) as T));

function toMeta(r: Row): Meta {
  return {
    sessionId: str(r.session_id),
    userId: str(r.user_id),
    projectId: strOrNull(r.project_id),
    versionId: strOrNull(r.version_id),
    versionNumber: strOrNull(r.version_number),
    scriptPath: strOrNull(r.script_path),
    scriptId: str(r.script_id),
    scriptHash: str(r.script_hash),
    templateHashes: json(r.template_hashes),
    debug: r.debug === 1,
    status: str(r.status) as SessionStatus,
    executionStatus: str(r.execution_status) as ExecutionStatus,
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    lastActivityAt: num(r.last_activity_at),
    completedAt: numOrNull(r.completed_at),
    mirroredSeq: num(r.mirrored_seq),
    mirrorAttempts: num(r.mirror_attempts),
    mirrorRetryAt: numOrNull(r.mirror_retry_at),
    erasing: r.erasing === 1,
  };
}

function toMessage(r: Row): StoredMessage {
  return {
    seq: num(r.seq),
    id: str(r.id),
    role: str(r.role) as MessageRole,
    content: str(r.content),
    actionId: strOrNull(r.action_id),
    clientMessageId: strOrNull(r.client_message_id),
    turnId: num(r.turn_id),
    createdAt: num(r.created_at),
    metadata: jsonOrNull(r.metadata),
  };
}

function toTurn(r: Row): Turn {
  return {
    id: num(r.id),
    clientMessageId: strOrNull(r.client_message_id),
    input: strOrNull(r.input),
    userSeq: numOrNull(r.user_seq),
    status: str(r.status) as TurnStatus,
    result: jsonOrNull(r.result),
    error: jsonOrNull(r.error),
    createdAt: num(r.created_at),
  };
}

export class SessionStorage {
  private readonly sql: SqlStorage;

  constructor(private readonly storage: DurableObjectStorage) {
    this.sql = storage.sql;
  }

  /** Tables are created with the session (or its rebuild), so an erased or never-used actor keeps no storage at all. */
  ensureSchema(): void {
    this.sql.exec(SCHEMA);
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

  // ── meta and state ────────────────────────────────────────────────────

  readMeta(): { meta: Meta; state: SessionState } | null {
    if (!this.hasSchema()) return null;
    const row = this.sql.exec("SELECT * FROM meta WHERE id = 1").toArray()[0];
    if (!row) return null;
    return { meta: toMeta(row), state: json<SessionState>(row.state) };
  }

  insertMeta(m: Meta, state: SessionState): void {
    this.sql.exec(
      `INSERT INTO meta (id, session_id, user_id, project_id, version_id, version_number, script_path, script_id, script_hash,
        template_hashes, debug, status, execution_status, state, created_at, updated_at, last_activity_at, completed_at,
        mirrored_seq, mirror_attempts, mirror_retry_at, erasing)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      m.sessionId, m.userId, m.projectId, m.versionId, m.versionNumber, m.scriptPath, m.scriptId, m.scriptHash,
      JSON.stringify(m.templateHashes), m.debug ? 1 : 0, m.status, m.executionStatus, JSON.stringify(state),
      m.createdAt, m.updatedAt, m.lastActivityAt, m.completedAt, m.mirroredSeq, m.mirrorAttempts, m.mirrorRetryAt, m.erasing ? 1 : 0,
    );
  }

  /** After a turn: the new state and what follows from it. */
  writeState(m: Meta, state: SessionState): void {
    this.sql.exec(
      `UPDATE meta SET state = ?, status = ?, execution_status = ?, updated_at = ?, last_activity_at = ?, completed_at = ? WHERE id = 1`,
      JSON.stringify(state), m.status, m.executionStatus, m.updatedAt, m.lastActivityAt, m.completedAt,
    );
  }

  /** Status and timestamps only (the state is unchanged). */
  writeStatus(m: Meta): void {
    this.sql.exec(
      `UPDATE meta SET status = ?, execution_status = ?, updated_at = ?, last_activity_at = ?, completed_at = ? WHERE id = 1`,
      m.status, m.executionStatus, m.updatedAt, m.lastActivityAt, m.completedAt,
    );
  }

  writeMirror(m: Meta): void {
    this.sql.exec(
      "UPDATE meta SET mirrored_seq = ?, mirror_attempts = ?, mirror_retry_at = ? WHERE id = 1",
      m.mirroredSeq, m.mirrorAttempts, m.mirrorRetryAt,
    );
  }

  markErasing(): void {
    this.sql.exec("UPDATE meta SET erasing = 1 WHERE id = 1");
    this.sql.exec("DELETE FROM outbox");
  }

  // ── script ────────────────────────────────────────────────────────────

  insertScript(s: PinnedScript): void {
    this.sql.exec(
      "INSERT OR IGNORE INTO script (hash, yaml, compiled, templates) VALUES (?, ?, ?, ?)",
      s.hash, s.yaml, JSON.stringify(s.script), JSON.stringify(s.templates),
    );
  }

  readScript(hash: string): PinnedScript | null {
    const row = this.sql.exec("SELECT * FROM script WHERE hash = ?", hash).toArray()[0];
    if (!row) return null;
    return { hash, yaml: str(row.yaml), script: json(row.compiled), templates: json(row.templates) };
  }

  // ── messages ──────────────────────────────────────────────────────────

  lastSeq(): number {
    return num(this.sql.exec("SELECT coalesce(max(seq), 0) AS s FROM messages").one().s);
  }

  appendMessage(m: StoredMessage): void {
    this.sql.exec(
      `INSERT INTO messages (seq, id, role, content, action_id, client_message_id, turn_id, created_at, metadata)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      m.seq, m.id, m.role, m.content, m.actionId, m.clientMessageId, m.turnId, m.createdAt,
      m.metadata === null ? null : JSON.stringify(m.metadata),
    );
  }

  /** Messages with `after < seq <= upTo`, oldest first, at most `limit`. */
  messages(after: number, upTo = Number.MAX_SAFE_INTEGER, limit = -1): StoredMessage[] {
    return this.sql
      .exec("SELECT * FROM messages WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?", after, upTo, limit)
      .toArray()
      .map(toMessage);
  }

  message(seq: number): StoredMessage | null {
    const row = this.sql.exec("SELECT * FROM messages WHERE seq = ?", seq).toArray()[0];
    return row ? toMessage(row) : null;
  }

  // ── turns ─────────────────────────────────────────────────────────────

  insertTurn(t: Omit<Turn, "id" | "result" | "error">): number {
    return num(
      this.sql
        .exec(
          "INSERT INTO turns (client_message_id, input, user_seq, status, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
          t.clientMessageId, t.input, t.userSeq, t.status, t.createdAt,
        )
        .one().id,
    );
  }

  /** After a rebuild: new turns are numbered after the ones D1 knows (their variable changes are keyed by turn). */
  continueTurnsAfter(lastTurn: number): void {
    if (lastTurn > 0) this.sql.exec("INSERT INTO turns (id, status, created_at) VALUES (?, 'done', ?)", lastTurn, Date.now());
  }

  turnByClientId(clientMessageId: string): Turn | null {
    const row = this.sql.exec("SELECT * FROM turns WHERE client_message_id = ?", clientMessageId).toArray()[0];
    return row ? toTurn(row) : null;
  }

  turn(id: number): Turn | null {
    const row = this.sql.exec("SELECT * FROM turns WHERE id = ?", id).toArray()[0];
    return row ? toTurn(row) : null;
  }

  lastTurnId(): number {
    return num(this.sql.exec("SELECT coalesce(max(id), 0) AS id FROM turns").one().id);
  }

  /** Turns an interruption left behind, in the order they arrived. */
  unfinishedTurns(): Turn[] {
    return this.sql.exec("SELECT * FROM turns WHERE status IN ('queued', 'running') ORDER BY id").toArray().map(toTurn);
  }

  startTurn(id: number, userSeq: number | null): void {
    this.sql.exec("UPDATE turns SET status = 'running', user_seq = ?, input = NULL WHERE id = ?", userSeq, id);
  }

  /** A failed turn sent again: it runs once more on the same logged user message. */
  retryTurn(id: number): void {
    this.sql.exec("UPDATE turns SET status = 'running', error = NULL WHERE id = ?", id);
  }

  finishTurn(id: number, result: StoredResult): void {
    this.sql.exec("UPDATE turns SET status = 'done', result = ? WHERE id = ?", JSON.stringify(result), id);
  }

  failTurn(id: number, error: StoredError): void {
    this.sql.exec("UPDATE turns SET status = 'failed', error = ? WHERE id = ?", JSON.stringify(error), id);
  }

  // ── outbox ────────────────────────────────────────────────────────────

  addOutbox(turnId: number | null, changes: LoggedChange[], now: number): void {
    this.sql.exec("INSERT INTO outbox (turn_id, changes, created_at) VALUES (?, ?, ?)", turnId, JSON.stringify(changes), now);
  }

  outbox(): OutboxEntry[] {
    return this.sql
      .exec("SELECT * FROM outbox ORDER BY id")
      .toArray()
      .map((r) => ({ id: num(r.id), turnId: numOrNull(r.turn_id), changes: json(r.changes), createdAt: num(r.created_at) }));
  }

  hasOutbox(): boolean {
    return this.sql.exec("SELECT 1 FROM outbox LIMIT 1").toArray().length > 0;
  }

  clearOutbox(upToId: number): void {
    this.sql.exec("DELETE FROM outbox WHERE id <= ?", upToId);
  }

  // ── debug ─────────────────────────────────────────────────────────────

  addDebug(debug: TurnDebug): void {
    this.sql.exec("INSERT OR REPLACE INTO debug (turn_id, data) VALUES (?, ?)", debug.turn, JSON.stringify(debug));
  }

  debugFor(turnId: number): TurnDebug | null {
    const row = this.sql.exec("SELECT data FROM debug WHERE turn_id = ?", turnId).toArray()[0];
    return row ? json<TurnDebug>(row.data) : null;
  }

  allDebug(): TurnDebug[] {
    return this.sql.exec("SELECT data FROM debug ORDER BY turn_id").toArray().map((r) => json<TurnDebug>(r.data));
  }
}
