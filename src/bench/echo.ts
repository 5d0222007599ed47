import { DurableObject } from "cloudflare:workers";

/**
 * The benchmark's floor: a Durable Object that sends every WebSocket frame
 * straight back. It uses the same hibernation API as SessionActor, so the
 * difference between the two is the cost of a turn, not of the transport.
 *
 * Opened with `?durable=1`, it first writes the frame to its SQLite storage,
 * so the echo waits (the output gate) until that write is durable: the floor
 * of anything that, like a turn, must commit before it answers.
 */
export class BenchEcho extends DurableObject {
  /** Each socket's mode, read from its attachment once per activation rather than on every frame. */
  private readonly durable = new WeakMap<WebSocket, boolean>();

  /** Only reached through the bench route, which has already checked the upgrade. */
  override async fetch(request: Request): Promise<Response> {
    const durable = new URL(request.url).searchParams.get("durable") === "1";
    if (durable) this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS frames (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    if (durable) server.serializeAttachment({ durable });
    this.durable.set(server, durable);
    return new Response(null, { status: 101, webSocket: client });
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    let durable = this.durable.get(ws);
    if (durable === undefined) this.durable.set(ws, (durable = (ws.deserializeAttachment() as { durable?: boolean } | null)?.durable === true));
    if (durable) {
      this.ctx.storage.sql.exec("INSERT INTO frames (body) VALUES (?)", typeof message === "string" ? message : new TextDecoder().decode(message));
    }
    ws.send(message);
  }

  /** The runtime has already answered the close frame (compatibility date ≥ 2026-04-07); the object holds nothing else. */
  override webSocketClose(): void {}
}
