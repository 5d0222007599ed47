/** What the numbers were measured on, recorded next to them. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { resolve } from "node:path";

const require = createRequire(import.meta.url);

export function packageVersion(name: string): string {
  let manifest: string;
  try {
    manifest = require.resolve(`${name}/package.json`);
  } catch {
    // A package whose `exports` leave its manifest out: it is still where npm put it.
    manifest = resolve("node_modules", name, "package.json");
  }
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

function run(command: string, args: string[]): string | null {
  try {
    return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

export function captureEnvironment() {
  const cpus = os.cpus();
  const workerdBin = require.resolve("workerd/bin/workerd");
  const status = run("git", ["status", "--porcelain", "--untracked-files=no"]);
  return {
    cpu: { model: cpus[0]?.model.trim() ?? "unknown", cores: cpus.length, speedMHz: cpus[0]?.speed ?? null },
    /** What else the machine was running: the 1, 5 and 15 minute load averages when the run started (2 cores: above 2 is contention). */
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    workerd: { package: packageVersion("workerd"), binary: run(workerdBin, ["--version"]) },
    wrangler: packageVersion("wrangler"),
    git: { commit: run("git", ["rev-parse", "HEAD"]), dirty: status === null ? null : status.length > 0 },
  };
}

export type Environment = ReturnType<typeof captureEnvironment>;
