#!/usr/bin/env node
/**
 * `npm run restore -- --file FILE --env production [--dry-run]`, or
 * `--local [--persist-to DIR]` for a local state directory: the schema through
 * `wrangler d1 migrations apply` first, then the backup's rows with
 * `wrangler d1 execute --file` (into a database that has none: a restore
 * never merges), then the published-version pointers into KV with
 * `wrangler kv bulk put`, and last a count of every table against the
 * backup's manifest.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { unstable_readConfig } from "wrangler";
import { checkMigrations, readManifest } from "./backup-file";
import { parseTarget, queryJson, type Target, targetFlags, wrangler } from "./backup-target";

function knownMigrations(t: Target): string[] {
  const config = unstable_readConfig({ config: t.config, env: t.env ?? undefined });
  const dir = config.d1_databases.find((d: { binding: string }) => d.binding === "DB")?.migrations_dir ?? "migrations";
  return readdirSync(join(config.configPath ? dirname(config.configPath) : ".", dir))
    .filter((f) => f.endsWith(".sql"))
    .sort();
}

const countSql = (tables: string[]) => `SELECT ${tables.map((t) => `(SELECT count(*) FROM "${t}") AS "${t}"`).join(", ")}`;

export function restore(argv: string[]): void {
  const { target, values } = parseTarget(argv, { file: { type: "string", short: "f" } });
  const file = values.file as string | undefined;
  if (!file) throw new Error("--file <backup.sql> is required");
  const manifest = readManifest(readFileSync(file, "utf8"));
  const { newer } = checkMigrations(manifest.migrations, knownMigrations(target));
  if (newer.length > 0) console.log(`Migrations newer than the backup, applied before its rows: ${newer.join(", ")}`);
  const tables = Object.keys(manifest.tables);

  wrangler(target, ["d1", "migrations", "apply", "DB", ...targetFlags(target)]);
  if (tables.length > 0) {
    const [[present = {}] = []] = queryJson<Record<string, number>>(target, countSql(tables));
    const filled = Object.entries(present).filter(([, n]) => n > 0);
    if (filled.length > 0)
      throw new Error(`the target database already has rows (${filled.map(([t, n]) => `${t} ${n}`).join(", ")}): restore into an empty one`);
  }
  wrangler(target, ["d1", "execute", "DB", ...targetFlags(target), "--file", file, "--yes"], { quiet: true });

  if (manifest.kv.length > 0) {
    const pointers = join(tmpdir(), `heartrule-restore-kv-${process.pid}.json`);
    writeFileSync(pointers, JSON.stringify(manifest.kv));
    try {
      wrangler(target, ["kv", "bulk", "put", pointers, "--binding", "CACHE", ...targetFlags(target)], { quiet: true });
    } finally {
      rmSync(pointers, { force: true });
    }
  }
  if (target.dryRun) return;

  const [[counted = {}] = []] = tables.length > 0 ? queryJson<Record<string, number>>(target, countSql(tables)) : [[{}]];
  const wrong = tables.filter((t) => counted[t] !== manifest.tables[t]);
  if (wrong.length > 0)
    throw new Error(`row counts differ from the backup: ${wrong.map((t) => `${t} ${counted[t]} ≠ ${manifest.tables[t]}`).join(", ")}`);
  console.log(
    `Restored ${file} (taken ${manifest.createdAt}): ${tables.map((t) => `${t} ${manifest.tables[t]}`).join(", ")}; ${manifest.kv.length} published pointer(s).`,
  );
}

try {
  restore(process.argv.slice(2));
} catch (err) {
  console.error(`Restore failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
