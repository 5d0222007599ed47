/** The D1 mirror for operators: how far D1 lags behind the sessions, and reconcile to mend it. */
import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, requireAuth } from "../../http/auth";
import { jsonBody, jsonResponse } from "../../http/openapi";
import { problemResponses } from "../../http/problem";
import { createRouter } from "../../http/router";
import { lagging, reconcilePage, reconcileSessions } from "../../lifecycle/reconcile";

const common = { tags: ["operations"], security: bearerSecurity, middleware: [requireAuth("admin")] };

const Cursor = z.string().max(2048).optional().openapi({ description: "The `nextCursor` of the previous page (of the session directory)" });
const Limit = z.coerce.number().int().min(1).max(100).default(50);

const MirrorReportSchema = z
  .object({
    sessionId: z.string(),
    found: z.boolean().openapi({ description: "False: no session with this id holds storage (erased, or never created)" }),
    lastSeq: z.number().int().openapi({ description: "The newest message of the session's own log" }),
    d1: z.object({
      row: z.boolean().openapi({ description: "D1 has the session row" }),
      lastSeq: z.number().int().nullable().openapi({ description: "What the session row says" }),
      messages: z.number().int().openapi({ description: "Messages D1 holds" }),
    }),
    gaps: z.array(z.tuple([z.number().int(), z.number().int()])).openapi({ description: "Messages of the log D1 lacks, as [first, last] seqs" }),
    repaired: z.number().int().openapi({ description: "Messages re-sent to D1 by this call" }),
  })
  .openapi("MirrorReport");

const SummarySchema = z
  .object({
    items: z.array(MirrorReportSchema),
    failed: z.array(z.string()).openapi({ description: "Sessions that could not be checked now; try again" }),
    nextCursor: z.string().nullable().openapi({ description: "Pass as `cursor` for the next page; null after the last" }),
    totals: z.object({
      checked: z.number().int(),
      lagging: z.number().int(),
      missingMessages: z.number().int(),
      repaired: z.number().int(),
      failed: z.number().int(),
    }),
  })
  .openapi("MirrorSummary");

const mirror = createRoute({
  method: "get",
  path: "/api/admin/mirror",
  operationId: "getMirrorLag",
  ...common,
  summary: "How far D1 lags behind the sessions",
  description:
    "Walks a page of the session directory (KV, independent of D1) and asks each session's actor to compare its log with D1: the session row's last seq, the messages D1 holds, the gaps. Lists the lagging sessions (`all=true`: every one checked). Changes nothing. Admins.",
  request: { query: z.object({ cursor: Cursor, limit: Limit, all: z.enum(["true", "false"]).default("false") }) },
  responses: { 200: jsonResponse(SummarySchema, "The sessions checked"), ...problemResponses(400, 401, 403) },
});

const ReconcileBody = z
  .object({
    sessionIds: z.array(z.uuid()).min(1).max(100).optional().openapi({ description: "These sessions; without: a page of the session directory" }),
    cursor: Cursor,
    limit: Limit,
  })
  .strict()
  .openapi("ReconcileRequest");

const reconcileRoute = createRoute({
  method: "post",
  path: "/api/admin/reconcile",
  operationId: "reconcileMirror",
  ...common,
  summary: "Re-send to D1 what it lacks",
  description:
    "For the named sessions, or a page of the session directory: each actor re-sends the messages D1 lacks, its session row, its script texts and its safety log (all idempotent). Variable changes D1 lost are not kept by the actor and stay lost. After a D1 Time Travel restore, call it page by page (`cursor`) until `nextCursor` is null. Admins.",
  request: { body: jsonBody(ReconcileBody) },
  responses: { 200: jsonResponse(SummarySchema, "What was checked and re-sent"), ...problemResponses(400, 401, 403) },
});

export const mirrorRoutes = createRouter()
  .openapi(mirror, async (c) => {
    const { cursor, limit, all } = c.req.valid("query");
    const summary = await reconcilePage(c.env, { cursor, limit, repair: false });
    return c.json(all === "true" ? summary : { ...summary, items: summary.items.filter(lagging) }, 200);
  })
  .openapi(reconcileRoute, async (c) => {
    const { sessionIds, cursor, limit } = c.req.valid("json");
    const summary = sessionIds ? await reconcileSessions(c.env, sessionIds, true) : await reconcilePage(c.env, { cursor, limit, repair: true });
    return c.json(summary, 200);
  });
