/**
 * Everyone listening to a session: hibernatable WebSockets, SSE streams of
 * GET /events, and the SSE answer of each POST /messages for the turn it
 * waits on. A frame is serialised once and fanned out to all of them.
 */
import type { Role } from "../../http/user";
import { SSE_HEARTBEAT, SSE_HEARTBEAT_MS, SSE_RETRY, sseEvent, type ServerFrame } from "../protocol";

/** Kept with each WebSocket by the runtime, so it survives hibernation. */
export interface SocketAttachment {
  sessionId: string;
  userId: string;
  role: Role;
  /** Seq of the newest message when the socket joined: later ones reach it live, earlier ones only through `resume`. */
  joinedSeq: number;
}

export const seesDebug = (role: Role) => role === "author" || role === "admin";

/** One SSE response body. Writes never wait: a reader that went away closes the channel. */
export class SseChannel {
  readonly readable: ReadableStream<Uint8Array>;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private closed = false;

  constructor(
    readonly role: Role,
    private readonly onClose: (channel: SseChannel) => void,
  ) {
    const pipe = new TransformStream<Uint8Array, Uint8Array>();
    this.readable = pipe.readable;
    this.writer = pipe.writable.getWriter();
    this.write(SSE_RETRY);
    this.heartbeat = setInterval(() => this.write(SSE_HEARTBEAT), SSE_HEARTBEAT_MS);
  }

  write(chunk: Uint8Array): void {
    if (this.closed) return;
    this.writer.write(chunk).catch(() => this.close());
  }

  send(frame: ServerFrame, id: number): void {
    this.write(sseEvent(frame, id));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.writer.close().catch(() => undefined);
    this.onClose(this);
  }
}

export class Connections {
  private readonly listeners = new Set<SseChannel>();
  private readonly turnSinks = new Map<number, Set<SseChannel>>();
  private readonly attachments = new WeakMap<WebSocket, SocketAttachment>();

  constructor(private readonly ctx: DurableObjectState) {}

  acceptSocket(ws: WebSocket, attachment: SocketAttachment): void {
    this.ctx.acceptWebSocket(ws);
    ws.serializeAttachment(attachment);
    this.attachments.set(ws, attachment);
  }

  attachment(ws: WebSocket): SocketAttachment {
    let a = this.attachments.get(ws);
    if (!a) {
      a = ws.deserializeAttachment() as SocketAttachment;
      this.attachments.set(ws, a);
    }
    return a;
  }

  /** A GET /events stream: every frame of the session until the client leaves. */
  openListener(role: Role): SseChannel {
    const channel = new SseChannel(role, (c) => this.listeners.delete(c));
    this.listeners.add(channel);
    return channel;
  }

  /** A POST /messages stream: the frames of one turn; the caller closes it when the turn ends. */
  openTurnSink(turnId: number, role: Role): SseChannel {
    const sinks = this.turnSinks.get(turnId) ?? new Set<SseChannel>();
    this.turnSinks.set(turnId, sinks);
    const channel = new SseChannel(role, (c) => {
      sinks.delete(c);
      if (sinks.size === 0 && this.turnSinks.get(turnId) === sinks) this.turnSinks.delete(turnId);
    });
    sinks.add(channel);
    return channel;
  }

  /** Sends a frame to every connection (debug frames only to authors and admins), and to the sinks of `turnId`. */
  publish(frame: ServerFrame, id: number, turnId?: number): void {
    const json = JSON.stringify(frame);
    const debugOnly = frame.type === "debug";
    for (const ws of this.ctx.getWebSockets()) {
      if (debugOnly && !seesDebug(this.attachment(ws).role)) continue;
      send(ws, json);
    }
    let event: Uint8Array | undefined;
    const channels = turnId === undefined ? this.listeners : [...this.listeners, ...(this.turnSinks.get(turnId) ?? [])];
    for (const channel of channels) {
      if (debugOnly && !seesDebug(channel.role)) continue;
      channel.write((event ??= sseEvent(frame, id, json)));
    }
  }

  sendTo(ws: WebSocket, frame: ServerFrame): void {
    send(ws, JSON.stringify(frame));
  }

  /** The session has ended: GET /events streams close (after what was sent to them); WebSockets and turn streams stay. */
  endListeners(): void {
    for (const channel of [...this.listeners]) channel.close();
  }

  /** The session is gone: every connection ends. */
  closeAll(code: number, reason: string): void {
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.close(code, reason);
      } catch {
        // already closing
      }
    }
    for (const channel of [...this.listeners, ...[...this.turnSinks.values()].flatMap((s) => [...s])]) channel.close();
  }
}

function send(ws: WebSocket, text: string): void {
  try {
    ws.send(text);
  } catch {
    // The socket is closing; its client resumes from its last seq when it reconnects.
  }
}
