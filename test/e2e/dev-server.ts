/**
 * Starts `npm run dev -- --port <free> --persist-to <fresh dir>` (exactly what
 * a newcomer runs, in its own state directory) and waits for /health/ready.
 * Shared by the browser tests and the `heartrule chat` test.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const repoRoot = resolve(import.meta.dirname, "../..");

/** Ports this project may serve on locally; any free port when all are taken. */
const PORT_RANGE = { first: Number(process.env.E2E_PORT_FIRST ?? 8851), last: Number(process.env.E2E_PORT_LAST ?? 8859) };

function tryListen(port: number): Promise<number | null> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(null));
    server.listen(port, "127.0.0.1", () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => done(bound));
    });
  });
}

/** A port nobody listens on, from the project's range first. */
export async function freePort(exclude: number[] = []): Promise<number> {
  for (let port = PORT_RANGE.first; port <= PORT_RANGE.last; port++) {
    if (exclude.includes(port)) continue;
    if ((await tryListen(port)) !== null) return port;
  }
  return (await tryListen(0))!;
}

export interface DevServer {
  url: string;
  port: number;
  /** Everything the server printed (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

async function waitReady(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm run dev exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`${url}/health/ready`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`npm run dev was not ready within ${timeoutMs} ms:\n${output()}`);
}

/** `npm run dev` publishes the sample project once the server is ready: wait until a client can see it. */
async function waitForSample(url: string, timeoutMs: number): Promise<void> {
  const res = await fetch(`${url}/api/auth/dev-token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ userId: "e2e-harness", role: "client" }),
  });
  const { token } = (await res.json()) as { token: string };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const list = await fetch(`${url}/api/projects/published`, { headers: { authorization: `Bearer ${token}` } });
    if (list.ok && ((await list.json()) as { items: unknown[] }).items.length > 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`npm run dev published no sample project within ${timeoutMs} ms`);
}

/**
 * `vars`: Worker variables for this server only (`wrangler dev --var`), e.g. a model provider pointed at a test's fake.
 * `persistTo`: a state directory the caller owns (kept after stop), e.g. one a backup was restored into; else a fresh one, removed on stop.
 */
export async function startDevServer(options: { timeoutMs?: number; vars?: Record<string, string>; persistTo?: string } = {}): Promise<DevServer> {
  // Two test files starting servers at once may pick the same free port before either binds it: the loser tries another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      if (attempt >= 3 || !/Address already in use/.test(String(err))) throw err;
    }
  }
}

async function startOnce({
  timeoutMs = 120_000,
  vars = {} as Record<string, string>,
  persistTo = undefined as string | undefined,
}): Promise<DevServer> {
  const port = await freePort();
  const inspectorPort = await freePort([port]);
  const state = persistTo ?? mkdtempSync(join(tmpdir(), "heartrule-e2e-"));
  let log = "";
  const child = spawn(
    "npm",
    [
      "run",
      "dev",
      "--",
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--inspector-port",
      String(inspectorPort),
      "--persist-to",
      state,
      "--show-interactive-dev-session=false",
      ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, CI: "1", NO_COLOR: "1", WRANGLER_SEND_METRICS: "false" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  child.stdout!.on("data", (chunk) => (log += chunk));
  child.stderr!.on("data", (chunk) => (log += chunk));
  const url = `http://127.0.0.1:${port}`;
  // npm may end by the signal (signalCode) rather than with a code: either way it has stopped, and a second stop does nothing.
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (running()) {
      const exited = new Promise((r) => child.once("exit", r));
      // The whole group: npm, node scripts/dev.mjs, wrangler and workerd.
      process.kill(-child.pid!, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (running()) process.kill(-child.pid!, "SIGKILL");
    }
    if (!persistTo) rmSync(state, { recursive: true, force: true });
  };
  try {
    await waitReady(url, child, () => log, timeoutMs);
    await waitForSample(url, timeoutMs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, output: () => log, stop };
}
