/**
 * Routes the benchmark needs and nobody else — the echo Durable Object's
 * socket, the session actors' turn-cost counters and the D1 mirror's lag: they exist only when
 * ENVIRONMENT is `development` or `bench`, and answer 404 everywhere else,
 * before any other check, like an unknown address. Documented under the
 * `bench` tag, like the other development-only routes.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { getConfig } from "../config";
import { bearerSecurity, publicSecurity, requireAuth } from "../http/auth";
import { LOCAL_ONLY } from "../http/openapi";
import { problemResponses } from "../http/problem";
import { DomainError } from "../errors";
import { createRouter } from "../http/router";
import type { AppEnv } from "../http/types";
import { sessionActor } from "../routes/sessions/common";
import { sumCosts } from "../session/instrumentation";
import { mirrorReport } from "./mirror";

const benchEnvironments: readonly string[] = ["development", "bench"];

export const benchTag = { name: "bench", description: "Benchmark helpers; they exist only when ENVIRONMENT is development or bench (npm run bench)" };

export const benchOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (!benchEnvironments.includes(getConfig(c.env).ENVIRONMENT)) {
    throw new DomainError("NOT_FOUND", "There is nothing at this address.");
  }
  await next();
});

const echoSocket = createRoute({
  method: "get",
  operationId: "connectBenchEcho",
  path: "/api/bench/echo/{name}/ws",
  tags: ["bench"],
  summary: "WebSocket to a bare echo Durable Object",
  description:
    "The benchmark's floor: every frame comes straight back from the Durable Object called `name` (one per connection). Exists only when `ENVIRONMENT` is `development` or `bench`; answers 404 everywhere else.",
  middleware: [benchOnly] as const,
  security: publicSecurity,
  ...LOCAL_ONLY,
  request: {
    params: z.object({
      name: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,64}$/)
        .openapi({ example: "conn-0" }),
    }),
    query: z.object({
      durable: z
        .enum(["0", "1"])
        .optional()
        .openapi({ description: "`1`: write each frame to the object's SQLite storage before echoing it (the floor of a durable answer)" }),
    }),
  },
  responses: {
    101: { description: "Switching to the WebSocket protocol" },
    ...problemResponses(400, 404),
  },
});

const CostCounters = z
  .object({
    sessions: z.number().int().openapi({ description: "Sessions whose actor answered with counters" }),
    turns: z.number().int(),
    d1RoundTrips: z.number().int(),
    kvReads: z.number().int(),
    storageCommits: z.number().int().openapi({ description: "Durable commits of the actors' own storage" }),
    alarmWrites: z.number().int(),
    sqlStatements: z.number().int().openapi({ description: "Statements run on the actors' own SQLite, reads included" }),
    commitMs: z
      .array(z.number().int())
      .openapi({ description: "Commits by time to durability, in the buckets of `commitBucketsMs` (the last: slower)" }),
    alarmCommitMs: z.array(z.number().int()).openapi({ description: "The same for the commits that also changed the alarm" }),
    commitBucketsMs: z.array(z.number()),
  })
  .openapi("BenchCost");

/** A bench-only read over some sessions (at most 100 a request): admins only, and only where the bench routes exist. */
function sessionsRead<S extends z.ZodType>(read: {
  operationId: string;
  path: string;
  summary: string;
  description: string;
  request: string;
  response: { description: string; schema: S };
}) {
  return createRoute({
    method: "post",
    operationId: read.operationId,
    path: read.path,
    tags: ["bench"],
    summary: read.summary,
    description: `${read.description} Admins only; exists only when \`ENVIRONMENT\` is \`development\` or \`bench\`; answers 404 everywhere else.`,
    security: bearerSecurity,
    ...LOCAL_ONLY,
    middleware: [benchOnly, requireAuth("admin")] as const,
    request: {
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z
              .object({ sessionIds: z.array(z.uuid()).min(1).max(100) })
              .strict()
              .openapi(read.request),
          },
        },
      },
    },
    responses: {
      200: { description: read.response.description, content: { "application/json": { schema: read.response.schema } } },
      ...problemResponses(400, 401, 403, 404),
    },
  });
}

const cost = sessionsRead({
  operationId: "getBenchCost",
  path: "/api/bench/cost",
  summary: "What the sessions' turns cost, summed",
  description: "D1 round trips, KV reads and turns counted by each session actor since it was last loaded (the counters live in memory).",
  request: "BenchCostRequest",
  response: { description: "The sessions' counters, summed", schema: CostCounters },
});

const mirror = sessionsRead({
  operationId: "getBenchMirror",
  path: "/api/bench/mirror",
  summary: "How the sessions' turns reached D1",
  description:
    "Each of the sessions' turns' mirror lag (turn_metrics: mirrored_at − ended_at) and the D1 batches the mirror queue's consumer has written in this Worker so far.",
  request: "BenchMirrorRequest",
  response: {
    description: "The sessions' mirror lags and the consumer's counters",
    schema: z
      .object({
        consumerD1Batches: z.number().int().openapi({ description: "D1 batches the queue consumer wrote since the Worker started" }),
        consumerStatements: z.number().int().openapi({ description: "SQL statements in those batches" }),
        consumerMessages: z.number().int().openapi({ description: "Queue messages those batches held" }),
        lagsMs: z.array(z.number()).openapi({ description: "One per turn of the sessions that reached D1" }),
      })
      .openapi("BenchMirror"),
  },
});

export const benchRoutes = createRouter()
  .openapi(echoSocket, (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new DomainError("BAD_REQUEST", "Open this address as a WebSocket.");
    }
    const namespace = c.env.BENCH_ECHO;
    return namespace.get(namespace.idFromName(c.req.valid("param").name)).fetch(c.req.raw);
  })
  .openapi(cost, async (c) => {
    const { sessionIds } = c.req.valid("json");
    const reports = await Promise.all(sessionIds.map((id) => sessionActor(c.env, id).instrumentation()));
    // Null where the actor counts nothing; the route only exists where it counts.
    const sum = sumCosts(reports);
    return c.json(sum, 200);
  })
  .openapi(mirror, async (c) => c.json(await mirrorReport(c.env.DB, c.req.valid("json").sessionIds), 200));
