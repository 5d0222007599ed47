/**
 * One local Worker for a benchmark phase: `wrangler dev` on a free port with
 * a fresh state directory (D1 migrated first), the given [vars], and its
 * output in a log file. stop() ends the process group and removes the state,
 * and is safe to call more than once.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./ports";

// wrangler's `exports` no longer lists bin/: find the CLI through its package.json's bin field.
const wranglerManifest = createRequire(import.meta.url).resolve("wrangler/package.json");
const wranglerBin = join(
  dirname(wranglerManifest),
  (JSON.parse(readFileSync(wranglerManifest, "utf8")) as { bin: { wrangler: string } }).bin.wrangler,
);

export interface LocalWorker {
  origin: string;
  /** The DevTools protocol port (`--inspector-port`), for CPU profiles. */
  inspectorPort: number;
  logFile: string;
  /** When `wrangler dev` was spawned and when /health/ready first answered 200 (performance.now()). */
  startedAt: number;
  readyAt: number;
  /** CPU time (user + system) the server's processes have used so far; null where /proc is missing. */
  cpuMs(): ServerCpu | null;
  stop(): Promise<void>;
}

export interface WorkerOptions {
  /** Names the log file: `<logDir>/<label>.log`. */
  label: string;
  logDir: string;
  vars: Record<string, string>;
  readyTimeoutMs?: number;
  /** Where the fresh state directory is made (default: the system's temporary directory). */
  stateRoot?: string;
  /**
   * Secrets (an API key): written to a `.env` file (mode 0600) in the state directory and given
   * with `--env-file`, so they never appear on a command line; removed with the state.
   */
  secrets?: Record<string, string>;
  /** Fixed ports (a port range assigned to the caller) instead of the kernel's free ones. */
  ports?: { http: number; inspector: number };
  /** Another Worker than HeartRule (its wrangler config); it has no D1 to migrate and answers GET /health/ready. */
  config?: string;
}

const live = new Set<LocalWorker>();

/** Stops every Worker still running; for exit paths that skip the normal teardown. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((w) => w.stop()));
}

function migrate(persistTo: string, log: string): void {
  const result = spawnSync(process.execPath, [wranglerBin, "d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], {
    env: { ...process.env, CI: "1" },
    encoding: "utf8",
  });
  if (result.status !== 0) {
    throw new Error(`D1 migrations failed (exit ${result.status ?? result.signal}) for ${log}:\n${result.stderr || result.stdout}`);
  }
}

async function waitUntilReady(origin: string, child: ChildProcess, timeoutMs: number, logFile: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const tail = (await readFile(logFile, "utf8").catch(() => "")).split("\n").slice(-30).join("\n");
      throw new Error(`wrangler dev exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${tail}`);
    }
    try {
      const res = await fetch(`${origin}/health/ready`, { signal: AbortSignal.timeout(5000) });
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`${origin} was not ready within ${timeoutMs / 1000} s; see ${logFile}`);
}

/** CPU time of the local server's processes, in ms, by role. */
export interface ServerCpu {
  /** workerd running the Worker and its Durable Objects. */
  runtime: number;
  /** wrangler's own workerd in front of it: the port clients connect to, and the DevTools bridge. */
  proxy: number;
  /** wrangler's other processes: Node (logs, DevTools events, reloads) and esbuild. */
  wrangler: number;
}

let ticksPerSecond: number | undefined;

/**
 * utime + stime of every process in wrangler's process group, from
 * /proc/<pid>/stat, sorted into roles. Linux only: null elsewhere.
 */
function serverCpuMs(group: number, port: number): ServerCpu | null {
  try {
    ticksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    const cpu: ServerCpu = { runtime: 0, proxy: 0, wrangler: 0 };
    for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      let stat: string;
      let cmdline: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      } catch {
        continue; // gone meanwhile
      }
      // pid (comm) state ppid pgrp … utime(14) stime(15): split after the comm, which may hold spaces.
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== group) continue;
      const ms = ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000;
      if (comm !== "workerd") cpu.wrangler += ms;
      else if (cmdline.includes(`entry=127.0.0.1:${port}`)) cpu.proxy += ms;
      else cpu.runtime += ms;
    }
    return cpu;
  } catch {
    return null;
  }
}

export async function startWorker(options: WorkerOptions): Promise<LocalWorker> {
  const persistTo = await mkdtemp(join(options.stateRoot ?? tmpdir(), `heartrule-bench-${options.label}-`));
  const logFile = join(options.logDir, `${options.label}.log`);
  let child: ChildProcess | undefined;
  let port = 0;
  let inspectorPort = 0;
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      live.delete(handle);
      if (child?.pid && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child!.once("exit", resolve));
        // wrangler starts workerd as its own child: end the whole group.
        process.kill(-child.pid, "SIGTERM");
        const forced = sleep(5000).then(() => {
          if (child!.exitCode === null && child!.signalCode === null) process.kill(-child!.pid!, "SIGKILL");
        });
        await Promise.race([exited, forced]);
      }
      await rm(persistTo, { recursive: true, force: true });
    })());
  const handle: LocalWorker = {
    origin: "",
    inspectorPort: 0,
    logFile,
    startedAt: 0,
    readyAt: 0,
    cpuMs: () => (child?.pid ? serverCpuMs(child.pid, port) : null),
    stop,
  };
  live.add(handle);
  try {
    if (!options.config) migrate(persistTo, logFile);
    [port, inspectorPort] = options.ports ? [options.ports.http, options.ports.inspector] : [await freePort(), await freePort()];
    const vars = Object.entries(options.vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
    if (options.secrets && Object.keys(options.secrets).length) {
      const envFile = join(persistTo, "secrets.env");
      await writeFile(
        envFile,
        Object.entries(options.secrets)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}\n`)
          .join(""),
        { mode: 0o600 },
      );
      vars.push("--env-file", envFile);
    }
    const log = createWriteStream(logFile);
    handle.startedAt = performance.now();
    child = spawn(
      process.execPath,
      [
        wranglerBin,
        "dev",
        "--ip",
        "127.0.0.1",
        "--port",
        String(port),
        "--inspector-port",
        String(inspectorPort),
        "--persist-to",
        persistTo,
        "--show-interactive-dev-session=false",
        ...(options.config ? ["--config", options.config] : []),
        ...vars,
      ],
      { detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false" } },
    );
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    handle.origin = `http://127.0.0.1:${port}`;
    handle.inspectorPort = inspectorPort;
    await waitUntilReady(handle.origin, child, options.readyTimeoutMs ?? 90_000, logFile);
    handle.readyAt = performance.now();
    return handle;
  } catch (err) {
    await stop();
    throw err;
  }
}
