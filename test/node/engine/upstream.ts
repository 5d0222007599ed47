/**
 * The upstream sample scripts are read in place, never copied into the repo:
 * `../shared/upstream-scripts` from the repository root (how CI lays it out),
 * else /work/shared/upstream-scripts.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

const repoRoot = resolve(import.meta.dirname, "../../..");
const dir =
  [resolve(repoRoot, "../shared/upstream-scripts"), "/work/shared/upstream-scripts"].find((d) => existsSync(d)) ??
  resolve(repoRoot, "../shared/upstream-scripts");

function path(file: string): string {
  return resolve(dir, file);
}

export const upstreamScript = Object.assign((file: string) => readFileSync(path(file), "utf8"), { path });
