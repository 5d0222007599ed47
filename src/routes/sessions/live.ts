/** The live connections to a session: the WebSocket and the SSE event stream. */
import { createRoute, z } from "@hono/zod-openapi";
import { getConfig } from "../../config";
import { decode } from "hono/jwt";
import { bearerSecurity, bearerToken, verifyToken } from "../../http/auth";
import { offeredProtocols, SOCKET_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from "../../http/socket-token";
import { HttpProblem, problemResponses } from "../../http/problem";
import { DomainError } from "../../errors";
import { createRouter } from "../../http/router";
import { CALLER_HEADER, type SocketCaller } from "../../session/requests";
import { SSE_HEADERS } from "../../session/protocol";
import { toProblemError, unwrap, type ProblemInit } from "../../session/result";
import { callerOf, common, SessionParams, sessionActor } from "./common";

const events = createRoute({
  method: "get",
  operationId: "followSessionEvents",
  path: "/api/sessions/{id}/events",
  ...common,
  summary: "Follow a session over SSE",
  description:
    "Replays the messages after `Last-Event-ID` (or `?lastEventId=`; 0 or none: the whole log), sends a `state` event, then stays open with every live event of the session (`delta`, `message`, `state`, `safety`, `error`, and `debug` for authors in debug sessions). Event ids are message seqs. A comment line every 15 s keeps the stream open.",
  request: {
    params: SessionParams,
    headers: z.object({
      "last-event-id": z
        .string()
        .regex(/^\d{1,12}$/)
        .optional()
        .openapi({ description: "Seq of the last message the client has" }),
    }),
    query: z.object({ lastEventId: z.coerce.number().int().min(0).optional() }),
  },
  responses: {
    200: { description: "The event stream", content: { "text/event-stream": { schema: z.string() } } },
    ...problemResponses(400, 401, 404),
  },
});

const ws = createRoute({
  method: "get",
  operationId: "connectSessionSocket",
  path: "/api/sessions/{id}/ws",
  tags: ["sessions"],
  security: bearerSecurity,
  summary: "Talk to a session over WebSocket",
  description: [
    `Upgrade offering the subprotocols \`${SOCKET_PROTOCOL}\` and \`${TOKEN_PROTOCOL_PREFIX}<JWT>\` (\`Sec-WebSocket-Protocol: ${SOCKET_PROTOCOL}, ${TOKEN_PROTOCOL_PREFIX}<JWT>\`; the server answers \`${SOCKET_PROTOCOL}\`, never the token), or with an Authorization header. \`?token=<JWT>\` still works for older clients, but URLs end up in logs: prefer the subprotocol. The frames are described in /asyncapi.json.`,
    'Client frames: `{"type":"user_message","content":"…","clientMessageId":"…"}`, `{"type":"resume","lastSeq":N}` (replays the messages after N that this connection has not received), `{"type":"ping"}`.',
    "Server frames: `message` {seq, id, role, content, actionId, …}, `delta` {messageId, text}, `state` {status, sessionStatus, position, lastSeq} (also right after connecting), `error` {code, message, clientMessageId?}, `safety` {crisis, …}, `debug` (authors in debug sessions), `pong`.",
    "The session closes the socket with 4401 when the token expires (connect again with a fresh token and send `resume`), 4404 when the session is deleted, 1009 for a frame over 64 KiB and 1008 after 5 frames that are not the protocol's.",
  ].join(" "),
  request: {
    params: SessionParams,
    query: z.object({
      token: z.string().optional().openapi({ description: "The access token, for older clients (prefer the subprotocol: URLs end up in logs)" }),
    }),
    headers: z.object({
      "sec-websocket-protocol": z
        .string()
        .optional()
        .openapi({
          description: `\`${SOCKET_PROTOCOL}, ${TOKEN_PROTOCOL_PREFIX}<JWT>\``,
          example: `${SOCKET_PROTOCOL}, ${TOKEN_PROTOCOL_PREFIX}eyJhbGciOi…`,
        }),
    }),
  },
  responses: {
    101: { description: "Switching to the WebSocket protocol" },
    ...problemResponses(400, 401, 404, 426),
  },
});

/** The `exp` of a token verifyToken has accepted, in ms: the session closes the socket then (CLOSE_CODES.tokenExpired). */
export function expiryOf(token: string): number | null {
  const { exp } = decode(token).payload;
  return typeof exp === "number" ? exp * 1000 : null;
}

export const liveRoutes = createRouter()
  .openapi(events, async (c) => {
    const { id } = c.req.valid("param");
    const header = c.req.valid("header")["last-event-id"];
    const lastEventId = header !== undefined ? Number(header) : (c.req.valid("query").lastEventId ?? 0);
    const stream = await unwrap(sessionActor(c.env, id).events(callerOf(c, id), lastEventId));
    return c.body(stream, 200, SSE_HEADERS) as never;
  })
  .openapi(ws, async (c) => {
    const { id } = c.req.valid("param");
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new HttpProblem("UPGRADE_REQUIRED", "Connect with a WebSocket.", { Upgrade: "websocket" });
    }
    const offered = offeredProtocols(c.req.header("sec-websocket-protocol"));
    // The answer must name one offered subprotocol, and it must not be the token.
    if (offered.token && !offered.protocol) {
      throw new DomainError("BAD_REQUEST", `Offer the subprotocol \`${SOCKET_PROTOCOL}\` together with \`${TOKEN_PROTOCOL_PREFIX}<token>\`.`);
    }
    const token = offered.token ?? c.req.valid("query").token ?? bearerToken(c.req.header("authorization"));
    if (!token) {
      throw new DomainError(
        "UNAUTHENTICATED",
        `Send the token as the subprotocol \`${TOKEN_PROTOCOL_PREFIX}<token>\` (with \`${SOCKET_PROTOCOL}\`), \`Authorization: Bearer <token>\` or, for older clients, \`?token=\`.`,
      );
    }
    const caller: SocketCaller = { sessionId: id, user: await verifyToken(token, getConfig(c.env)), tokenExpiresAt: expiryOf(token) };
    c.set("user", caller.user);
    // A fresh request: nothing the client sent reaches the actor except the upgrade itself.
    const upgrade = new Request("https://session.internal/ws", { headers: { Upgrade: "websocket", [CALLER_HEADER]: JSON.stringify(caller) } });
    const res = await sessionActor(c.env, id).fetch(upgrade);
    if (res.status === 101) {
      if (!offered.protocol) return res as never;
      return new Response(null, { status: 101, webSocket: res.webSocket, headers: { "Sec-WebSocket-Protocol": SOCKET_PROTOCOL } }) as never;
    }
    const problem = (await res.json()) as ProblemInit;
    throw toProblemError(problem);
  });
