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
import { ClientMessageIdSchema, MAX_MESSAGE_CHARS, type SafetyView, type SessionMessage, type TurnDebug, type TurnResult } from "./schemas";

/** Answered by the runtime without waking the actor (setWebSocketAutoResponse). */
export const PING_FRAME = '{"type":"ping"}';
export const PONG_FRAME = '{"type":"pong"}';

/** Largest client frame accepted, in bytes. */
export const MAX_FRAME_BYTES = 64 * 1024;

export const ClientFrameSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("user_message"),
    content: z.string().max(MAX_MESSAGE_CHARS),
    clientMessageId: ClientMessageIdSchema.optional(),
  }),
  z.object({ type: z.literal("resume"), lastSeq: z.number().int().min(0) }),
  z.object({ type: z.literal("ping") }),
]);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

export type ServerFrame =
  | ({ type: "message" } & SessionMessage)
  | { type: "delta"; messageId: string; actionId: string; text: string }
  | { type: "delta_reset"; messageId: string; actionId: string }
  | { type: "state"; status: ExecutionStatus; sessionStatus: SessionStatus; position: Position; lastSeq: number }
  | { type: "error"; code: string; message: string; clientMessageId?: string | null; retryable?: boolean }
  | ({ type: "safety" } & SafetyView)
  | ({ type: "debug" } & TurnDebug)
  | { type: "pong" }
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

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  "X-Accel-Buffering": "no",
} as const;
