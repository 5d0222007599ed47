/**
 * A local OpenAI-compatible Chat Completions server for the streaming
 * scenario: every request streams, after a fixed time to first token, a JSON
 * reply that satisfies the request's `response_format.json_schema` (so the
 * Worker runs with LLM_RESPONSE_FORMAT=json_schema), one token per SSE chunk
 * at a fixed rate. The visible `content` starts with a marker naming the
 * request (`r<n>`), so a client delta can be matched to the exact request
 * and to the server-side performance.now() of each of its tokens.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export interface FakeModelOptions {
  /** From the request's arrival to the first content token. */
  ttftMs: number;
  tokensPerSecond: number;
  /** Tokens per reply: words of the visible `content`, the marker included. */
  replyTokens: number;
}

export interface ServedRequest {
  id: number;
  marker: string;
  receivedAt: number;
  /** Whether the reply has a `content` field (only those can reach a client). */
  hasContent: boolean;
  /** performance.now() when each token was written; [0] is the first token, which carries the marker. */
  tokenAt: number[];
}

export interface FakeModelServer {
  /** The LLM_BASE_URL to give the Worker. */
  baseUrl: string;
  served: Map<string, ServedRequest>;
  /** Requests answered with an error, each with the reason. */
  refused: string[];
  close(): Promise<void>;
}

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  minimum?: number;
  maximum?: number;
}

/**
 * A value of the schema's shape: EXIT "true" so every action ends after one
 * answer (the script advances like it does with the offline model), no
 * safety or crisis flags, and short text for every extracted variable.
 */
function valueFor(name: string, schema: JsonSchema): unknown {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (schema.enum) return name === "EXIT" && schema.enum.includes("true") ? "true" : schema.enum[0];
  if (types.includes("object")) {
    return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, valueFor(k, v)]));
  }
  if (types.includes("null")) return null;
  if (types.includes("boolean")) return false;
  if (types.includes("number") || types.includes("integer")) return Math.min(schema.maximum ?? 50, Math.max(schema.minimum ?? 50, 50));
  if (types.includes("array")) return [];
  return "bench value";
}

function chunk(content: string | null, finish: string | null): string {
  const delta = content === null ? {} : { content };
  return `data: ${JSON.stringify({
    id: "chatcmpl-bench",
    object: "chat.completion.chunk",
    created: 1767225600,
    model: "bench-model",
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`;
}

/**
 * The reply as tokens. With a `content` field: the JSON up to the marker is
 * the first token, each further word one token, the rest of the JSON the
 * last. Without one (extraction, ai_think): the JSON cut into as many pieces,
 * so every call takes about the same time.
 */
function replyTokens(schema: JsonSchema, marker: string, count: number): string[] {
  const reply = valueFor("", { type: "object", properties: schema.properties ?? {} }) as Record<string, unknown>;
  if (!("content" in (schema.properties ?? {}))) {
    const text = JSON.stringify(reply);
    const size = Math.ceil(text.length / count);
    return Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
  }
  const { EXIT, content: _content, ...rest } = reply;
  const head = JSON.stringify(EXIT === undefined ? {} : { EXIT }).slice(0, -1);
  const tail = JSON.stringify(rest).slice(1);
  const words = Array.from({ length: count - 1 }, (_, i) => ` word${i + 1}`);
  return [`${head}${head.length > 1 ? "," : ""}"content":"${marker}`, ...words, `."${tail === "}" ? "}" : `,${tail}`}`];
}

export async function startFakeModel(options: FakeModelOptions): Promise<FakeModelServer> {
  const served = new Map<string, ServedRequest>();
  const refused: string[] = [];
  const gapMs = 1000 / options.tokensPerSecond;
  let next = 0;

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = performance.now();
    let text = "";
    for await (const part of req) text += part;
    const body = JSON.parse(text) as { stream?: boolean; response_format?: { type?: string; json_schema?: { schema?: JsonSchema } } };
    const schema = body.response_format?.json_schema?.schema;
    if (req.url !== "/v1/chat/completions" || body.stream !== true || !schema) {
      const reason = `${req.method} ${req.url} stream=${body.stream} response_format=${body.response_format?.type}`;
      refused.push(reason);
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `the bench model streams json_schema replies only (${reason})`, type: "invalid_request_error" } }));
      return;
    }
    const id = ++next;
    const record: ServedRequest = { id, marker: `r${id}`, receivedAt, hasContent: "content" in (schema.properties ?? {}), tokenAt: [] };
    served.set(record.marker, record);
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    res.flushHeaders();
    const tokens = replyTokens(schema, record.marker, options.replyTokens);
    for (let i = 0; i < tokens.length; i++) {
      // Absolute deadlines, so a late timer does not push every later token back.
      const due = receivedAt + options.ttftMs + i * gapMs;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      res.write(chunk(tokens[i]!, null));
      record.tokenAt.push(performance.now());
    }
    res.write(chunk(null, "stop"));
    res.end("data: [DONE]\n\n");
  }

  const server = createServer((req, res) => {
    answer(req, res).catch((err: Error) => {
      refused.push(err.message);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    served,
    refused,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
