#!/usr/bin/env node
/**
 * `npm run deploy -- --env production [--percentage 10] [--dry-run]`: remote
 * D1 migrations, a new Worker version tagged with the commit, and a gradual
 * deployment giving it that share of the traffic (scripts/release.ts).
 * `--version <id> --percentage 50|100` moves an uploaded version's share;
 * `--all-at-once` is `wrangler deploy` (the first deploy, Durable Object class
 * migrations). A dry run builds and checks the version without an account and
 * prints the deployment it would create.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Deployment, migrateCommand, NEW_VERSION, parseReleaseArgs, readCommit, STABLE_VERSION, trafficCommand, uploadCommand } from "./release";
import { wranglerStep } from "./wrangler-args.mjs";

/** The version id `wrangler versions upload` reports in its output file (WRANGLER_OUTPUT_FILE_PATH, one JSON object a line). */
function upload(args: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "heartrule-upload-"));
  const file = join(dir, "output.ndjson");
  try {
    wranglerStep(args, { env: { WRANGLER_OUTPUT_FILE_PATH: file } });
    const entry = readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; version_id?: string })
      .find((e) => e.type === "version-upload");
    if (!entry?.version_id) throw new Error("wrangler versions upload reported no version id");
    return entry.version_id;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function deploy(argv: string[]): void {
  const options = parseReleaseArgs(argv);
  const commit = readCommit();
  if (commit.dirty) console.log("The working tree has uncommitted changes: the version is tagged <sha>-dirty.");
  const migrate = migrateCommand(options);
  if (migrate) wranglerStep(migrate);

  if (options.allAtOnce) {
    wranglerStep(uploadCommand(options, commit));
    return;
  }
  let version = options.version;
  if (!version) {
    const args = uploadCommand(options, commit);
    if (options.dryRun) {
      wranglerStep(args);
      version = NEW_VERSION;
    } else version = upload(args);
  }
  let current: Deployment | null = { versions: [{ version_id: STABLE_VERSION, percentage: 100 }] };
  const status = ["deployments", "status", ...options.target, "--json"];
  if (options.percentage < 100) {
    const out = wranglerStep(status, { dryRun: options.dryRun, quiet: true });
    if (!options.dryRun) current = JSON.parse(out.slice(out.indexOf("{"))) as Deployment;
  }
  const traffic = trafficCommand(options, commit, version, current);
  wranglerStep(traffic, { dryRun: options.dryRun });
  if (options.dryRun) console.log("(dry run: nothing was uploaded or deployed)");
  else if (options.percentage < 100)
    console.log(
      `Version ${version} serves ${options.percentage}%. Watch it, then: npm run deploy -- ${options.target.join(" ")} --version ${version} --percentage 100`,
    );
}

try {
  deploy(process.argv.slice(2));
} catch (err) {
  console.error(`Deploy failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
