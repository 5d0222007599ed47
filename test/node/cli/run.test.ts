/**
 * `heartrule run` as a pipeline stage: a reader that stops early
 * (`heartrule run --json | head -1`) ends it quietly, with no stack trace.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";

const repoRoot = join(import.meta.dirname, "../../..");

it("exits 0 without a word when its reader closes the pipe (EPIPE)", async () => {
  const child = spawn(process.execPath, [join(repoRoot, "bin/heartrule.mjs"), "run", "scripts/sessions/intake_en.yaml", "--json", "--answers", "-"], {
    cwd: repoRoot,
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin.end("Sam\nbusy at work\n6\nI wake up at 4am\nsleep better\nthanks\n");
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  let first = "";
  // Like `head -1`: read up to the first line, then close the pipe.
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    first += chunk;
    if (first.includes("\n")) child.stdout.destroy();
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(JSON.parse(first.split("\n")[0]!)).toMatchObject({ type: "message" });
  expect(stderr).toBe("");
  expect(code).toBe(0);
}, 60_000);
