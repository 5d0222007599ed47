/** The frames the actor builds from its own state, and the parsing of what a WebSocket client sends. */
import type { Position } from "../../engine";
import { ClientFrameSchema, type ClientFrame, type ServerFrame } from "../protocol";
import type { ProblemInit } from "../result";
import type { Meta } from "../storage/meta";

export type ErrorFrame = Extract<ServerFrame, { type: "error" }>;

export function stateFrame(meta: Meta, position: Position, lastSeq: number): ServerFrame {
  return { type: "state", status: meta.executionStatus, sessionStatus: meta.status, position, lastSeq };
}

/** A problem as a frame: its clientMessageId and retryable travel along when the problem has them. */
export function errorFrame(p: ProblemInit): ErrorFrame {
  const extra = p.extra ?? {};
  return {
    type: "error",
    code: p.code,
    message: p.detail,
    ...("clientMessageId" in extra ? { clientMessageId: extra.clientMessageId as string | null } : {}),
    ...("retryable" in extra ? { retryable: Boolean(extra.retryable) } : {}),
    ...(typeof extra.retryAfter === "number" ? { retryAfter: extra.retryAfter } : {}),
  };
}

/** A WebSocket frame (at most MAX_FRAME_BYTES: socket.ts refuses larger ones unread) as the client frame it is, or the error frame that answers it. */
export function parseClientFrame(data: string | ArrayBuffer): { ok: true; frame: ClientFrame } | { ok: false; error: ErrorFrame } {
  const text = typeof data === "string" ? data : new TextDecoder().decode(data);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, error: { type: "error", code: "BAD_FRAME", message: "Frames are JSON objects with a `type`." } };
  }
  const frame = ClientFrameSchema.safeParse(parsed);
  if (!frame.success) {
    const where = frame.error.issues[0]?.path.join(".") || "type";
    return {
      ok: false,
      error: { type: "error", code: "BAD_FRAME", message: `The frame is not valid (check \`${where}\`): send user_message, resume or ping.` },
    };
  }
  return { ok: true, frame: frame.data };
}
