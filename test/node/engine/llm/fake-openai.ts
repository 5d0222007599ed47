/**
 * A local OpenAI-compatible chat completions server for provider tests.
 * Each request takes the next scripted behaviour; requests are recorded.
 * Listens on port 0 (a free port) on 127.0.0.1.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Behaviour =
  /** 200 with an SSE stream; the text arrives in these pieces, then usage (finish_reason `finish`, default stop). */
  | { kind: "stream"; pieces: string[]; delayMs?: number; finish?: "stop" | "length" }
  /** The text the way the request asked: an SSE stream in `chunks` pieces when it asked to stream, else one chat.completion. */
  | { kind: "reply"; text: string; chunks?: number; finish?: "stop" | "length" }
  /** One chat.completion JSON body, whatever the request asked (a server that ignores `stream: true`). */
  | { kind: "json"; text: string }
  /** An SSE stream that sends these pieces, then a `data: {"error":…}` event. */
  | { kind: "sse-error"; pieces: string[] }
  /** An SSE stream that sends these pieces, then drops the connection. */
  | { kind: "cut"; pieces: string[] }
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

async function stream(res: ServerResponse, pieces: string[], delayMs: number, finish = "stop") {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.write(chunk({ role: "assistant", content: "" }, null));
  for (const piece of pieces) {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    res.write(chunk({ content: piece }, null));
  }
  res.write(chunk({}, finish, { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 }));
  res.end("data: [DONE]\n\n");
}

function completion(res: ServerResponse, text: string, finish = "stop") {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1767225600,
      model: "fake-model",
      choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: finish }],
      usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
    }),
  );
}

/** text in n pieces of about equal length (characters, not bytes: no piece splits a character). */
export function piecesOf(text: string, n: number): string[] {
  const chars = [...text];
  const size = Math.max(1, Math.ceil(chars.length / n));
  return Array.from({ length: Math.ceil(chars.length / size) }, (_, i) => chars.slice(i * size, (i + 1) * size).join(""));
}

export async function startFakeOpenAI(behaviours: Behaviour[]): Promise<FakeServer> {
  const requests: Record<string, unknown>[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    for await (const part of req) body += part;
    requests.push({ path: req.url, authorization: req.headers.authorization, ...(JSON.parse(body) as object) });
    const b = behaviours.shift() ?? { kind: "status", status: 500 };
    const asked = (JSON.parse(body) as { stream?: boolean }).stream === true;
    if (b.kind === "stream") return stream(res, b.pieces, b.delayMs ?? 0, b.finish);
    if (b.kind === "reply") return asked ? stream(res, piecesOf(b.text, b.chunks ?? 5), 0, b.finish) : completion(res, b.text, b.finish);
    if (b.kind === "json") return completion(res, b.text);
    if (b.kind === "sse-error" || b.kind === "cut") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (const piece of b.pieces) res.write(chunk({ content: piece }, null));
      if (b.kind === "cut") return setTimeout(() => req.socket.destroy(), 20);
      return res.end(`data: ${JSON.stringify({ error: { message: "fake overload", type: "server_error", code: "overloaded" } })}\n\n`);
    }
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
