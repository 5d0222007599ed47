/**
 * Dispatch: the one Durable Object that holds the counselors' live queue. Each
 * session actor tells it when it is queued, taken, timed out or leaves the
 * queue; it answers GET /api/counselor/queue, keeps the consoles' feed
 * sockets (hibernatable) up to date, and sends the handoff webhook, retried
 * from its alarm (src/notify/delivery.ts). Nothing it holds is content.
 */
import { DurableObject } from "cloudflare:workers";
import { getConfig, type Env } from "../config";
import { log } from "../log";
import { WebhookOutbox } from "../notify/delivery";
import { FEED_CALLER_HEADER, type DispatchRpc } from "./rpc";
import type { Alert, FeedFrame, QueueEntry, QueueItem } from "./schemas";

/** The feed socket's token expiry (ms), kept with the socket across hibernation. */
interface FeedAttachment {
  expiresAt: number | null;
}

export class Dispatch extends DurableObject<Env> implements DispatchRpc {
  private readonly sql: SqlStorage;
  private readonly webhooks: WebhookOutbox;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const config = getConfig(env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS queue (sessionId TEXT PRIMARY KEY, queuedAt INTEGER NOT NULL, item TEXT NOT NULL)");
    const target =
      config.HANDOFF_WEBHOOK_URL && config.HANDOFF_WEBHOOK_SECRET ? { url: config.HANDOFF_WEBHOOK_URL, secret: config.HANDOFF_WEBHOOK_SECRET } : null;
    this.webhooks = new WebhookOutbox(this.sql, target);
  }

  async put(item: QueueItem, alert: Alert | null): Promise<void> {
    this.sql.exec("INSERT OR REPLACE INTO queue (sessionId, queuedAt, item) VALUES (?, ?, ?)", item.sessionId, item.queuedAt, JSON.stringify(item));
    if (alert && this.webhooks.enqueue(alert.eventId, alert.payload)) {
      log({ level: "info", msg: "handoff alert queued", sessionId: item.sessionId });
      this.ctx.waitUntil(this.deliver());
    }
    this.broadcast();
  }

  async remove(sessionId: string): Promise<void> {
    this.sql.exec("DELETE FROM queue WHERE sessionId = ?", sessionId);
    this.broadcast();
  }

  async list(): Promise<QueueEntry[]> {
    return this.entries(Date.now());
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return new Response(null, { status: 426 });
    const expires = request.headers.get(FEED_CALLER_HEADER);
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ expiresAt: expires ? Number(expires) : null } satisfies FeedAttachment);
    server.send(this.frame(Date.now()));
    return new Response(null, { status: 101, webSocket: client });
  }

  /** The console only listens; anything it sends is answered with the queue again. */
  override async webSocketMessage(ws: WebSocket): Promise<void> {
    const now = Date.now();
    if (this.admit(ws, now)) ws.send(this.frame(now));
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closed");
    } catch {
      // already closed
    }
  }

  override async alarm(): Promise<void> {
    await this.deliver();
  }

  /** Sends what is due and sets the alarm for the next retry. */
  private async deliver(): Promise<void> {
    await this.webhooks.deliverDue();
    const next = this.webhooks.nextAttemptAt();
    if (next !== null) await this.ctx.storage.setAlarm(next);
  }

  private frame(now: number): string {
    return JSON.stringify({ type: "queue", items: this.entries(now) } satisfies FeedFrame);
  }

  private broadcast(): void {
    const sockets = this.ctx.getWebSockets();
    if (!sockets.length) return;
    const now = Date.now();
    const text = this.frame(now);
    for (const ws of sockets) {
      if (!this.admit(ws, now)) continue;
      try {
        ws.send(text);
      } catch {
        // closing; the console reconnects and gets the queue again
      }
    }
  }

  /** Newest first. */
  private entries(now: number): QueueEntry[] {
    return this.sql
      .exec<{ item: string }>("SELECT item FROM queue ORDER BY queuedAt DESC, sessionId")
      .toArray()
      .map((r) => entryOf(JSON.parse(r.item) as QueueItem, now));
  }

  /** A feed socket whose token expired is closed (4401, as session sockets are). */
  private admit(ws: WebSocket, now: number): boolean {
    const { expiresAt } = (ws.deserializeAttachment() ?? { expiresAt: null }) as FeedAttachment;
    if (expiresAt === null || expiresAt > now) return true;
    try {
      ws.close(4401, "token expired");
    } catch {
      // already closing
    }
    return false;
  }
}

function entryOf(item: QueueItem, now: number): QueueEntry {
  return { ...item, queuedAt: new Date(item.queuedAt).toISOString(), waitingSeconds: Math.max(0, Math.floor((now - item.queuedAt) / 1000)) };
}
