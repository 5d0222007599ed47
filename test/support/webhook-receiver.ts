/**
 * A webhook receiver, as a deployer would run one: it checks each delivery's
 * HeartRule-Signature with verifyPayload (src/notify/signature.ts) and records
 * what it got. Runs in Node (globalSetup of the `workers` project); tests
 * inside workerd read its record over HTTP and can make it refuse the next
 * deliveries, as a receiver that is down does.
 *
 *   POST /hook                      a delivery
 *   GET  /deliveries?sessionId=…    what arrived for that session: [{ eventId, body, verified }]
 *   POST /refuse?sessionId=…&times=N  answer 503 to the next N deliveries of that session
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eventIdHeader, signatureHeader, verifyPayload } from "../../src/notify/signature";

export const WEBHOOK_SECRET = "receiver-secret-0123456789";

export interface Received {
  eventId: string | undefined;
  body: Record<string, unknown>;
  verified: boolean;
  /** 503 when the receiver refused it. */
  answered: number;
}

export async function startWebhookReceiver(): Promise<{ url: string; close: () => Promise<void> }> {
  const received: Received[] = [];
  const refusals = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://receiver");
    let raw = "";
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", async () => {
      if (req.method === "POST" && url.pathname === "/hook") {
        const check = await verifyPayload(WEBHOOK_SECRET, raw, req.headers[signatureHeader.toLowerCase()] as string | undefined, Date.now() / 1000);
        const body = JSON.parse(raw) as Record<string, unknown>;
        const session = String(body.sessionId);
        const refuse = refusals.get(session) ?? 0;
        if (refuse > 0) refusals.set(session, refuse - 1);
        const answered = refuse > 0 ? 503 : check.ok ? 204 : 401;
        received.push({ eventId: req.headers[eventIdHeader.toLowerCase()] as string | undefined, body, verified: check.ok, answered });
        res.writeHead(answered).end();
        return;
      }
      if (req.method === "POST" && url.pathname === "/refuse") {
        refusals.set(url.searchParams.get("sessionId") ?? "", Number(url.searchParams.get("times") ?? "1"));
        res.writeHead(204).end();
        return;
      }
      if (req.method === "GET" && url.pathname === "/deliveries") {
        const session = url.searchParams.get("sessionId");
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(received.filter((r) => r.body.sessionId === session)));
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
