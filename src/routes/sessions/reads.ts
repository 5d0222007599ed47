import { createRoute, z } from "@hono/zod-openapi";
import { DomainError } from "../../errors";
import { currentUser, type Role } from "../../http/auth";
import { problemResponses } from "../../http/problem";
import { createRouter } from "../../http/router";
import { unwrap } from "../../session/result";
import {
  MessagePageSchema,
  RiskLevelSchema,
  SessionExportSchema,
  SessionInfoSchema,
  SessionStatusSchema,
  SessionSummarySchema,
  VariablesSchema,
} from "../../session/schemas";
import { listSessions } from "../../store/sessions/list";
import { summaryView } from "../../session/views";
import { decodeCursor, encodeCursor } from "../../store/cursor";
import { callerOf, common, SessionParams, sessionActor } from "./common";
import { listOf, jsonResponse, PageQuery } from "../../http/openapi";

const SessionListSchema = listOf(SessionSummarySchema, "SessionList");

/** The roles that list everyone's sessions by risk. */
const reviewers: readonly Role[] = ["counselor", "admin"];

const list = createRoute({
  method: "get",
  operationId: "listSessions",
  path: "/api/sessions",
  ...common,
  summary: "List your sessions, or the sessions flagged for attention",
  description:
    "The caller's own sessions, newest first. With `risk` (counselors and admins only; 403 for other roles): every user's sessions whose highest risk is that level or above. Read from the database mirror, which follows each turn within moments.",
  request: {
    query: PageQuery.extend({
      status: SessionStatusSchema.optional(),
      risk: RiskLevelSchema.exclude(["none"]).optional().openapi({ description: "Sessions whose `riskLevel` is this level or above" }),
    }),
  },
  responses: { 200: jsonResponse(SessionListSchema, "A page of sessions"), ...problemResponses(400, 401, 403) },
});

const get = createRoute({
  method: "get",
  operationId: "getSession",
  path: "/api/sessions/{id}",
  ...common,
  summary: "Get a session",
  description:
    "Status, position, risk and what the session runs. A session (here and its messages, variables, export, events and WebSocket) is read by its client, the authors of the project it runs, counselors once it is flagged (risk `low` or above) and admins; an inline session by the author who ran it and admins. Anyone else gets 404, as for a missing session.",
  request: { params: SessionParams },
  responses: { 200: jsonResponse(SessionInfoSchema, "The session"), ...problemResponses(400, 401, 404) },
});

const messages = createRoute({
  method: "get",
  operationId: "listMessages",
  path: "/api/sessions/{id}/messages",
  ...common,
  summary: "A session's messages",
  description: "Oldest first, by `seq`.",
  request: { params: SessionParams, query: PageQuery.extend({ limit: z.coerce.number().int().min(1).max(200).default(50) }) },
  responses: { 200: jsonResponse(MessagePageSchema, "A page of messages"), ...problemResponses(400, 401, 404) },
});

const variables = createRoute({
  method: "get",
  operationId: "getVariables",
  path: "/api/sessions/{id}/variables",
  ...common,
  summary: "A session's variables",
  description: "Flat (latest write wins) and by scope (global, session, phase, topic).",
  request: { params: SessionParams },
  responses: { 200: jsonResponse(VariablesSchema, "The variables"), ...problemResponses(400, 401, 404) },
});

const exportRoute = createRoute({
  method: "get",
  operationId: "exportSession",
  path: "/api/sessions/{id}/export",
  ...common,
  summary: "Export a session",
  description:
    "The whole transcript, the variables and the safety log (flags and crisis referrals) as one JSON document (with the model traces for authors and admins, in debug sessions).",
  request: { params: SessionParams },
  responses: { 200: jsonResponse(SessionExportSchema, "The session, its messages and variables"), ...problemResponses(400, 401, 404) },
});

export const readRoutes = createRouter()
  .openapi(list, async (c) => {
    const { cursor, limit, status, risk } = c.req.valid("query");
    const user = currentUser(c);
    if (risk && !reviewers.includes(user.role)) {
      throw new DomainError("FORBIDDEN", "Only counselors and admins list sessions by risk; leave out `risk` to list your own.");
    }
    const after = cursor ? decodeCursor(cursor, ["number", "string"] as const) : undefined;
    const page = await listSessions(c.env.DB, {
      ...(risk ? { minRisk: risk } : { userId: user.id }),
      status,
      limit,
      after: after ? { createdAt: after[0], id: after[1] } : undefined,
    });
    const last = page.rows[page.rows.length - 1];
    return c.json(
      { items: page.rows.map(summaryView), nextCursor: page.more && last ? encodeCursor([last.createdAt.getTime(), last.id]) : null },
      200,
    );
  })
  .openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await unwrap(sessionActor(c.env, id).info(callerOf(c, id))), 200);
  })
  .openapi(messages, async (c) => {
    const { id } = c.req.valid("param");
    const { cursor, limit } = c.req.valid("query");
    const after = cursor ? decodeCursor(cursor, ["number"] as const)[0] : 0;
    const page = await unwrap(sessionActor(c.env, id).messages(callerOf(c, id), { after, limit }));
    return c.json({ items: page.items, nextCursor: page.nextAfter === null ? null : encodeCursor([page.nextAfter]) }, 200);
  })
  .openapi(variables, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await unwrap(sessionActor(c.env, id).variables(callerOf(c, id))), 200);
  })
  .openapi(exportRoute, async (c) => {
    const { id } = c.req.valid("param");
    const body = await unwrap(sessionActor(c.env, id).export(callerOf(c, id)));
    return c.json(body, 200, { "Content-Disposition": `attachment; filename="session-${id}.json"` });
  });
