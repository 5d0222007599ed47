#!/usr/bin/env node
// Seeds the sample project into a running local server: waits for
// /health/ready, then calls the development-only POST /api/dev/seed, which
// creates and publishes "HeartRule samples" (scripts/sessions/*.yaml, bundled
// into the Worker) when the database has no projects, and does nothing
// otherwise. `npm run dev` calls it; by hand: `node scripts/seed.mjs --port 8787`.
import { pathToFileURL } from "node:url";

/** Where `wrangler dev` listens, from the flags it was given. */
export function devOrigin(args) {
  const value = (name, fallback) => {
    const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
    if (i < 0) return fallback;
    return args[i].includes("=") ? args[i].split("=")[1] : (args[i + 1] ?? fallback);
  };
  const ip = value("--ip", "localhost");
  const host = ["0.0.0.0", "::", "*"].includes(ip) ? "localhost" : ip.includes(":") ? `[${ip}]` : ip;
  return `http://${host}:${value("--port", "8787")}`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function seedWhenReady(origin, { timeoutMs = 180_000, intervalMs = 500 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${origin}/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${origin} was not ready within ${timeoutMs / 1000} s`);
    await sleep(intervalMs);
  }
  const res = await fetch(`${origin}/api/dev/seed`, { method: "POST" });
  if (res.status === 404) {
    console.log("Sample project not seeded: ENVIRONMENT is not development.");
    return null;
  }
  if (!res.ok) throw new Error(`POST /api/dev/seed answered ${res.status}: ${await res.text()}`);
  const result = await res.json();
  console.log(
    result.seeded
      ? `Seeded the sample project "HeartRule samples" (${result.projectId}), published as ${result.versionNumber}: GET /api/projects/published lists its scripts.`
      : "The local database already has projects; nothing seeded.",
  );
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  seedWhenReady(devOrigin(process.argv.slice(2))).catch((err) => {
    console.error(`Seeding failed: ${err.message}`);
    process.exit(1);
  });
}
