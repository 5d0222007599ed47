/**
 * The backup file: `wrangler d1 export --no-schema` output rewritten so that
 * it imports back into a database built by the migrations. The export lists
 * tables in storage order, children before their parents (`messages` before
 * `sessions`), and leans on `PRAGMA defer_foreign_keys`, which a remote
 * `d1 execute --file` does not honour across the statements it runs. Here
 * parents come first; a cycle (`projects.current_version_id` ↔
 * `project_versions.project_id`) and a self-reference
 * (`project_versions.rollback_from_version_id`) are broken on a nullable
 * column: the row goes in with NULL there and an UPDATE after every INSERT
 * puts the value back. No PRAGMA is written, so a wrong order fails the import
 * instead of passing locally and failing remotely.
 *
 * The first lines are SQL comments: one says how to restore, one holds the
 * manifest (JSON): the migrations the database had, the row count of each
 * table, and the published-version pointers KV must hold for the restored
 * projects (derived from the same rows, so they agree with them).
 */
import { POINTER_TTL_SECONDS, pointerFor, pointerKey } from "../src/authoring/cache";

export const FORMAT = "heartrule-backup/1";
const MANIFEST_PREFIX = "-- manifest: ";

/** Tables the export holds that a restore must not write: wrangler's migration log (the migrations write it) and SQLite's own. */
const SKIPPED = new Set(["d1_migrations", "sqlite_sequence"]);

export interface ForeignKey {
  table: string;
  column: string;
  parent: string;
  nullable: boolean;
}

export interface Schema {
  foreignKeys: ForeignKey[];
  /** Primary key columns per table, in key order. */
  primaryKeys: Record<string, string[]>;
}

/** One entry of `wrangler kv bulk put`. */
export interface KvEntry {
  key: string;
  value: string;
  expiration_ttl: number;
}

export interface Manifest {
  format: typeof FORMAT;
  createdAt: string;
  source: { env: string | null; remote: boolean };
  migrations: string[];
  tables: Record<string, number>;
  kv: KvEntry[];
}

interface Insert {
  table: string;
  columns: string[];
  /** SQL literals (or expressions such as `replace('…','\n',char(10))`) as the export wrote them. */
  values: string[];
}

/** Splits at `separator` outside quotes and parentheses, trimming each part and dropping empty ones. */
function splitOutside(text: string, separator: ";" | ","): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) {
        if (text[i + 1] === quote) i++;
        else quote = null;
      }
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (ch === separator && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter((p) => p !== "");
}

/** The statements of SQL text (without their `;`), after the comment lines that head a backup file. */
export function splitStatements(sql: string): string[] {
  const lines = sql.split("\n");
  const body = lines.findIndex((l) => !l.startsWith("--"));
  return splitOutside(body < 0 ? "" : lines.slice(body).join("\n"), ";");
}

const unquoteIdentifier = (s: string) => (s.startsWith('"') ? s.slice(1, -1).replaceAll('""', '"') : s);
const quoteIdentifier = (s: string) => `"${s.replaceAll('"', '""')}"`;

const INSERT = /^INSERT INTO ("(?:[^"]|"")+"|\w+) \(([^)]*)\) VALUES\s*\(([\s\S]*)\)$/;

function parseInsert(statement: string): Insert {
  const m = INSERT.exec(statement);
  if (!m) throw new Error(`not an INSERT the export writes: ${statement.slice(0, 60)}…`);
  const columns = splitOutside(m[2]!, ",").map(unquoteIdentifier);
  const values = splitOutside(m[3]!, ",");
  if (columns.length !== values.length) throw new Error(`INSERT INTO ${m[1]} has ${columns.length} columns and ${values.length} values`);
  return { table: unquoteIdentifier(m[1]!), columns, values };
}

/** A plain literal's value (NULL, a number or a quoted string); expressions are not decoded. */
function literal(sql: string): string | number | null {
  if (sql.toUpperCase() === "NULL") return null;
  if (sql.startsWith("'") && sql.endsWith("'")) return sql.slice(1, -1).replaceAll("''", "'");
  const n = Number(sql);
  if (!Number.isNaN(n)) return n;
  throw new Error(`not a plain literal: ${sql.slice(0, 40)}`);
}

/**
 * Tables parents first, and the FK columns that must be filled in after every
 * INSERT (self-references, and one nullable column per cycle).
 */
export function insertOrder(tables: string[], foreignKeys: ForeignKey[]): { order: string[]; deferred: ForeignKey[] } {
  const present = new Set(tables);
  const deferred: ForeignKey[] = [];
  let edges: ForeignKey[] = [];
  for (const fk of foreignKeys) {
    if (!present.has(fk.table) || !present.has(fk.parent)) continue;
    if (fk.table !== fk.parent) edges.push(fk);
    else if (fk.nullable) deferred.push(fk);
    else throw new Error(`${fk.table}.${fk.column} references its own table and cannot be NULL: no insert order satisfies it`);
  }
  const order: string[] = [];
  const left = [...tables].sort();
  while (left.length > 0) {
    const ready = left.filter((t) => !edges.some((e) => e.table === t && left.includes(e.parent)));
    if (ready.length > 0) {
      for (const t of ready) left.splice(left.indexOf(t), 1);
      order.push(...ready);
      continue;
    }
    // A cycle: defer one nullable reference among the tables left.
    const breakable = edges.find((e) => e.nullable && left.includes(e.table) && left.includes(e.parent));
    if (!breakable) throw new Error(`tables ${left.join(", ")} reference each other through NOT NULL columns only`);
    deferred.push(breakable);
    edges = edges.filter((e) => e !== breakable);
  }
  return { order, deferred };
}

/** The pointers `src/authoring/cache.ts` would write for the projects in these rows. */
function pointersOf(byTable: Map<string, Insert[]>): KvEntry[] {
  const row = (insert: Insert) => Object.fromEntries(insert.columns.map((c, i) => [c, insert.values[i]!]));
  const versions = new Map(
    (byTable.get("project_versions") ?? []).map((v) => {
      const r = row(v);
      return [literal(r.id!), literal(r.version_number!)];
    }),
  );
  return (byTable.get("projects") ?? []).map((p) => {
    const r = row(p);
    const id = String(literal(r.id!));
    const currentId = literal(r.current_version_id ?? "NULL");
    const number = currentId === null ? undefined : versions.get(currentId);
    const current = currentId !== null && number !== undefined ? { id: String(currentId), versionNumber: String(number) } : null;
    const pointer = pointerFor(String(literal(r.status!)) as Parameters<typeof pointerFor>[0], current);
    return { key: pointerKey(id), value: JSON.stringify(pointer), expiration_ttl: POINTER_TTL_SECONDS };
  });
}

/** The backup file for an export's SQL and the source database's schema. */
export function buildBackup(exportSql: string, schema: Schema, source: Manifest["source"], now = new Date()): { text: string; manifest: Manifest } {
  const byTable = new Map<string, Insert[]>();
  const migrations: string[] = [];
  for (const statement of splitStatements(exportSql)) {
    if (/^PRAGMA /i.test(statement)) continue;
    const insert = parseInsert(statement);
    if (insert.table === "d1_migrations") migrations.push(String(literal(insert.values[insert.columns.indexOf("name")]!)));
    if (SKIPPED.has(insert.table) || insert.table.startsWith("_cf_")) continue;
    if (!byTable.has(insert.table)) byTable.set(insert.table, []);
    byTable.get(insert.table)!.push(insert);
  }
  const { order, deferred } = insertOrder([...byTable.keys()], schema.foreignKeys);

  const lines: string[] = [];
  const updates: string[] = [];
  for (const table of order) {
    const later = deferred.filter((fk) => fk.table === table).map((fk) => fk.column);
    const keys = schema.primaryKeys[table] ?? [];
    for (const insert of byTable.get(table)!) {
      const values = [...insert.values];
      for (const column of later) {
        const i = insert.columns.indexOf(column);
        if (i < 0 || values[i]!.toUpperCase() === "NULL") continue;
        if (keys.length === 0) throw new Error(`${table} has no primary key to put ${column} back with`);
        const where = keys.map((k) => `${quoteIdentifier(k)} = ${insert.values[insert.columns.indexOf(k)]}`).join(" AND ");
        updates.push(`UPDATE ${quoteIdentifier(table)} SET ${quoteIdentifier(column)} = ${values[i]} WHERE ${where};`);
        values[i] = "NULL";
      }
      lines.push(`INSERT INTO ${quoteIdentifier(table)} (${insert.columns.map(quoteIdentifier).join(",")}) VALUES(${values.join(",")});`);
    }
  }

  const manifest: Manifest = {
    format: FORMAT,
    createdAt: now.toISOString(),
    source,
    migrations,
    tables: Object.fromEntries(order.map((t) => [t, byTable.get(t)!.length])),
    kv: pointersOf(byTable),
  };
  const header = [
    "-- HeartRule backup: D1 rows parents first, then the references filled in after them.",
    "-- Restore with `npm run restore -- --file <this file>` (the schema comes from the migrations, then these rows, then the KV pointers).",
    `${MANIFEST_PREFIX}${JSON.stringify(manifest)}`,
  ];
  return { text: `${[...header, ...lines, ...updates].join("\n")}\n`, manifest };
}

/** The manifest of a backup file; throws when the text is not one. */
export function readManifest(text: string): Manifest {
  const line = text.split("\n", 4).find((l) => l.startsWith(MANIFEST_PREFIX));
  if (!line) throw new Error("not a HeartRule backup: no manifest line");
  const manifest = JSON.parse(line.slice(MANIFEST_PREFIX.length)) as Manifest;
  if (manifest.format !== FORMAT) throw new Error(`backup format ${manifest.format} is not ${FORMAT}`);
  return manifest;
}

/**
 * Whether a database migrated with `known` can take this backup's rows: the
 * backup's migrations must be the first of them. Later migrations are applied
 * before the rows go in, so they must add nullable or defaulted columns only
 * (the rule for every migration a gradual deploy runs, docs/operations.md).
 */
export function checkMigrations(backup: string[], known: string[]): { newer: string[] } {
  backup.forEach((name, i) => {
    if (known[i] !== name)
      throw new Error(
        known.includes(name)
          ? `the backup's migrations are not in this checkout's order (${name})`
          : `the backup was taken with migration ${name}, which this checkout does not have: restore from the release that took it`,
      );
  });
  return { newer: known.slice(backup.length) };
}
