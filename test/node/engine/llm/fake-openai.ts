/**
 * A local OpenAI-compatible chat completions server for provider tests.
 * Each request takes the next scripted behaviour; requests are recorded.
 * Listens on port 0 (a free port) on 127.0.0.1.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Behaviour =
  /** 200 with an SSE stream; the text arrives in these pieces, then usage. */
  | { kind: "stream"; pieces: string[]; delayMs?: number }
  /** An error status with headers and a JSON body. */
  | { kind: "status"; status: number; headers?: Record<string, string> }
  /** Accept the request and never answer. */
  | { kind: "hang" }
  /** Drop the connection without an answer, as a network failure would. */
  | { kind: "reset" };

export interface FakeServer {
  url: string;
  requests: Record<string, unknown>[];
  close(): Promise<void>;
}

function chunk(delta: Record<string, unknown>, finish: string | null, usage?: Record<string, number>) {
  return `data: ${JSON.stringify({
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1767225600,
    model: "fake-model",
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...(usage ? { usage } : {}),
  })}\n\n`;
}

async function stream(res: ServerResponse, pieces: string[], delayMs: number) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.write(chunk({ role: "assistant", content: "" }, null));
  for (const piece of pieces) {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    res.write(chunk({ content: piece }, null));
  }
  res.write(chunk({}, "stop", { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 }));
  res.end("data: [DONE]\n\n");
}

export async function startFakeOpenAI(behaviours: Behaviour[]): Promise<FakeServer> {
  const requests: Record<string, unknown>[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    for await (const part of req) body += part;
    requests.push({ path: req.url, authorization: req.headers.authorization, ...(JSON.parse(body) as object) });
    const b = behaviours.shift() ?? { kind: "status", status: 500 };
    if (b.kind === "stream") return stream(res, b.pieces, b.delayMs ?? 0);
    if (b.kind === "reset") return req.socket.destroy();
    if (b.kind === "status") {
      res.writeHead(b.status, { "content-type": "application/json", ...b.headers });
      return res.end(JSON.stringify({ error: { message: `fake ${b.status}`, type: "fake" } }));
    }
    hanging.add(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
