/** GET /api/admin/metrics: what operators watch, aggregated from D1 (admins only; ids and counts, never content). */
import { createRoute } from "@hono/zod-openapi";
import { getConfig } from "../../config";
import { bearerSecurity, requireAuth } from "../../http/auth";
import { jsonResponse } from "../../http/openapi";
import { problemResponses } from "../../http/problem";
import { createRouter } from "../../http/router";
import { D1Metrics } from "../../ops/metrics";
import { MetricsQuery, MetricsSchema, metricsRange } from "../../ops/metrics-schema";

export const adminTag = { name: "admin", description: "Operations: metrics for the /ops page (admins only)" };

const metrics = createRoute({
  method: "get",
  path: "/api/admin/metrics",
  operationId: "getMetrics",
  tags: ["admin"],
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  summary: "Sessions, turns, errors, latency, tokens and cost, safety counts and the canary, over a time range",
  description:
    "Aggregated from the D1 mirror (`turn_metrics`, sessions, safety records, canary runs). `series` cuts the range into `interval`s. A range that is empty, longer than 93 days or cut into more than 500 intervals answers 400.",
  request: { query: MetricsQuery },
  responses: { 200: jsonResponse(MetricsSchema, "The metrics"), ...problemResponses(400, 401, 403) },
});

export const metricsRoutes = createRouter().openapi(metrics, async (c) => {
  const range = metricsRange(c.req.valid("query"), Date.now());
  const source = new D1Metrics(c.env.DB, getConfig(c.env).MODEL_PRICES ?? {});
  return c.json(await source.read(range), 200);
});
