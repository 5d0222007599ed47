import { createRoute, z } from "@hono/zod-openapi";
import pkg from "../../package.json";
import type { Env } from "../config";
import { createRouter } from "../http/router";
import { log } from "../log";
import { publicSecurity } from "../http/auth";
import { limitPublicRoute } from "../limits/rate-limit";
import { problemResponses } from "../http/problem";

const LivenessSchema = z
  .object({
    status: z.literal("ok"),
    version: z.string().openapi({ example: pkg.version }),
    time: z.iso.datetime(),
  })
  .openapi("Liveness");

const CheckSchema = z
  .object({
    ok: z.boolean(),
    latencyMs: z.number(),
    error: z.string().optional().openapi({ description: "Why the check failed; never an internal message" }),
  })
  .openapi("ReadinessCheck");

const checkNames = ["d1", "kv", "durableObject"] as const;
type CheckName = (typeof checkNames)[number];

const ReadinessSchema = z
  .object({
    status: z.enum(["ready", "unavailable"]),
    version: z.string(),
    time: z.iso.datetime(),
    checks: z.object({ d1: CheckSchema, kv: CheckSchema, durableObject: CheckSchema }),
    failing: z.array(z.enum(checkNames)).openapi({ description: "Names of the checks that failed" }),
  })
  .openapi("Readiness");

const liveness = createRoute({
  method: "get",
  operationId: "getLiveness",
  path: "/health",
  tags: ["health"],
  summary: "Liveness: the Worker is up",
  security: publicSecurity,
  middleware: [limitPublicRoute] as const,
  responses: { 200: { description: "Alive", content: { "application/json": { schema: LivenessSchema } } }, ...problemResponses(429) },
});

const readiness = createRoute({
  method: "get",
  operationId: "getReadiness",
  path: "/health/ready",
  tags: ["health"],
  summary: "Readiness: D1, KV and a Durable Object answer",
  security: publicSecurity,
  middleware: [limitPublicRoute] as const,
  responses: {
    ...problemResponses(429),
    200: { description: "Every dependency answered", content: { "application/json": { schema: ReadinessSchema } } },
    503: { description: "At least one dependency failed", content: { "application/json": { schema: ReadinessSchema } } },
  },
});

const CHECK_TIMEOUT_MS = 3000;

async function timed(name: CheckName, run: () => Promise<unknown>): Promise<z.infer<typeof CheckSchema>> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      run(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("timeout")), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, latencyMs: Date.now() - started };
  } catch (err) {
    const timedOut = err instanceof Error && err.message === "timeout";
    log({ level: "warn", msg: "readiness check failed", check: name, error: err instanceof Error ? err.name : "unknown" });
    return { ok: false, latencyMs: Date.now() - started, error: timedOut ? `no answer within ${CHECK_TIMEOUT_MS} ms` : `${name} check failed` };
  } finally {
    clearTimeout(timer);
  }
}

export async function checkReadiness(env: Env) {
  const [d1, kv, durableObject] = await Promise.all([
    // A table from the first migration: a reachable but unmigrated database is not ready.
    timed("d1", () => env.DB.prepare("SELECT count(*) AS n FROM app_meta").first()),
    timed("kv", () => env.CACHE.get("health:probe")),
    timed("durableObject", async () => {
      const stub = env.SESSION_ACTOR.get(env.SESSION_ACTOR.idFromName("health:probe"));
      if ((await stub.ping()) !== "pong") throw new Error("unexpected answer");
    }),
  ]);
  const checks = { d1, kv, durableObject };
  const failing = checkNames.filter((n) => !checks[n].ok);
  return { checks, failing };
}

export const healthRoutes = createRouter()
  .openapi(liveness, (c) => c.json({ status: "ok" as const, version: pkg.version, time: new Date().toISOString() }, 200))
  .openapi(readiness, async (c) => {
    const { checks, failing } = await checkReadiness(c.env);
    const body = {
      status: failing.length ? ("unavailable" as const) : ("ready" as const),
      version: pkg.version,
      time: new Date().toISOString(),
      checks,
      failing,
    };
    return failing.length ? c.json(body, 503) : c.json(body, 200);
  });
