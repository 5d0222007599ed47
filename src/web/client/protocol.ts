/**
 * The session WebSocket protocol as ARCHITECTURE.md names it, seen from a
 * client. Shared by the web page and `heartrule chat`: no DOM, no Node.
 * Frames from the server are checked at run time (a proxy, an old server or a
 * bug may send anything) and unknown ones are ignored, so a newer server can
 * add frame types without breaking older clients.
 */

/** The close code of a socket whose token expired (the server's CLOSE_CODES.tokenExpired): connect again with a fresh token. */
export const TOKEN_EXPIRED_CLOSE = 4401;

export type ClientFrame =
  | { type: "user_message"; content: string; clientMessageId: string }
  | { type: "resume"; lastSeq: number }
  | { type: "ping" }
  // Counselors in the session: the client asks for one; a counselor takes over, speaks, hands back, ends; either side types.
  | { type: "request_counselor" }
  | { type: "take_over"; displayName: string }
  | { type: "counselor_message"; content: string }
  | { type: "hand_back"; topicId?: string }
  | { type: "end_session"; note: string }
  | { type: "typing"; on: boolean };

/** `counselor`: a human counselor who took the session over. */
export type Role = "assistant" | "user" | "counselor";

const roles: readonly string[] = ["assistant", "user", "counselor"];

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

/** Where the handoff to a human counselor stands (`none`, `waiting`, `held`, `timed_out`, `returned`, `ended`). */
export interface HandoffFrame {
  type: "handoff";
  status: string;
  counselorName: string | null;
}

/** The other side is typing: the client (`user`) or the counselor. */
export interface TypingFrame {
  type: "typing";
  role: "user" | "counselor";
  on: boolean;
}

export type ServerFrame =
  | MessageFrame
  | DeltaFrame
  | DeltaResetFrame
  | StateFrame
  | ErrorFrame
  | SafetyFrame
  | DebugFrame
  | HandoffFrame
  | TypingFrame
  | { type: "pong" };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): v is string => typeof v === "string";
const optStr = (v: unknown) => (str(v) ? v : undefined);

/** A message as the REST API returns it (POST /api/sessions, GET …/messages), in the frame's shape. */
export function toMessageFrame(raw: unknown): MessageFrame | null {
  if (!isObject(raw)) return null;
  const { seq, role, content } = raw;
  if (typeof seq !== "number" || !Number.isInteger(seq) || seq < 0) return null;
  if (!str(role) || !roles.includes(role) || !str(content)) return null;
  const frame: MessageFrame = { type: "message", seq, role: role as Role, content, actionId: optStr(raw.actionId) ?? null };
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
    case "handoff":
      return str(raw.status) ? { type: "handoff", status: raw.status, counselorName: optStr(raw.counselorName) ?? null } : null;
    case "typing":
      return raw.role === "user" || raw.role === "counselor" ? { type: "typing", role: raw.role, on: raw.on === true } : null;
    case "pong":
      return { type: "pong" };
    default:
      return null;
  }
}
