/**
 * Counselors: the queue of sessions that need a human (GET, and its live feed
 * over WebSocket) and the client's request for one. Taking a session over,
 * speaking in it, handing back and ending happen on the session's own
 * WebSocket (GET /api/sessions/{id}/ws with a counselor's token).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { getConfig } from "../config";
import { DISPATCH_NAME, FEED_CALLER_HEADER } from "../dispatch/rpc";
import { QueueSchema } from "../dispatch/schemas";
import { bearerSecurity, bearerToken, requireAuth, verifyToken } from "../http/auth";
import { jsonResponse } from "../http/openapi";
import { HttpProblem, problemResponses } from "../http/problem";
import { createRouter } from "../http/router";
import { DomainError } from "../errors";
import type { Env } from "../config";
import { unwrap } from "../session/result";
import { expiryOf } from "./sessions/live";
import { callerOf, SessionParams, sessionActor } from "./sessions/common";

export const counselorRoles = ["counselor", "admin"] as const;
const tags = ["counselors"];

const dispatch = (env: Env) => env.DISPATCH.get(env.DISPATCH.idFromName(DISPATCH_NAME));

const queue = createRoute({
  method: "get",
  path: "/api/counselor/queue",
  operationId: "listCounselorQueue",
  tags,
  security: bearerSecurity,
  middleware: [requireAuth(...counselorRoles)] as const,
  summary: "Sessions waiting for a counselor",
  description:
    "Sessions whose risk reached high or imminent, whose client asked for a counselor, or whose script's `handoff` action ran, newest first: risk level, waiting time, language, script and position, who holds it. Never what was said.",
  responses: { 200: jsonResponse(QueueSchema, "The queue"), ...problemResponses(401, 403) },
});

const feed = createRoute({
  method: "get",
  path: "/api/counselor/queue/ws",
  operationId: "connectCounselorQueue",
  tags,
  security: bearerSecurity,
  summary: "Follow the queue live over WebSocket",
  description:
    'Upgrade with the token as `?token=<JWT>` (counselor or admin). The server sends `{"type":"queue","items":[…]}` (the items of GET /api/counselor/queue) on connecting and after every change; it closes with 4401 when the token expires.',
  request: { query: z.object({ token: z.string().optional().openapi({ description: "The access token" }) }) },
  responses: { 101: { description: "Switching to the WebSocket protocol" }, ...problemResponses(401, 403, 426) },
});

const request = createRoute({
  method: "post",
  path: "/api/sessions/{id}/counselor",
  operationId: "requestCounselor",
  tags,
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  summary: "Ask for a human counselor",
  description:
    "The session's client accepts the offer of a counselor (the crisis protocol makes it) or asks for one: the session joins the counselors' queue. If nobody takes it within HANDOFF_TIMEOUT_S the client is told so, with the crisis lines again, and the AI carries on.",
  request: { params: SessionParams },
  responses: {
    200: jsonResponse(
      z.object({ status: z.string(), reason: z.string().nullable(), counselorName: z.string().nullable() }).openapi("Handoff"),
      "Where the handoff stands",
    ),
    ...problemResponses(401, 403, 404, 409),
  },
});

export const counselorRoutes = createRouter()
  .openapi(queue, async (c) => c.json({ items: await dispatch(c.env).list() }, 200))
  .openapi(feed, async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new HttpProblem("UPGRADE_REQUIRED", "Connect with a WebSocket.", { Upgrade: "websocket" });
    }
    const token = c.req.valid("query").token ?? bearerToken(c.req.header("authorization"));
    if (!token) throw new DomainError("UNAUTHENTICATED", "Send the token as `?token=` or `Authorization: Bearer <token>`.");
    const user = await verifyToken(token, getConfig(c.env));
    c.set("user", user);
    if (!(counselorRoles as readonly string[]).includes(user.role))
      throw new DomainError("FORBIDDEN", `This needs one of the roles: ${counselorRoles.join(", ")}.`);
    const expires = expiryOf(token);
    const upgrade = new Request("https://dispatch.internal/feed", {
      headers: { Upgrade: "websocket", ...(expires === null ? {} : { [FEED_CALLER_HEADER]: String(expires) }) },
    });
    return (await dispatch(c.env).fetch(upgrade)) as never;
  })
  .openapi(request, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await unwrap(sessionActor(c.env, id).requestCounselor(callerOf(c, id))), 200);
  });

export const counselorTag = { name: "counselors", description: "The queue of sessions that need a human counselor; a client asking for one" };
