// Shared by scripts/dev.mjs and the release, backup and restore scripts: run wrangler from this
// project, and pick out the flags that must reach every wrangler step alike.
import { spawn, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
// wrangler's `exports` no longer lists bin/: find the CLI through its package.json's bin field.
const manifest = require.resolve("wrangler/package.json");
export const wranglerBin = join(dirname(manifest), require(manifest).bin.wrangler);

/** Flags (with their values) that select the state directory, environment or config file. */
const SHARED_FLAGS = new Set(["--persist-to", "--env", "-e", "--config", "-c"]);

export function sharedFlags(args) {
  const picked = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [name] = arg.split("=", 1);
    if (!SHARED_FLAGS.has(name)) continue;
    picked.push(arg);
    if (!arg.includes("=") && i + 1 < args.length) picked.push(args[++i]);
  }
  return picked;
}

/** Runs wrangler to completion; exits this process if it fails. */
export function wranglerSync(args, options = {}) {
  const result = spawnSync(process.execPath, [wranglerBin, ...args], { stdio: "inherit", ...options });
  if (result.status !== 0) {
    console.error(`\nwrangler ${args.join(" ")} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}

/** Runs wrangler in the foreground, forwarding signals, and exits with its code. */
export function wranglerForeground(args) {
  const child = spawn(process.execPath, [wranglerBin, ...args], { stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/**
 * Prints `$ wrangler <args>`, runs it to completion and returns its standard output; throws when it fails.
 * A dry run prints the command and runs nothing. CI=1: no confirmation prompt on a terminal.
 */
export function wranglerStep(args, { dryRun = false, quiet = false, env = {} } = {}) {
  console.log(`$ wrangler ${args.map((a) => (/^[\w@%./:=<>-]+$/.test(a) ? a : JSON.stringify(a))).join(" ")}`);
  if (dryRun) return "";
  const started = Date.now();
  const result = spawnSync(process.execPath, [wranglerBin, ...args], {
    encoding: "utf8",
    env: { ...process.env, CI: "1", ...env },
    maxBuffer: 1 << 30,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (!quiet) process.stdout.write(result.stdout);
  if (!quiet || result.status !== 0) process.stderr.write(result.stderr);
  if (result.status !== 0) {
    if (quiet) process.stderr.write(result.stdout);
    throw new Error(`wrangler ${args.slice(0, 2).join(" ")} failed (exit ${result.status ?? result.signal})`);
  }
  console.log(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return result.stdout;
}
