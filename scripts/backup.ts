#!/usr/bin/env node
/**
 * `npm run backup -- --env production [--output FILE] [--dry-run]`, or
 * `npm run backup -- --local [--persist-to DIR]` for a local state directory:
 * the D1 database exported with `wrangler d1 export --no-schema`, rewritten
 * parents first with the published-version pointers KV needs
 * (scripts/backup-file.ts). The session actors' own storage is not in it:
 * a restored session rebuilds its actor from these rows on first use.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { buildBackup, type ForeignKey, type Schema } from "./backup-file";
import { exportCommand, parseTarget, queryJson, type Target, wrangler } from "./backup-target";

const SCHEMA_SQL = [
  `SELECT m.name AS tbl, f."from" AS col, f."table" AS parent, i."notnull" AS nn FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f JOIN pragma_table_info(m.name) i ON i.name = f."from" WHERE m.type = 'table'`,
  `SELECT m.name AS tbl, i.name AS col FROM sqlite_master m JOIN pragma_table_info(m.name) i WHERE m.type = 'table' AND i.pk > 0 ORDER BY m.name, i.pk`,
].join("; ");

function readSchema(t: Target): Schema {
  const [fks = [], pks = []] = queryJson<Record<string, string | number>>(t, SCHEMA_SQL);
  const foreignKeys: ForeignKey[] = fks.map((r) => ({ table: String(r.tbl), column: String(r.col), parent: String(r.parent), nullable: r.nn === 0 }));
  const primaryKeys: Record<string, string[]> = {};
  for (const r of pks) (primaryKeys[String(r.tbl)] ??= []).push(String(r.col));
  return { foreignKeys, primaryKeys };
}

export function backup(argv: string[]): string {
  const { target, values } = parseTarget(argv, { output: { type: "string", short: "o" } });
  const stamp = new Date()
    .toISOString()
    .replaceAll(":", "-")
    .replace(/\.\d+Z$/, "Z");
  const output =
    (values.output as string | undefined) ?? join("backups", `heartrule-${target.env ?? (target.local ? "local" : "default")}-${stamp}.sql`);
  const raw = `${output}.export.sql`;
  mkdirSync(dirname(output), { recursive: true });
  const exported = exportCommand(target, raw);
  try {
    wrangler(target, exported.args);
    const schema = readSchema(target);
    if (target.dryRun) {
      console.log(`(dry run) would write ${output}`);
      return output;
    }
    const { text, manifest } = buildBackup(readFileSync(raw, "utf8"), schema, { env: target.env, remote: !target.local });
    writeFileSync(output, text, { mode: 0o600 });
    const rows = Object.entries(manifest.tables).map(([t, n]) => `${t} ${n}`);
    console.log(
      `Wrote ${output}: ${rows.join(", ")}; ${manifest.kv.length} published pointer(s); migrations up to ${manifest.migrations.at(-1) ?? "none"}.`,
    );
    return output;
  } finally {
    exported.cleanup();
    rmSync(raw, { force: true });
  }
}

try {
  backup(process.argv.slice(2));
} catch (err) {
  console.error(`Backup failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
