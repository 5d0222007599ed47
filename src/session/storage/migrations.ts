/**
 * The layout of the actor's tables, as an ordered list: entry n brings storage
 * from version n to n + 1, and `schema_version` says how far a storage is.
 * A shipped entry is never edited, only followed by new ones. Storage from
 * before the list existed (no `schema_version` table, frozen in
 * test/session/fixtures/storage-layout-0.json) has exactly the tables of
 * version 1, which the first entry creates only where they are missing.
 */

/** Thrown when a newer release wrote this storage: its tables are left as they are. */
export class NewerSchemaError extends Error {
  constructor(readonly version: number) {
    super(`session storage has schema version ${version}`);
    this.name = "NewerSchemaError";
  }
}

// Column names are the TypeScript field names, so rows come back in the shapes of tables.ts.
export const MIGRATIONS: readonly string[] = [
  `
CREATE TABLE IF NOT EXISTS meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  sessionId TEXT NOT NULL,
  userId TEXT NOT NULL,
  projectId TEXT,
  versionId TEXT,
  versionNumber TEXT,
  scriptPath TEXT,
  scriptId TEXT NOT NULL,
  scriptHash TEXT NOT NULL,
  templateHashes TEXT NOT NULL,
  debug INTEGER NOT NULL,
  status TEXT NOT NULL,
  executionStatus TEXT NOT NULL,
  state TEXT NOT NULL,
  createdAt INTEGER NOT NULL,
  updatedAt INTEGER NOT NULL,
  lastActivityAt INTEGER NOT NULL,
  completedAt INTEGER,
  mirroredSeq INTEGER NOT NULL,
  mirrorAttempts INTEGER NOT NULL,
  mirrorRetryAt INTEGER,
  erasing INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS script (
  hash TEXT PRIMARY KEY,
  yaml TEXT NOT NULL,
  script TEXT NOT NULL,
  templates TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  role TEXT NOT NULL,
  content TEXT NOT NULL,
  actionId TEXT,
  clientMessageId TEXT,
  turnId INTEGER NOT NULL,
  createdAt INTEGER NOT NULL,
  metadata TEXT
);
CREATE TABLE IF NOT EXISTS turns (
  id INTEGER PRIMARY KEY,
  clientMessageId TEXT UNIQUE,
  input TEXT,
  userSeq INTEGER,
  status TEXT NOT NULL,
  result TEXT,
  error TEXT,
  createdAt INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY,
  turnId INTEGER,
  changes TEXT NOT NULL,
  createdAt INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS debug (
  turnId INTEGER PRIMARY KEY,
  data TEXT NOT NULL
);
`,
  // 2: the session's risk (highest level, when raised), its safety log (flags and referrals, no content),
  // and the records an outbox entry still has to bring to D1.
  `
ALTER TABLE meta ADD COLUMN riskLevel TEXT NOT NULL DEFAULT 'none';
ALTER TABLE meta ADD COLUMN riskRaisedAt INTEGER;
ALTER TABLE outbox ADD COLUMN safety TEXT NOT NULL DEFAULT '[]';
CREATE TABLE safety_log (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  turnId INTEGER NOT NULL,
  messageId TEXT,
  actionId TEXT,
  source TEXT,
  level TEXT NOT NULL,
  locale TEXT NOT NULL,
  createdAt INTEGER NOT NULL
);
`,
  // 3: the output guard's actions join the safety log (`kind` 'guard': which boundaries, `action` rewritten or canned).
  // They carry no risk level, so `level` becomes nullable: SQLite changes a column's constraint only by rebuilding its table.
  `
CREATE TABLE safety_log_3 (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  turnId INTEGER NOT NULL,
  messageId TEXT,
  actionId TEXT,
  source TEXT,
  level TEXT,
  kinds TEXT,
  action TEXT,
  locale TEXT NOT NULL,
  createdAt INTEGER NOT NULL
);
INSERT INTO safety_log_3 (id, kind, turnId, messageId, actionId, source, level, locale, createdAt)
  SELECT id, kind, turnId, messageId, actionId, source, level, locale, createdAt FROM safety_log;
DROP TABLE safety_log;
ALTER TABLE safety_log_3 RENAME TO safety_log;
`,
  // 4: the crisis protocol's confirmations join the safety log (`kind` 'confirmation': what its question about safety read).
  `
ALTER TABLE safety_log ADD COLUMN outcome TEXT;
`,
  // 5, data lifecycle: the retention the session started with (days after its last
  // activity; null: SESSION_RETENTION_DAYS), and who asked for its erasure and why, kept until D1 has the audit row.
  `
ALTER TABLE meta ADD COLUMN retentionDays INTEGER;
ALTER TABLE meta ADD COLUMN erasure TEXT;
`,
];

/** Runs the migrations this storage has not had, in order; call inside a transaction. Returns the version now stored. */
export function migrate(sql: SqlStorage, migrations: readonly string[] = MIGRATIONS): number {
  sql.exec("CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)");
  const stored = sql.exec<{ version: number }>("SELECT version FROM schema_version WHERE id = 1").toArray()[0]?.version ?? 0;
  if (stored > migrations.length) throw new NewerSchemaError(stored);
  if (stored === migrations.length) return stored;
  for (const step of migrations.slice(stored)) sql.exec(step);
  sql.exec("INSERT OR REPLACE INTO schema_version (id, version) VALUES (1, ?)", migrations.length);
  return migrations.length;
}
