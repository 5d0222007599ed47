/**
 * Where `npm run backup` and `npm run restore` act, and how they call
 * wrangler there: the remote database of an environment (`--env production`),
 * or a local state directory (`--local`, `--persist-to DIR`, as `npm run dev`
 * takes them). Each wrangler call is printed before it runs; `--dry-run`
 * prints them and runs none.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { unstable_readConfig } from "wrangler";
import { wranglerStep } from "./wrangler-args.mjs";

export interface Target {
  env: string | null;
  config: string;
  /** Local state (the default directory when persistTo is null) rather than the remote database. */
  local: boolean;
  persistTo: string | null;
  dryRun: boolean;
}

const TARGET_OPTIONS = {
  env: { type: "string", short: "e" },
  config: { type: "string", short: "c" },
  local: { type: "boolean" },
  remote: { type: "boolean" },
  "persist-to": { type: "string" },
  "dry-run": { type: "boolean" },
} as const satisfies ParseArgsConfig["options"];

/** The target flags plus a script's own (`--output`, `--file`). */
export function parseTarget<O extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], own: O) {
  const { values } = parseArgs({ args: argv, options: { ...TARGET_OPTIONS, ...own }, strict: true, allowPositionals: false });
  const v = values as Record<string, string | boolean | undefined>;
  if (v.local && v.remote) throw new Error("--local and --remote exclude each other");
  if (v.remote && v["persist-to"]) throw new Error("--persist-to is for local state; it excludes --remote");
  const target: Target = {
    env: (v.env as string | undefined) ?? null,
    config: (v.config as string | undefined) ?? "wrangler.toml",
    local: Boolean(v.local || v["persist-to"]),
    persistTo: (v["persist-to"] as string | undefined) ?? null,
    dryRun: Boolean(v["dry-run"]),
  };
  return { target, values: v };
}

/** The flags that select the same database, environment and state directory in every wrangler command. */
export function targetFlags(t: Target, { persist = true } = {}): string[] {
  const flags = ["--config", t.config];
  if (t.env) flags.push("--env", t.env);
  if (!t.local) return [...flags, "--remote"];
  flags.push("--local");
  if (persist && t.persistTo) flags.push("--persist-to", t.persistTo);
  return flags;
}

/** Prints and runs `wrangler <args>`; returns its standard output. Throws when it fails. Runs nothing in a dry run. */
export function wrangler(t: Target, args: string[], { quiet = false } = {}): string {
  return wranglerStep(args, { dryRun: t.dryRun, quiet });
}

/** The rows of each statement of a `d1 execute --json --command`. */
export function queryJson<T>(t: Target, sql: string): T[][] {
  const out = wrangler(t, ["d1", "execute", "DB", ...targetFlags(t), "--json", "--command", sql], { quiet: true });
  if (t.dryRun) return [];
  const start = out.search(/^\[/m);
  if (start < 0) throw new Error("wrangler d1 execute --json printed no JSON");
  return (JSON.parse(out.slice(start)) as { results: T[] }[]).map((r) => r.results);
}

/**
 * `wrangler d1 export` has no `--persist-to`: it reads `.wrangler/state` next
 * to its configuration file. For another state directory it gets a
 * configuration of its own (this database only) in a temporary directory
 * whose `.wrangler/state` links to that directory.
 */
export function exportCommand(t: Target, output: string): { args: string[]; cleanup: () => void } {
  const base = ["d1", "export", "DB", "--output", output, "--no-schema"];
  if (!t.local || !t.persistTo) return { args: [...base, ...targetFlags(t)], cleanup: () => {} };
  const config = unstable_readConfig({ config: t.config, env: t.env ?? undefined });
  const db = config.d1_databases.find((d: { binding: string }) => d.binding === "DB");
  if (!db) throw new Error(`${t.config} binds no D1 database as DB`);
  const dir = mkdtempSync(join(tmpdir(), "heartrule-export-"));
  const file = join(dir, "wrangler.json");
  if (!t.dryRun) {
    mkdirSync(join(dir, ".wrangler"));
    symlinkSync(resolve(t.persistTo), join(dir, ".wrangler", "state"));
    const { binding, database_name, database_id, preview_database_id } = db;
    writeFileSync(file, JSON.stringify({ name: config.name, d1_databases: [{ binding, database_name, database_id, preview_database_id }] }));
  }
  return { args: [...base, "--config", file, "--local"], cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
