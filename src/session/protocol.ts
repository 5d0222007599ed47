/**
 * The wire protocol of a session, shared by WebSocket frames and SSE events:
 * a server frame `{type, …}` goes out as the WebSocket text frame
 * `JSON.stringify(frame)` and as the SSE event `event: <type>` with the same
 * JSON as `data`. SSE ids are message seqs: the id of an event is the seq of
 * the newest message logged when it was sent, so `Last-Event-ID` resumes
 * exactly after the last message a client saw.
 */
import { z } from "zod";
import type { Position } from "../engine";
import type { ExecutionStatus, SessionStatus } from "../store/schema/sessions";
import { CounselorNameSchema, type HandoffView } from "./handoff/view";
import { ClientMessageIdSchema, MAX_MESSAGE_CHARS, type SafetyView, type SessionMessage, type TurnDebug, type TurnResult } from "./schemas";

/** Answered by the runtime without waking the actor (setWebSocketAutoResponse). */
export const PING_FRAME = '{"type":"ping"}';
export const PONG_FRAME = '{"type":"pong"}';

/** Largest client frame accepted, in bytes: a larger one closes the socket unread (CLOSE_CODES.frameTooLarge). */
export const MAX_FRAME_BYTES = 64 * 1024;

/** Frames that are not the protocol's (not JSON, no known `type`) a socket may send before it is closed (CLOSE_CODES.badFrames). */
export const MAX_BAD_FRAMES = 5;

/** Why the session closes a WebSocket; README "Close codes" lists them for clients. */
export const CLOSE_CODES = {
  /** MAX_BAD_FRAMES frames that were not the protocol's (RFC 6455 "policy violation"). */
  badFrames: 1008,
  /** A frame over MAX_FRAME_BYTES (RFC 6455 "message too big"). */
  frameTooLarge: 1009,
  /** The token the socket connected with has expired: connect again with a fresh one and `resume`. */
  tokenExpired: 4401,
  /** The session was deleted. */
  sessionDeleted: 4404,
} as const;

export const ClientFrameSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("user_message"),
    content: z.string().max(MAX_MESSAGE_CHARS),
    clientMessageId: ClientMessageIdSchema.optional(),
  }),
  z.object({ type: z.literal("resume"), lastSeq: z.number().int().min(0) }),
  z.object({ type: z.literal("ping") }),
  // Counselors in the session (handoff/): the client asks for a person; a counselor takes over, speaks, hands back or ends.
  z.object({ type: z.literal("request_counselor") }),
  z.object({ type: z.literal("take_over"), displayName: CounselorNameSchema }),
  z.object({ type: z.literal("counselor_message"), content: z.string().min(1).max(MAX_MESSAGE_CHARS) }),
  z.object({ type: z.literal("hand_back"), topicId: z.string().min(1).max(100).optional() }),
  z.object({ type: z.literal("end_session"), note: z.string().min(1).max(MAX_MESSAGE_CHARS) }),
  z.object({ type: z.literal("typing"), on: z.boolean() }),
]);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

export type ServerFrame =
  | ({ type: "message" } & SessionMessage)
  | { type: "delta"; messageId: string; actionId: string; text: string }
  /**
   * Drop the text received so far for `messageId`: the model attempt that streamed it was discarded (a repair
   * retry, or the turn failed). Sent before any new text of that line; a turn that ends in an error sends one for
   * every line it streamed, before the `error` frame.
   */
  | { type: "delta_reset"; messageId: string; actionId: string }
  | { type: "state"; status: ExecutionStatus; sessionStatus: SessionStatus; position: Position; lastSeq: number }
  /** `retryAfter`: seconds until the message may be sent again (RATE_LIMITED, PROJECT_TOKEN_BUDGET_EXCEEDED). */
  | { type: "error"; code: string; message: string; clientMessageId?: string | null; retryable?: boolean; retryAfter?: number }
  | ({ type: "safety" } & SafetyView)
  | ({ type: "debug" } & TurnDebug)
  | { type: "pong" }
  /** Where the session's handoff to a counselor stands; sent on every change and to each socket as it joins. */
  | ({ type: "handoff" } & HandoffView)
  /** The other side is typing (the client, or the counselor who holds the session); never the words. */
  | { type: "typing"; role: "user" | "counselor"; on: boolean }
  /** SSE only: the end of a turn streamed by POST /messages, with the same body the JSON answer has. */
  | ({ type: "done" } & TurnResult);

const encoder = new TextEncoder();

/** One SSE event. `data` is single-line JSON, so no line splitting is needed. */
export function sseEvent(frame: ServerFrame, id: number, json = JSON.stringify(frame)): Uint8Array {
  return encoder.encode(`id: ${id}\nevent: ${frame.type}\ndata: ${json}\n\n`);
}

/** Comment line: keeps proxies from closing an idle stream; EventSource ignores it. */
export const SSE_HEARTBEAT = encoder.encode(": keep-alive\n\n");
/** Clients wait this long before reconnecting after a drop. */
export const SSE_RETRY = encoder.encode("retry: 2000\n\n");
export const SSE_HEARTBEAT_MS = 15_000;
/**
 * The most bytes one SSE stream holds for a reader that does not read them (a paused tab, a stalled proxy).
 * Past it the stream ends there and the reader reconnects with Last-Event-ID, losing no message.
 */
export const SSE_BUFFER_BYTES = 512 * 1024;

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  "X-Accel-Buffering": "no",
} as const;
