/**
 * The session WebSocket protocol as ARCHITECTURE.md names it, seen from a
 * client. Shared by the web page and `heartrule chat`: no DOM, no Node.
 * Frames from the server are checked at run time (a proxy, an old server or a
 * bug may send anything) and unknown ones are ignored, so a newer server can
 * add frame types without breaking older clients.
 */

/** The close code of a socket whose token expired (the server's CLOSE_CODES.tokenExpired): connect again with a fresh token. */
export const TOKEN_EXPIRED_CLOSE = 4401;

export type ClientFrame = { type: "user_message"; content: string; clientMessageId: string } | { type: "resume"; lastSeq: number } | { type: "ping" };

export type Role = "assistant" | "user";

export interface MessageFrame {
  type: "message";
  seq: number;
  role: Role;
  content: string;
  actionId: string | null;
  /** The engine's message id (assistant messages): ties the final text to its deltas. */
  messageId?: string;
  /** Echoed on the user's own messages, so the sender can confirm what it sent. */
  clientMessageId?: string;
}

export interface DeltaFrame {
  type: "delta";
  messageId: string;
  text: string;
}

/** The text streamed so far for `messageId` was discarded (a failed or repaired model attempt): the line starts over. */
export interface DeltaResetFrame {
  type: "delta_reset";
  messageId: string;
}

export interface StateFrame {
  type: "state";
  status: string;
  position?: unknown;
  /** Seq of the newest message when the state was sent: tells a stale state from a current one. */
  lastSeq?: number;
}

export interface ErrorFrame {
  type: "error";
  code: string;
  message: string;
  retryable?: boolean;
  clientMessageId?: string;
}

export interface SafetyFrame {
  type: "safety";
  crisis: boolean;
}

/** Authors of debug sessions only: whatever the session reports for debugging (model calls, variables). */
export interface DebugFrame {
  type: "debug";
  [key: string]: unknown;
}

export type ServerFrame = MessageFrame | DeltaFrame | DeltaResetFrame | StateFrame | ErrorFrame | SafetyFrame | DebugFrame | { type: "pong" };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): v is string => typeof v === "string";
const optStr = (v: unknown) => (str(v) ? v : undefined);

/** A message as the REST API returns it (POST /api/sessions, GET …/messages), in the frame's shape. */
export function toMessageFrame(raw: unknown): MessageFrame | null {
  if (!isObject(raw)) return null;
  const { seq, role, content } = raw;
  if (typeof seq !== "number" || !Number.isInteger(seq) || seq < 0) return null;
  if ((role !== "assistant" && role !== "user") || !str(content)) return null;
  const frame: MessageFrame = { type: "message", seq, role, content, actionId: optStr(raw.actionId) ?? null };
  const messageId = optStr(raw.messageId) ?? optStr(raw.id);
  if (messageId) frame.messageId = messageId;
  const clientMessageId = optStr(raw.clientMessageId);
  if (clientMessageId) frame.clientMessageId = clientMessageId;
  return frame;
}

/** Parses one WebSocket text frame; null for anything this client does not understand. */
export function parseServerFrame(text: string): ServerFrame | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(raw)) return null;
  switch (raw.type) {
    case "message":
      return toMessageFrame(raw);
    case "delta":
      return str(raw.messageId) && str(raw.text) ? { type: "delta", messageId: raw.messageId, text: raw.text } : null;
    case "delta_reset":
      return str(raw.messageId) ? { type: "delta_reset", messageId: raw.messageId } : null;
    case "state": {
      if (!str(raw.status)) return null;
      const frame: StateFrame = { type: "state", status: raw.status, position: raw.position };
      if (typeof raw.lastSeq === "number") frame.lastSeq = raw.lastSeq;
      return frame;
    }
    case "error": {
      if (!str(raw.code)) return null;
      const frame: ErrorFrame = { type: "error", code: raw.code, message: optStr(raw.message) ?? "" };
      if (typeof raw.retryable === "boolean") frame.retryable = raw.retryable;
      const clientMessageId = optStr(raw.clientMessageId);
      if (clientMessageId) frame.clientMessageId = clientMessageId;
      return frame;
    }
    case "safety":
      return { type: "safety", crisis: raw.crisis === true };
    case "debug":
      return { ...raw, type: "debug" };
    case "pong":
      return { type: "pong" };
    default:
      return null;
  }
}
