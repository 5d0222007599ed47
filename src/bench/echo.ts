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
  /** Only reached through the bench route, which has already checked the upgrade. */
  override async fetch(request: Request): Promise<Response> {
    const durable = new URL(request.url).searchParams.get("durable") === "1";
    if (durable) this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS frames (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ durable });
    return new Response(null, { status: 101, webSocket: client });
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    if ((ws.deserializeAttachment() as { durable?: boolean } | null)?.durable) {
      this.ctx.storage.sql.exec("INSERT INTO frames (body) VALUES (?)", typeof message === "string" ? message : new TextDecoder().decode(message));
    }
    ws.send(message);
  }

  /** The runtime has already answered the close frame (compatibility date ≥ 2026-04-07); the object holds nothing else. */
  override webSocketClose(): void {}
}
