/**
 * The wrangler commands of a release, built from the options and what git
 * and Cloudflare say, with no side effect, so scripts/deploy.ts and
 * scripts/rollback.ts run them and test/node/ops/release.test.ts reads them.
 *
 * A release is a Worker version uploaded with the commit's short sha as its
 * tag and its subject as its message (`wrangler versions upload`), then
 * deployed to a share of the traffic next to the version that serves the
 * rest (`wrangler versions deploy <new>@<p>% <stable>@<100-p>%`). Each
 * session's Durable Object is assigned one of the two versions for the whole
 * deployment, so a session never switches between them mid-conversation; a
 * later deployment that lists the versions in the same order and raises the
 * new one's share moves more objects to it and none back.
 *
 * Versions cannot carry a Durable Object class migration (`[[migrations]]` in
 * wrangler.toml; the upload is refused with error 10211): those, and the
 * first deploy of a Worker, go out all at once with `--all-at-once`
 * (`wrangler deploy`), and no rollback crosses them.
 */
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";

export interface Commit {
  sha: string;
  subject: string;
  dirty: boolean;
}

/** The current deployment as `wrangler deployments status --json` prints it. */
export interface Deployment {
  versions: { version_id: string; percentage: number }[];
}

export interface ReleaseOptions {
  /** wrangler flags that select the Worker: --env, --config. */
  target: string[];
  percentage: number;
  /** Move an uploaded version to `percentage` instead of uploading one. */
  version: string | null;
  allAtOnce: boolean;
  dryRun: boolean;
  /** Forwarded to `versions deploy`/`deploy` when set: immediate, or `deferred <delay>`. */
  doCodeUpdate: string | null;
}

/** Placeholders a dry run prints where an account would have answered. */
export const NEW_VERSION = "<new-version-id>";
export const STABLE_VERSION = "<stable-version-id>";

/** Annotations are short: wrangler's version and deployment messages hold 100 characters. */
const MESSAGE_LIMIT = 100;

export function readCommit(run = (args: string[]) => execFileSync("git", args, { encoding: "utf8" }).trim()): Commit {
  return { sha: run(["rev-parse", "--short", "HEAD"]), subject: run(["log", "-1", "--format=%s"]), dirty: run(["status", "--porcelain"]) !== "" };
}

export function annotations(commit: Commit): { tag: string; message: string } {
  const tag = commit.dirty ? `${commit.sha}-dirty` : commit.sha;
  const message = commit.subject.length > MESSAGE_LIMIT ? `${commit.subject.slice(0, MESSAGE_LIMIT - 1)}…` : commit.subject;
  return { tag, message };
}

/** The flags both scripts take: which Worker (`--env`, `--config`) and `--dry-run`. */
const COMMON_OPTIONS = {
  env: { type: "string", short: "e" },
  config: { type: "string", short: "c" },
  "dry-run": { type: "boolean" },
} as const;

const targetOf = (values: { env?: string | undefined; config?: string | undefined }) => [
  ...(values.env ? ["--env", values.env] : []),
  ...(values.config ? ["--config", values.config] : []),
];

export function parseReleaseArgs(argv: string[]): ReleaseOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...COMMON_OPTIONS,
      percentage: { type: "string", short: "p" },
      version: { type: "string" },
      "all-at-once": { type: "boolean" },
      "durable-objects-code-update-mode": { type: "string" },
    },
  });
  const percentage = Number(values.percentage ?? "10");
  if (!Number.isInteger(percentage) || percentage < 1 || percentage > 100)
    throw new Error(`--percentage must be a whole number from 1 to 100, not ${values.percentage}`);
  if (values["all-at-once"] && (values.version || values.percentage))
    throw new Error("--all-at-once deploys the checkout to all traffic: it takes no --version or --percentage");
  return {
    target: targetOf(values),
    percentage,
    version: values.version ?? null,
    allAtOnce: Boolean(values["all-at-once"]),
    dryRun: Boolean(values["dry-run"]),
    doCodeUpdate: values["durable-objects-code-update-mode"] ?? null,
  };
}

const codeUpdate = (o: ReleaseOptions) => (o.doCodeUpdate ? ["--durable-objects-code-update-mode", o.doCodeUpdate] : []);

/** Remote D1 migrations first, so no version runs against an older schema; a dry run or a traffic move migrates nothing. */
export function migrateCommand(o: ReleaseOptions): string[] | null {
  return o.dryRun || o.version ? null : ["d1", "migrations", "apply", "DB", "--remote", ...o.target];
}

export function uploadCommand(o: ReleaseOptions, commit: Commit): string[] {
  const { tag, message } = annotations(commit);
  const dry = o.dryRun ? ["--dry-run"] : [];
  if (o.allAtOnce) return ["deploy", ...o.target, "--tag", tag, "--message", message, ...codeUpdate(o), ...dry];
  return ["versions", "upload", ...o.target, "--tag", tag, "--message", message, ...dry];
}

/** The version serving most of the traffic now, which keeps what the new one does not take. */
export function stableVersion(current: Deployment | null, newVersion: string): string | null {
  const others = (current?.versions ?? []).filter((v) => v.version_id !== newVersion);
  return others.sort((a, b) => b.percentage - a.percentage)[0]?.version_id ?? null;
}

export function trafficCommand(o: ReleaseOptions, commit: Commit, newVersion: string, current: Deployment | null): string[] {
  const specs = [`${newVersion}@${o.percentage}%`];
  if (o.percentage < 100) {
    const stable = stableVersion(current, newVersion);
    if (!stable) throw new Error("no version serves the rest of the traffic: deploy the first version with --all-at-once");
    specs.push(`${stable}@${100 - o.percentage}%`);
  }
  const { message } = annotations(commit);
  return ["versions", "deploy", ...specs, ...o.target, "--message", message, ...codeUpdate(o), "--yes"];
}

export interface RollbackOptions {
  target: string[];
  version: string | null;
  message: string;
  dryRun: boolean;
}

export function parseRollbackArgs(argv: string[]): RollbackOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { ...COMMON_OPTIONS, version: { type: "string" }, message: { type: "string", short: "m" } },
  });
  return {
    target: targetOf(values),
    version: values.version ?? null,
    message: values.message ?? "npm run rollback",
    dryRun: Boolean(values["dry-run"]),
  };
}

/** `wrangler rollback [<version>]`: all traffic to that version, or to the one deployed before the current one. */
export function rollbackCommand(o: RollbackOptions): string[] {
  return ["rollback", ...(o.version ? [o.version] : []), ...o.target, "--message", o.message.slice(0, MESSAGE_LIMIT), "--yes"];
}
