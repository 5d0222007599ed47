import { DurableObject } from "cloudflare:workers";

/**
 * The benchmark's floor: a Durable Object that sends every WebSocket frame
 * straight back. It uses the same hibernation API as SessionActor, so the
 * difference between the two is the cost of a turn, not of the transport.
 */
export class BenchEcho extends DurableObject {
  /** Only reached through the bench route, which has already checked the upgrade. */
  override async fetch(): Promise<Response> {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    return new Response(null, { status: 101, webSocket: client });
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    ws.send(message);
  }

  /** The runtime has already answered the close frame (compatibility date ≥ 2026-04-07); the object holds nothing else. */
  override webSocketClose(): void {}
}
