/**
 * The AsyncAPI 3 document of a session's live protocol, served at
 * `/asyncapi.json`: the WebSocket's client and server frames and the SSE
 * events of POST /messages (streamed) and GET /events, whose `data` is the
 * same JSON as the frame. Payloads are the zod schemas the actor parses and
 * answers with, as JSON Schema; the server frames' schemas are checked
 * against protocol.ts's `ServerFrame` type, so the document cannot drift
 * from what is sent.
 */
import { z } from "@hono/zod-openapi";
import pkg from "../../package.json";
import { ClientFrameSchema, type ServerFrame } from "../session/protocol";
import {
  ExecutionStatusSchema,
  MessageSchema,
  SafetySchema,
  SessionPositionSchema,
  SessionStatusSchema,
  TurnDebugSchema,
  TurnResultSchema,
} from "../session/schemas";
import { SOCKET_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from "./socket-token";

const frame = <T extends string>(type: T) => z.object({ type: z.literal(type) });

/** What the session sends, by frame type; `done` goes only to the SSE answer of POST /messages. */
export const serverFrameSchemas = {
  message: MessageSchema.extend(frame("message").shape),
  delta: frame("delta").extend({ messageId: z.string(), actionId: z.string(), text: z.string() }),
  delta_reset: frame("delta_reset").extend({ messageId: z.string(), actionId: z.string() }),
  state: frame("state").extend({
    status: ExecutionStatusSchema,
    sessionStatus: SessionStatusSchema,
    position: SessionPositionSchema,
    lastSeq: z.number().int(),
  }),
  error: frame("error").extend({
    code: z.string(),
    message: z.string(),
    clientMessageId: z.string().nullable().optional(),
    retryable: z.boolean().optional(),
    retryAfter: z.number().int().optional(),
  }),
  safety: SafetySchema.extend(frame("safety").shape),
  debug: TurnDebugSchema.extend(frame("debug").shape),
  pong: frame("pong"),
  handoff: frame("handoff").extend({
    status: z.enum(["none", "waiting", "held", "timed_out", "returned", "ended"]),
    reason: z.enum(["risk", "client", "script"]).nullable(),
    counselorName: z.string().nullable(),
  }),
  typing: frame("typing").extend({ role: z.enum(["user", "counselor"]), on: z.boolean() }),
  done: TurnResultSchema.extend(frame("done").shape),
};

type Documented = z.infer<(typeof serverFrameSchemas)[keyof typeof serverFrameSchemas]>;
/** Compiles only while the documented frames and protocol.ts's ServerFrame are the same set of shapes. */
type Same<A extends B, B extends C, C = A> = [A, B, C];
export type ServerFramesDocumented = Same<Documented, ServerFrame>;

const summaries: Record<keyof typeof serverFrameSchemas, string> = {
  message: "A logged message (the client's, as stored, or the AI's), with its seq",
  delta: "Streamed text of the AI line `messageId` being written",
  delta_reset: "Drop the text received so far for `messageId` (the attempt that streamed it was discarded); sent before any new text of it",
  state: "Where the session is; also sent right after connecting",
  error: "A turn failed or a frame was refused; `retryAfter` (seconds) when it was rate-limited or over a budget",
  safety: "A safety flag: `crisis: true` means show the crisis resources now",
  debug: "The turn's trace (authors and admins, debug sessions only)",
  pong: "The answer to a `ping`",
  handoff:
    "Where the session's handoff to a human counselor stands (waiting, held by `counselorName`, timed out, returned, ended); on every change and to each socket as it joins",
  typing: "The other side (the client, or the counselor who holds the session) is typing or stopped; never the words",
  done: "SSE only: the end of a streamed turn, with the body the JSON answer has",
};

const clientSummaries: Record<z.infer<typeof ClientFrameSchema>["type"], string> = {
  user_message: "What the client says: runs one turn (a repeated clientMessageId is answered from the log)",
  resume: "Replays the messages after `lastSeq` that this connection has not received, then a `state` frame",
  ping: "Keeps the connection open; answered with `pong` without waking the session",
  request_counselor: "The client asks for a human counselor: the session joins the counselors' queue",
  take_over: "Counselor sockets only: hold the session (the script pauses; no model is called) under `displayName`",
  counselor_message: "Counselor sockets only, while holding: a message to the client, logged with role `counselor`",
  hand_back: "Counselor sockets only, while holding: the script resumes at its position, or at `topicId`",
  end_session: "Counselor sockets only, while holding: ends the session with a closing `note`",
  typing: "Typing started (`on: true`) or stopped; relayed to the other side, never the words",
};

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: "draft-7", unrepresentable: "any", io: "output" }) as Record<string, unknown>;
  return rest;
}

const ref = (path: string) => ({ $ref: path });

/** The document for a Worker at `origin` (its servers are that host, over ws/wss and http/https). */
export function asyncApiDocument(origin: string) {
  const url = new URL(origin);
  const secure = url.protocol === "https:";
  const clientMessages = Object.fromEntries(
    ClientFrameSchema.options.map((option) => {
      const type = option.shape.type.value;
      return [
        `client_${type}`,
        { name: type, title: type, summary: clientSummaries[type], contentType: "application/json", payload: jsonSchema(option) },
      ];
    }),
  );
  const serverMessages = Object.fromEntries(
    Object.entries(serverFrameSchemas).map(([type, schema]) => [
      `server_${type}`,
      {
        name: type,
        title: type,
        summary: summaries[type as keyof typeof serverFrameSchemas],
        contentType: "application/json",
        payload: jsonSchema(schema),
      },
    ]),
  );
  const live = Object.keys(serverFrameSchemas).filter((t) => t !== "done");
  const messageRefs = (names: string[]) => Object.fromEntries(names.map((n) => [n, ref(`#/components/messages/${n}`)]));
  const channelRefs = (channel: string, names: string[]) => names.map((n) => ref(`#/channels/${channel}/messages/${n}`));
  const sessionId = { description: "The session id (a UUID)" };
  const clientNames = Object.keys(clientMessages);
  const liveNames = live.map((t) => `server_${t}`);
  return {
    asyncapi: "3.0.0",
    info: {
      title: "HeartRule session protocol",
      version: pkg.version,
      description: [
        "A session's live messages. A server frame `{type, …}` travels as one WebSocket text frame and as the SSE event `event: <type>` with the same JSON as `data`; SSE ids are message seqs (`Last-Event-ID` resumes after the last message seen).",
        `WebSocket authentication: offer the subprotocols \`${SOCKET_PROTOCOL}\` and \`${TOKEN_PROTOCOL_PREFIX}<JWT>\` (the server answers \`${SOCKET_PROTOCOL}\`); \`?token=<JWT>\` in the URL still works for older clients, but URLs end up in logs.`,
        "Close codes: 4401 the token expired (connect again with a fresh one and send `resume`), 4404 the session was deleted, 1009 a frame over 64 KiB, 1008 after 5 frames that are not the protocol's.",
      ].join("\n\n"),
    },
    defaultContentType: "application/json",
    servers: {
      websocket: {
        host: url.host,
        protocol: secure ? "wss" : "ws",
        description: "The session's WebSocket",
        security: [ref("#/components/securitySchemes/bearer")],
      },
      http: {
        host: url.host,
        protocol: secure ? "https" : "http",
        description: "Server-sent events (`text/event-stream`)",
        security: [ref("#/components/securitySchemes/bearer")],
      },
    },
    channels: {
      socket: {
        address: "/api/sessions/{id}/ws",
        title: "Session WebSocket",
        servers: [ref("#/servers/websocket")],
        parameters: { id: sessionId },
        messages: messageRefs([...clientNames, ...liveNames]),
      },
      events: {
        address: "/api/sessions/{id}/events",
        title: "Follow a session (GET, SSE)",
        description: "The messages after `Last-Event-ID`, a `state` event, then every live event; a comment line every 15 s keeps it open.",
        servers: [ref("#/servers/http")],
        parameters: { id: sessionId },
        messages: messageRefs(liveNames),
      },
      turn: {
        address: "/api/sessions/{id}/messages",
        title: "One turn, streamed (POST with `Accept: text/event-stream`)",
        servers: [ref("#/servers/http")],
        parameters: { id: sessionId },
        messages: messageRefs([...liveNames, "server_done"]),
      },
    },
    operations: {
      sendToSession: {
        action: "receive",
        title: "Frames a client sends on the WebSocket",
        channel: ref("#/channels/socket"),
        messages: channelRefs("socket", clientNames),
      },
      sessionSocketFrames: {
        action: "send",
        title: "Frames the session sends on the WebSocket",
        channel: ref("#/channels/socket"),
        messages: channelRefs("socket", liveNames),
      },
      sessionEvents: {
        action: "send",
        title: "Events of GET /events",
        channel: ref("#/channels/events"),
        messages: channelRefs("events", liveNames),
      },
      turnEvents: {
        action: "send",
        title: "Events of a streamed POST /messages, ending with `done` or `error`",
        channel: ref("#/channels/turn"),
        messages: channelRefs("turn", [...liveNames, "server_done"]),
      },
    },
    components: {
      messages: { ...clientMessages, ...serverMessages },
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: `The access token: \`Authorization: Bearer\` for SSE; on the WebSocket the \`${TOKEN_PROTOCOL_PREFIX}<JWT>\` subprotocol (or, for older clients, \`?token=\`).`,
        },
      },
    },
  };
}
