/**
 * The project's one fake OpenAI-compatible chat completions server, for
 * provider tests, the moderation endpoint of the safety classifier, the reply corpus (Node, workerd, the CLI), the browser
 * retraction test and the streaming benchmark. It runs in Node on
 * 127.0.0.1, port 0 (a free port).
 *
 * What it answers is a Behaviour per request: from a list (each request
 * takes the next; `status 500` when the list is empty) or from a function of
 * the request, which sees the JSON Schema a `json_schema` request carries
 * (replyFor() builds a reply that satisfies it). Requests are recorded.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export type Behaviour =
  /**
   * 200 with an SSE stream; the text arrives in these pieces, then usage (finish_reason `finish`,
   * default stop). Piece i is written `firstAtMs + i × delayMs` after the request arrived (absolute
   * deadlines: a late timer does not push later pieces back); `onPiece` runs after each write.
   */
  | { kind: "stream"; pieces: string[]; delayMs?: number; firstAtMs?: number; finish?: "stop" | "length"; onPiece?: (index: number) => void }
  /** The text the way the request asked: an SSE stream in `chunks` pieces when it asked to stream, else one chat.completion. */
  | { kind: "reply"; text: string; chunks?: number; finish?: "stop" | "length" }
  /** This body exactly as given (any JSON, or text that is not JSON), after `delayMs`: a moderation answer, say. */
  | { kind: "raw"; body: string; status?: number; delayMs?: number }
  /** One chat.completion JSON body, whatever the request asked (a server that ignores `stream: true`). */
  | { kind: "json"; text: string }
  /** An SSE stream that sends these pieces, then a `data: {"error":…}` event. */
  | { kind: "sse-error"; pieces: string[] }
  /** An SSE stream that sends these pieces, then drops the connection. */
  | { kind: "cut"; pieces: string[] }
  /** An error status with headers and a JSON body (`message` in it). */
  | { kind: "status"; status: number; headers?: Record<string, string>; message?: string }
  /** 200 with an empty JSON object: the answer to a control request (a responder's own path). */
  | { kind: "ack" }
  /** Accept the request and never answer. */
  | { kind: "hang" }
  /** Drop the connection without an answer, as a network failure would. */
  | { kind: "reset" };

/** The subset of JSON Schema the engine's reply schemas use. */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
}

export interface FakeRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  /** The request body as sent (stream, messages, response_format…). */
  body: Record<string, unknown> & { stream?: boolean; messages?: { role: string; content: unknown }[] };
  /** The reply schema of a `json_schema` request. */
  schema: JsonSchema | undefined;
  /** performance.now() when the request arrived. */
  receivedAt: number;
}

export type Responder = Behaviour[] | ((request: FakeRequest) => Behaviour);

export interface FakeServer {
  /** The LLM_BASE_URL to give a provider: `http://127.0.0.1:<port>/v1`. */
  url: string;
  /** Each request as `{ path, authorization, ...body }`. */
  requests: Record<string, unknown>[];
  close(): Promise<void>;
}

const USAGE = { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 };

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

async function stream(res: ServerResponse, b: Extract<Behaviour, { kind: "stream" }>, receivedAt: number) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  res.write(chunk({ role: "assistant", content: "" }, null));
  const gap = b.delayMs ?? 0;
  for (const [i, piece] of b.pieces.entries()) {
    const wait = receivedAt + (b.firstAtMs ?? gap) + i * gap - performance.now();
    if (wait > 0) await sleep(wait);
    res.write(chunk({ content: piece }, null));
    b.onPiece?.(i);
  }
  res.write(chunk({}, b.finish ?? "stop", USAGE));
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
      usage: USAGE,
    }),
  );
}

/** text in n pieces of about equal length (characters, not bytes: no piece splits a character). */
export function piecesOf(text: string, n: number): string[] {
  const chars = [...text];
  const size = Math.max(1, Math.ceil(chars.length / n));
  return Array.from({ length: Math.ceil(chars.length / size) }, (_, i) => chars.slice(i * size, (i + 1) * size).join(""));
}

/**
 * A value of the schema's shape: `EXIT` "true" (every action ends after one
 * answer), the first value of other enums, no safety or crisis flags, `text`
 * for strings (a function: per property name), 50 (within bounds) for numbers.
 */
export function replyFor(schema: JsonSchema, text: string | ((name: string) => string) = "fake value", name = ""): unknown {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (schema.enum) return name === "EXIT" && schema.enum.includes("true") ? "true" : schema.enum[0];
  if (types.includes("object")) {
    return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, replyFor(v, text, k)]));
  }
  if (types.includes("boolean")) return false;
  if (types.includes("number") || types.includes("integer")) return Math.min(schema.maximum ?? 50, Math.max(schema.minimum ?? 50, 50));
  if (types.includes("array")) return [];
  if (types.includes("string")) return typeof text === "function" ? text(name) : text;
  return null;
}

export async function startFakeOpenAI(responder: Responder): Promise<FakeServer> {
  const requests: Record<string, unknown>[] = [];
  const hanging = new Set<ServerResponse>();
  const next = (request: FakeRequest): Behaviour =>
    Array.isArray(responder) ? (responder.shift() ?? { kind: "status", status: 500 }) : responder(request);

  async function answer(req: IncomingMessage, res: ServerResponse) {
    const receivedAt = performance.now();
    let text = "";
    for await (const part of req) text += part;
    const body = (text ? JSON.parse(text) : {}) as FakeRequest["body"];
    requests.push({ path: req.url, authorization: req.headers.authorization, ...body });
    const format = body.response_format as { json_schema?: { schema?: JsonSchema } } | undefined;
    const request: FakeRequest = {
      method: req.method ?? "GET",
      path: req.url ?? "/",
      authorization: req.headers.authorization,
      body,
      schema: format?.json_schema?.schema,
      receivedAt,
    };
    const b = next(request);
    const asked = body.stream === true;
    if (b.kind === "stream") return stream(res, b, receivedAt);
    if (b.kind === "reply")
      return asked
        ? stream(res, { kind: "stream", pieces: piecesOf(b.text, b.chunks ?? 5), finish: b.finish }, receivedAt)
        : completion(res, b.text, b.finish);
    if (b.kind === "json") return completion(res, b.text);
    if (b.kind === "raw") {
      if (b.delayMs) await sleep(b.delayMs);
      res.writeHead(b.status ?? 200, { "content-type": "application/json" });
      return res.end(b.body);
    }
    if (b.kind === "sse-error" || b.kind === "cut") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (const piece of b.pieces) res.write(chunk({ content: piece }, null));
      if (b.kind === "cut") return void setTimeout(() => req.socket.destroy(), 20);
      return res.end(`data: ${JSON.stringify({ error: { message: "fake overload", type: "server_error", code: "overloaded" } })}\n\n`);
    }
    if (b.kind === "reset") return req.socket.destroy();
    if (b.kind === "ack") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end("{}");
    }
    if (b.kind === "status") {
      res.writeHead(b.status, { "content-type": "application/json", ...b.headers });
      return res.end(JSON.stringify({ error: { message: b.message ?? `fake ${b.status}`, type: "fake" } }));
    }
    hanging.add(res);
  }

  const server = createServer((req, res) => {
    answer(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.keepAliveTimeout = 60_000;
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
