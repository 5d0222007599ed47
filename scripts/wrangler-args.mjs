// Shared by scripts/dev.mjs and scripts/deploy.mjs: run wrangler from this
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
