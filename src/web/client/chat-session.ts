/**
 * One live chat session over the WebSocket: reconnects by itself, resumes
 * after the highest seq it has, resends what the server has not confirmed,
 * and reports one status. Shared by the web page and `heartrule chat`.
 *
 * The socket's own send buffer is off (maxEnqueuedMessages: 0): on every
 * open this class sends `resume` first and then the unconfirmed user
 * messages, so nothing is sent twice under a new id and nothing is lost.
 * The server answers a repeated clientMessageId from its log.
 */
import ReconnectingWebSocket from "partysocket/ws";
import { Conversation } from "./conversation";
import {
  parseServerFrame,
  TOKEN_EXPIRED_CLOSE,
  type ClientFrame,
  type ErrorFrame,
  type MessageFrame,
  type ServerFrame,
  type StateFrame,
} from "./protocol";
import { deriveStatus, sessionRunState, type ChatStatus, type SessionRunState } from "./status";

/** Where a socket connects: the URL, and the subprotocols that carry its token (Api.socketAddress). */
export interface SocketAddress {
  url: string;
  protocols?: string[];
}

export interface ChatSessionOptions {
  /**
   * The WebSocket address and token; called before every (re)connect so a token can be refreshed.
   * `tokenExpired`: the server closed the last socket because its token expired (TOKEN_EXPIRED_CLOSE), so the
   * address must carry a fresh token; the new socket resumes where the old one was.
   */
  address: (why: { tokenExpired: boolean }) => Promise<SocketAddress>;
  /** A WebSocket class for runtimes without a global one (Node 20: the `ws` package). */
  WebSocket?: unknown;
  /** What the REST call that created or loaded the session returned. */
  initial?: { messages: MessageFrame[]; status: string };
  /** Makes clientMessageIds; crypto.randomUUID by default. */
  newId?: () => string;
  /** Keep-alive: a ping this often, and a reconnect when nothing arrives for twice as long. */
  pingIntervalMs?: number;
  /** Delay before the first reconnect attempt (grows up to maxReconnectDelayMs). */
  minReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
}

export interface ChatSessionEvents {
  status: (status: ChatStatus) => void;
  /** Every frame the server sends, after the conversation has applied it. */
  frame: (frame: ServerFrame) => void;
  /** A connection opened: `reconnect` is true from the second one on. */
  open: (info: { reconnect: boolean }) => void;
}

export class ChatSession {
  readonly conversation = new Conversation();
  private socket: ReconnectingWebSocket | null = null;
  private run: SessionRunState = "unknown";
  private connected = false;
  private closed = false;
  private opens = 0;
  /** The last socket was closed for its token's expiry: the next URL needs a fresh one. */
  private tokenExpired = false;
  private lastError: ErrorFrame | null = null;
  private lastStatus: ChatStatus | null = null;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private lastHeard = 0;
  /** The newest seq the server has reported (state frames): until we have it, we are catching up. */
  private serverSeq = 0;
  private readonly newId: () => string;
  private readonly listeners: { [K in keyof ChatSessionEvents]: ChatSessionEvents[K][] } = { status: [], frame: [], open: [] };

  constructor(private readonly options: ChatSessionOptions) {
    this.newId = options.newId ?? (() => crypto.randomUUID());
    if (options.initial) {
      for (const message of options.initial.messages) this.conversation.applyMessage(message);
      this.run = sessionRunState(options.initial.status);
    }
  }

  on<K extends keyof ChatSessionEvents>(event: K, listener: ChatSessionEvents[K]): void {
    this.listeners[event].push(listener);
  }

  get status(): ChatStatus {
    return deriveStatus({
      connected: this.connected,
      catchingUp: this.connected && this.catchingUp,
      run: this.run,
      inFlight: this.conversation.unconfirmed.some((l) => l.state === "sending") || this.conversation.streaming,
      failed: this.lastError !== null,
    });
  }

  /** The error behind an `error` status, if a frame reported one. */
  get error(): ErrorFrame | null {
    return this.lastError;
  }

  connect(): void {
    if (this.socket || this.run === "completed") {
      this.report();
      return;
    }
    // partysocket asks for the URL and then, in the same tick, for the protocols: both come from one address() call.
    let next: Promise<SocketAddress> = Promise.resolve({ url: "" });
    const url = () => {
      next = this.options.address({ tokenExpired: this.tokenExpired });
      return next.then((a) => a.url);
    };
    const protocols = () => next.then((a) => a.protocols ?? []);
    this.socket = new ReconnectingWebSocket(url, protocols, {
      WebSocket: this.options.WebSocket,
      maxEnqueuedMessages: 0,
      minReconnectionDelay: this.options.minReconnectDelayMs ?? 500,
      maxReconnectionDelay: this.options.maxReconnectDelayMs ?? 10_000,
      reconnectionDelayGrowFactor: 1.5,
      connectionTimeout: 8_000,
      minUptime: 2_000,
    });
    this.socket.addEventListener("open", () => this.handleOpen());
    // partysocket asks for the next URL only after its reconnect delay, so this is known by then.
    this.socket.addEventListener("close", (event) => {
      this.tokenExpired = event.code === TOKEN_EXPIRED_CLOSE;
      this.setConnected(false);
    });
    this.socket.addEventListener("message", (event) => this.handleMessage(event.data));
    this.report();
  }

  /** Sends what the user typed; shown at once, delivered when connected. */
  send(content: string): string {
    const clientMessageId = this.newId();
    this.conversation.addOutgoing(content, clientMessageId);
    this.run = "running";
    this.transmit({ type: "user_message", content, clientMessageId });
    this.report();
    return clientMessageId;
  }

  /** A control frame (typing, asking for a counselor, a counselor's actions): sent when connected, never queued. */
  signal(frame: Exclude<ClientFrame, { type: "user_message" | "resume" | "ping" }>): void {
    this.transmit(frame);
  }

  /** After an error: resend failed messages with their original ids, or reconnect when none failed. */
  retry(): void {
    this.lastError = null;
    const failed = this.conversation.retryFailed();
    if (failed.length === 0) this.socket?.reconnect();
    else this.run = "running";
    for (const line of failed) this.transmit({ type: "user_message", content: line.content, clientMessageId: line.clientMessageId! });
    this.report();
  }

  /** Drops the current connection and opens a new one (what a network blip does). */
  reconnect(): void {
    this.socket?.reconnect();
  }

  /** Ends the session for this client for good: no reconnect, and no status reported after it (a closed session is not "connecting"). */
  close(): void {
    this.closed = true;
    clearInterval(this.pingTimer);
    this.socket?.close(1000, "client closed");
    this.socket = null;
    this.setConnected(false);
  }

  private transmit(frame: ClientFrame): void {
    // Never buffered: handleOpen resends whatever is still unconfirmed.
    if (this.socket && this.connected) this.socket.send(JSON.stringify(frame));
  }

  private handleOpen(): void {
    this.opens++;
    this.tokenExpired = false;
    if (this.opens > 1) this.conversation.interruptStreams();
    this.setConnected(true, false);
    this.lastHeard = Date.now();
    this.transmit({ type: "resume", lastSeq: this.conversation.lastSeq });
    for (const line of this.conversation.unconfirmed) {
      if (line.state === "sending") this.transmit({ type: "user_message", content: line.content, clientMessageId: line.clientMessageId! });
    }
    this.startKeepAlive();
    for (const listener of this.listeners.open) listener({ reconnect: this.opens > 1 });
    this.report();
  }

  private handleMessage(data: unknown): void {
    this.lastHeard = Date.now();
    const frame = parseServerFrame(typeof data === "string" ? data : String(data));
    if (!frame) return;
    switch (frame.type) {
      case "message":
        this.conversation.applyMessage(frame);
        break;
      case "delta":
        this.conversation.applyDelta(frame);
        break;
      case "delta_reset":
        this.conversation.applyDeltaReset(frame);
        break;
      case "state":
        this.serverSeq = Math.max(this.serverSeq, frame.lastSeq ?? 0);
        if (this.isStale(frame)) break;
        this.run = sessionRunState(frame.status);
        if (this.run === "waiting" || this.run === "completed") this.lastError = null;
        break;
      case "error":
        this.lastError = frame;
        this.conversation.dropStreaming();
        this.conversation.markFailed(frame);
        break;
    }
    for (const listener of this.listeners.frame) listener(frame);
    this.report();
    if (this.run === "completed" && !this.catchingUp) this.close();
  }

  /** The server has messages this client has not received yet: a resume (or a reload of a finished conversation) is replaying them. */
  private get catchingUp(): boolean {
    return this.serverSeq > this.conversation.lastSeq;
  }

  /**
   * A state sent before the server saw our latest message (the one a socket
   * gets on connecting, or a resume's) must not end the turn we are waiting
   * for: it is stale while that message is unconfirmed, or older than it.
   */
  private isStale(frame: StateFrame): boolean {
    if (this.run !== "running") return false;
    const mine = this.conversation.lines.filter((l) => l.role === "user");
    if (mine.some((l) => l.state === "sending")) return true;
    const latest = mine.at(-1)?.seq ?? 0;
    return frame.lastSeq !== undefined && frame.lastSeq < latest;
  }

  private startKeepAlive(): void {
    clearInterval(this.pingTimer);
    const every = this.options.pingIntervalMs ?? 20_000;
    this.pingTimer = setInterval(() => {
      if (!this.connected) return;
      // A connection that went silent (a laptop lid, a dead NAT mapping) is replaced.
      if (Date.now() - this.lastHeard > every * 2) this.socket?.reconnect();
      else this.transmit({ type: "ping" });
    }, every);
    (this.pingTimer as { unref?: () => void }).unref?.();
  }

  private setConnected(connected: boolean, report = true): void {
    this.connected = connected;
    if (!connected) clearInterval(this.pingTimer);
    if (report) this.report();
  }

  private report(): void {
    if (this.closed) return;
    const status = this.status;
    if (status === this.lastStatus) return;
    this.lastStatus = status;
    for (const listener of this.listeners.status) listener(status);
  }
}
