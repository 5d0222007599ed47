/**
 * What GET /api/admin/metrics answers, as zod schemas: the queries (metrics.ts) build these
 * shapes, the route documents them, the /ops page draws them. Ids, counts, codes and
 * durations only.
 */
import { z } from "@hono/zod-openapi";
import { DomainError } from "../errors";

const ms = z.number().int().nonnegative();
const nullableMs = ms.nullable();

export const PercentilesSchema = z.object({ p50: nullableMs, p95: nullableMs }).openapi("Percentiles");

const BucketSchema = z
  .object({
    at: z.iso.datetime().openapi({ description: "Start of the interval" }),
    turns: z.number().int(),
    failed: z.number().int(),
    latencyMs: PercentilesSchema,
    modelLatencyMs: PercentilesSchema,
    inputTokens: z.number().int(),
    outputTokens: z.number().int(),
  })
  .openapi("MetricsBucket");

const UsageSchema = z.object({
  turns: z.number().int(),
  sessions: z.number().int().openapi({ description: "Sessions started in the range" }),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  estimatedCostUsd: z
    .number()
    .nonnegative()
    .openapi({ description: "Tokens times MODEL_PRICES; models without a price count as 0 (listed in `unpricedModels`)" }),
});

const VersionUsageSchema = UsageSchema.extend({
  versionId: z.string().nullable().openapi({ description: "The script version (null: inline scripts)" }),
});

const ProjectUsageSchema = UsageSchema.extend({
  projectId: z.string().nullable().openapi({ description: "null: inline scripts (authors' test runs, the canary)" }),
  versions: z.array(VersionUsageSchema),
}).openapi("ProjectUsage");

const CanaryRunSchema = z
  .object({
    at: z.iso.datetime(),
    ok: z.boolean(),
    latencyMs: ms,
    turns: z.number().int(),
    code: z.string().nullable(),
    mirrorLagMs: nullableMs,
  })
  .openapi("CanaryRun");

export const MetricsSchema = z
  .object({
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    intervalSeconds: z.number().int().positive(),
    sessions: z.object({
      started: z.number().int(),
      completed: z.number().int(),
      abandoned: z
        .number()
        .int()
        .openapi({ description: "Started in the range, not completed, and paused or archived since (idle past SESSION_PAUSE_TIMEOUT)" }),
      active: z.number().int().openapi({ description: "Active now, whenever they started" }),
    }),
    turns: z.object({
      total: z.number().int(),
      failed: z.number().int(),
      errorRate: z.number().min(0).max(1).openapi({ description: "Turns failed with a server-side code (5xx) over all turns" }),
      latencyMs: PercentilesSchema,
      modelLatencyMs: PercentilesSchema.openapi({ description: "Time waiting for the model, over turns that called it" }),
      inputTokens: z.number().int(),
      outputTokens: z.number().int(),
    }),
    errors: z
      .array(z.object({ code: z.string(), status: z.number().int(), count: z.number().int() }))
      .openapi({ description: "Failed turns by code, most first" }),
    recentErrors: z
      .array(
        z.object({
          at: z.iso.datetime(),
          code: z.string(),
          channel: z.string(),
          requestId: z.string().nullable(),
          sessionId: z.string().nullable(),
        }),
      )
      .openapi({ description: "The last 20 failed turns, newest first" }),
    series: z.array(BucketSchema),
    projects: z.array(ProjectUsageSchema),
    unpricedModels: z.array(z.string()),
    safety: z.object({
      crisisDetections: z.number().int().openapi({ description: "Safety flags at level high or imminent" }),
      flags: z.record(z.string(), z.number().int()).openapi({ description: "Safety flags by level" }),
      referrals: z.number().int().openapi({ description: "Times crisis resources were shown" }),
      guardedLines: z.number().int(),
    }),
    mirror: z.object({
      maxLagMs: nullableMs.openapi({ description: "Longest delay between a turn's end and its D1 write" }),
      p95LagMs: nullableMs,
    }),
    canary: z.object({
      runs: z.number().int(),
      failed: z.number().int(),
      latencyMs: PercentilesSchema,
      recent: z.array(CanaryRunSchema).openapi({ description: "The last 50 runs, oldest first" }),
    }),
  })
  .openapi("Metrics");

export type Metrics = z.infer<typeof MetricsSchema>;

const DURATION = /^(\d{1,6})([mhd])$/;
const UNIT_SECONDS = { m: 60, h: 3600, d: 86400 } as const;
export const MAX_RANGE_DAYS = 93;
export const MAX_BUCKETS = 500;

/** `5m`, `1h`, `1d` → seconds; null when it is not such a duration. */
export function intervalSeconds(text: string): number | null {
  const m = DURATION.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  return n > 0 ? n * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS] : null;
}

export const MetricsQuery = z
  .object({
    from: z.iso.datetime({ offset: true }).optional().openapi({ description: "Start (inclusive, ISO 8601); default: 24 hours before `to`" }),
    to: z.iso.datetime({ offset: true }).optional().openapi({ description: "End (exclusive, ISO 8601); default: now" }),
    interval: z
      .string()
      .regex(DURATION, "a duration such as 5m, 1h or 1d")
      .optional()
      .openapi({ description: "Width of each point of `series` (`5m`, `1h`, `1d`); default: a 48th of the range, at least 1m" }),
  })
  .strict();

export interface MetricsRange {
  from: number;
  to: number;
  intervalMs: number;
}

/** The range a query asks for; a range that is empty, too long or cut into too many intervals is the caller's VALIDATION_FAILED. */
export function metricsRange(q: z.infer<typeof MetricsQuery>, now: number): MetricsRange {
  const to = q.to ? Date.parse(q.to) : now;
  const from = q.from ? Date.parse(q.from) : to - 86_400_000;
  const seconds = q.interval ? intervalSeconds(q.interval) : Math.max(60, Math.ceil((to - from) / 48_000 / 60) * 60);
  const errors: { path: string; message: string; code: string }[] = [];
  if (from >= to) errors.push({ path: "from", message: "`from` must be before `to`", code: "custom" });
  else if (to - from > MAX_RANGE_DAYS * 86_400_000)
    errors.push({ path: "from", message: `the range is limited to ${MAX_RANGE_DAYS} days`, code: "custom" });
  if (seconds === null) errors.push({ path: "interval", message: "the interval must be positive", code: "custom" });
  else if (from < to && (to - from) / (seconds * 1000) > MAX_BUCKETS) {
    errors.push({ path: "interval", message: `at most ${MAX_BUCKETS} intervals per range`, code: "custom" });
  }
  if (errors.length || seconds === null) throw new DomainError("VALIDATION_FAILED", "The request query is not valid.", { errors });
  return { from, to, intervalMs: seconds * 1000 };
}
