/**
 * Everyone listening to a session: hibernatable WebSockets, SSE streams of
 * GET /events, and the SSE answer of each POST /messages for the turn it
 * waits on. A frame is serialised once and fanned out to all of them.
 */
import type { Role } from "../../http/user";
import { CLOSE_CODES, MAX_BAD_FRAMES, SSE_BUFFER_BYTES, SSE_HEARTBEAT, SSE_HEARTBEAT_MS, SSE_RETRY, sseEvent, type ServerFrame } from "../protocol";

/** Kept with each WebSocket by the runtime, so it survives hibernation. */
export interface SocketAttachment {
  sessionId: string;
  userId: string;
  role: Role;
  /** Seq of the newest message when the socket joined: later ones reach it live, earlier ones only through `resume`. */
  joinedSeq: number;
  /** When the token the socket connected with expires (ms since the epoch; null: it has no `exp`). The socket is closed then. */
  expiresAt: number | null;
  /** Frames it sent that were not the protocol's; at MAX_BAD_FRAMES it is closed. */
  badFrames: number;
}

export const seesDebug = (role: Role) => role === "author" || role === "admin";

const tokenExpired = (a: SocketAttachment, now: number) => a.expiresAt !== null && a.expiresAt <= now;

/**
 * One SSE response body. Writes never wait: they queue for the reader, at most
 * `limit` bytes of them; a reader that falls further behind is dropped (the
 * stream ends, the client reconnects with Last-Event-ID). A reader that went
 * away closes the channel.
 */
export class SseChannel {
  readonly readable: ReadableStream<Uint8Array>;
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private readonly queue: Uint8Array[] = [];
  private queued = 0;
  /** What goes before anything queued (a replay from storage), produced only as the reader asks for it. */
  private lead: Iterator<Uint8Array> | null;
  /** A read waiting for the next write. */
  private wake: (() => void) | null = null;
  private closed = false;

  constructor(
    readonly role: Role,
    private readonly onClose: (channel: SseChannel) => void,
    private readonly limit = SSE_BUFFER_BYTES,
    lead?: Iterable<Uint8Array>,
  ) {
    this.lead = (function* () {
      yield SSE_RETRY;
      if (lead) yield* lead;
    })();
    // highWaterMark 0: nothing is pulled ahead of the reader, so `queue` is all this stream holds.
    this.readable = new ReadableStream<Uint8Array>(
      { start: (c) => void (this.controller = c), pull: (c) => this.pull(c), cancel: () => this.close() },
      { highWaterMark: 0 },
    );
    this.heartbeat = setInterval(() => this.write(SSE_HEARTBEAT), SSE_HEARTBEAT_MS);
  }

  /** Queues a chunk for the reader; one that would take the queue past `limit` drops the reader instead (a single larger event still goes to a reader that has taken everything else). */
  write(chunk: Uint8Array): void {
    if (this.closed) return;
    if (this.queued > 0 && this.queued + chunk.byteLength > this.limit) {
      this.drop();
      return;
    }
    this.queue.push(chunk);
    this.queued += chunk.byteLength;
    this.wake?.();
  }

  send(frame: ServerFrame, id: number): void {
    this.write(sseEvent(frame, id));
  }

  /** Ends the stream after what was written to it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.onClose(this);
    this.wake?.();
  }

  /**
   * The reader is too far behind: what waits for it is let go and the stream ends there (an error would be
   * thrown into the runtime's RPC pump as well). SSE clients reconnect at the end with Last-Event-ID.
   */
  private drop(): void {
    this.queue.length = 0;
    this.queued = 0;
    this.lead = null;
    this.close();
    closeStream(this.controller);
  }

  private async pull(c: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    for (;;) {
      const chunk = this.next();
      if (chunk) return c.enqueue(chunk);
      if (this.closed) return closeStream(c);
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }

  private next(): Uint8Array | undefined {
    const led = this.lead?.next();
    if (led && !led.done) return led.value;
    this.lead = null;
    const chunk = this.queue.shift();
    if (chunk) this.queued -= chunk.byteLength;
    return chunk;
  }
}

function closeStream(c: ReadableStreamDefaultController<Uint8Array>): void {
  try {
    c.close();
  } catch {
    // cancelled by the reader, or dropped (errored) already
  }
}

export class Connections {
  private readonly listeners = new Set<SseChannel>();
  private readonly turnSinks = new Map<number, Set<SseChannel>>();
  private readonly attachments = new WeakMap<WebSocket, SocketAttachment>();

  constructor(
    private readonly ctx: DurableObjectState,
    /** Each SSE stream's buffer for a reader that does not read (SseChannel). */
    private readonly sseLimit = SSE_BUFFER_BYTES,
  ) {}

  acceptSocket(ws: WebSocket, attachment: SocketAttachment): void {
    this.ctx.acceptWebSocket(ws);
    ws.serializeAttachment(attachment);
    this.attachments.set(ws, attachment);
  }

  attachment(ws: WebSocket): SocketAttachment {
    let a = this.attachments.get(ws);
    if (!a) {
      // A socket accepted before a release added fields has them unset: no known expiry, no bad frames yet.
      const stored = ws.deserializeAttachment() as Partial<SocketAttachment> & Omit<SocketAttachment, "expiresAt" | "badFrames">;
      a = { ...stored, expiresAt: stored.expiresAt ?? null, badFrames: stored.badFrames ?? 0 };
      this.attachments.set(ws, a);
    }
    return a;
  }

  /** The socket may go on: false (and it is closed with CLOSE_CODES.tokenExpired) once its token has expired. */
  admit(ws: WebSocket, now = Date.now()): boolean {
    if (!tokenExpired(this.attachment(ws), now)) return true;
    close(ws, CLOSE_CODES.tokenExpired, "token expired");
    return false;
  }

  /** Closes the sockets whose token has expired (the alarm's part); returns when the next of the others expires (null: none does). */
  expireSockets(now = Date.now()): number | null {
    let next: number | null = null;
    for (const ws of this.ctx.getWebSockets()) {
      if (!this.admit(ws, now)) continue;
      const at = this.attachment(ws).expiresAt;
      if (at !== null && (next === null || at < next)) next = at;
    }
    return next;
  }

  /** Counts a frame that was not the protocol's; true when the socket has sent too many and is closed for it. */
  badFrame(ws: WebSocket): boolean {
    const a = this.attachment(ws);
    a.badFrames += 1;
    if (a.badFrames >= MAX_BAD_FRAMES) {
      close(ws, CLOSE_CODES.badFrames, "too many bad frames");
      return true;
    }
    ws.serializeAttachment(a);
    return false;
  }

  /** A GET /events stream: `lead` (the replay), then every frame of the session until the client leaves. */
  openListener(role: Role, lead?: Iterable<Uint8Array>): SseChannel {
    const channel = new SseChannel(role, (c) => this.listeners.delete(c), this.sseLimit, lead);
    this.listeners.add(channel);
    return channel;
  }

  /** A POST /messages stream: the frames of one turn; the caller closes it when the turn ends. */
  openTurnSink(turnId: number, role: Role): SseChannel {
    const sinks = this.turnSinks.get(turnId) ?? new Set<SseChannel>();
    this.turnSinks.set(turnId, sinks);
    const channel = new SseChannel(
      role,
      (c) => {
        sinks.delete(c);
        if (sinks.size === 0 && this.turnSinks.get(turnId) === sinks) this.turnSinks.delete(turnId);
      },
      this.sseLimit,
    );
    sinks.add(channel);
    return channel;
  }

  /** Sends a frame to every connection (debug frames only to authors and admins), and to the sinks of `turnId`; a socket whose token expired gets none. */
  publish(frame: ServerFrame, id: number, turnId?: number): void {
    const json = JSON.stringify(frame);
    const debugOnly = frame.type === "debug";
    const now = Date.now();
    for (const ws of this.ctx.getWebSockets()) {
      if (!this.admit(ws, now)) continue;
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
    for (const ws of this.ctx.getWebSockets()) close(ws, code, reason);
    for (const channel of [...this.listeners, ...[...this.turnSinks.values()].flatMap((s) => [...s])]) channel.close();
  }
}

export function close(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // already closing
  }
}

function send(ws: WebSocket, text: string): void {
  try {
    ws.send(text);
  } catch {
    // The socket is closing; its client resumes from its last seq when it reconnects.
  }
}
