/**
 * The release scripts' wrangler commands, without a Cloudflare account: the
 * plan scripts/release.ts builds from the options, git and a deployment, and
 * `npm run deploy -- --dry-run` / `npm run rollback -- --dry-run` as an
 * operator runs them (wrangler builds and checks the version, nothing is
 * uploaded).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  annotations,
  migrateCommand,
  NEW_VERSION,
  parseReleaseArgs,
  parseRollbackArgs,
  readCommit,
  rollbackCommand,
  STABLE_VERSION,
  stableVersion,
  trafficCommand,
  uploadCommand,
  type Commit,
} from "../../../scripts/release";
import { repoRoot } from "../../e2e/dev-server";

const commit: Commit = { sha: "1a2b3c4", subject: "Sessions keep their version", dirty: false };
const A = "aaaaaaaa-0000-4000-8000-000000000001";
const B = "bbbbbbbb-0000-4000-8000-000000000002";
const C = "cccccccc-0000-4000-8000-000000000003";

describe("a gradual release", () => {
  const options = parseReleaseArgs(["--env", "production", "--percentage", "10"]);

  it("migrates D1, uploads a version tagged with the commit, and gives it the share asked for next to the stable version", () => {
    expect(migrateCommand(options)).toEqual(["d1", "migrations", "apply", "DB", "--remote", "--env", "production"]);
    expect(uploadCommand(options, commit)).toEqual([
      "versions",
      "upload",
      "--env",
      "production",
      "--tag",
      "1a2b3c4",
      "--message",
      "Sessions keep their version",
    ]);
    expect(trafficCommand(options, commit, B, { versions: [{ version_id: A, percentage: 100 }] })).toEqual([
      "versions",
      "deploy",
      `${B}@10%`,
      `${A}@90%`,
      "--env",
      "production",
      "--message",
      "Sessions keep their version",
      "--yes",
    ]);
  });

  it("keeps the version that served most of a split as the stable one, and drops the other", () => {
    const split = {
      versions: [
        { version_id: B, percentage: 10 },
        { version_id: A, percentage: 90 },
      ],
    };
    expect(stableVersion(split, C)).toBe(A);
    // Moving B itself on: A keeps the rest.
    const more = parseReleaseArgs(["--env", "production", "--version", B, "--percentage", "50"]);
    expect(migrateCommand(more)).toBeNull();
    expect(trafficCommand(more, commit, B, split).slice(2, 4)).toEqual([`${B}@50%`, `${A}@50%`]);
    const all = parseReleaseArgs(["--env", "production", "--version", B, "--percentage", "100"]);
    expect(trafficCommand(all, commit, B, split).slice(2, 4)).toEqual([`${B}@100%`, "--env"]);
  });

  it("defaults to 10%, refuses other shares, and needs a first version deployed all at once", () => {
    expect(parseReleaseArgs([]).percentage).toBe(10);
    for (const bad of ["0", "101", "12.5", "ten"]) expect(() => parseReleaseArgs(["--percentage", bad])).toThrow(/--percentage/);
    expect(() => trafficCommand(options, commit, B, null)).toThrow(/--all-at-once/);
    expect(() => parseReleaseArgs(["--all-at-once", "--percentage", "50"])).toThrow(/takes no/);
  });

  it("goes out all at once with wrangler deploy, tagged the same way", () => {
    const once = parseReleaseArgs(["--env", "staging", "--all-at-once", "--durable-objects-code-update-mode", "deferred 30s"]);
    expect(uploadCommand(once, commit)).toEqual([
      "deploy",
      "--env",
      "staging",
      "--tag",
      "1a2b3c4",
      "--message",
      "Sessions keep their version",
      "--durable-objects-code-update-mode",
      "deferred 30s",
    ]);
  });

  it("marks a dirty tree in the tag and shortens a long subject to wrangler's 100 characters", () => {
    const long = { sha: "1a2b3c4", subject: "x".repeat(140), dirty: true };
    const { tag, message } = annotations(long);
    expect(tag).toBe("1a2b3c4-dirty");
    expect(message).toHaveLength(100);
  });

  it("reads the commit from git", () => {
    const answers: Record<string, string> = { "rev-parse": "9f8e7d6", log: "Fix the mirror", status: " M README.md" };
    expect(readCommit((args) => answers[args[0]!]!)).toEqual({ sha: "9f8e7d6", subject: "Fix the mirror", dirty: true });
  });
});

describe("a rollback", () => {
  it("sends all traffic to the previous version, or to the one named", () => {
    expect(rollbackCommand(parseRollbackArgs(["--env", "production"]))).toEqual([
      "rollback",
      "--env",
      "production",
      "--message",
      "npm run rollback",
      "--yes",
    ]);
    expect(rollbackCommand(parseRollbackArgs(["--env", "production", "--version", A, "-m", "503s after 1a2b3c4"]))).toEqual([
      "rollback",
      A,
      "--env",
      "production",
      "--message",
      "503s after 1a2b3c4",
      "--yes",
    ]);
  });
});

describe("the scripts, dry run", () => {
  const run = promisify(execFile);
  const npm = (args: string[]) => run("npm", ["run", "--silent", ...args], { cwd: repoRoot, env: { ...process.env, NO_COLOR: "1" } });

  it("npm run deploy -- --dry-run builds the version with wrangler and prints the deployment it would make", async () => {
    const { stdout } = await npm(["deploy", "--", "--env", "production", "--percentage", "25", "--dry-run"]);
    const sha = readCommit().sha;
    expect(stdout).toMatch(new RegExp(`^\\$ wrangler versions upload --env production --tag ${sha}(-dirty)? --message .* --dry-run$`, "m"));
    expect(stdout).toContain("--dry-run: exiting now.");
    expect(stdout).toContain(`$ wrangler versions deploy ${NEW_VERSION}@25% ${STABLE_VERSION}@75% --env production --message`);
    expect(stdout).not.toContain("migrations apply");
  }, 120_000);

  it("npm run rollback -- --dry-run prints the rollback", async () => {
    const { stdout } = await npm(["rollback", "--", "--env", "production", "--dry-run"]);
    expect(stdout).toContain('$ wrangler rollback --env production --message "npm run rollback" --yes');
  }, 60_000);
});
