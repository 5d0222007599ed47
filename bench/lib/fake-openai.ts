/**
 * The streaming scenario's model: the project's fake OpenAI-compatible
 * server (test/support/fake-openai.ts) answering every request by streaming,
 * after a fixed time to first token, a JSON reply that satisfies the
 * request's `response_format.json_schema` (so the Worker runs with
 * LLM_RESPONSE_FORMAT=json_schema), one token per SSE chunk at a fixed rate.
 * The visible `content` starts with a marker naming the request (`r<n>`), so
 * a client delta can be matched to the exact request and to the server-side
 * performance.now() of each of its tokens.
 */
import { replyFor, startFakeOpenAI, type Behaviour, type FakeRequest, type JsonSchema } from "../../test/support/fake-openai";

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

/**
 * The reply as tokens. With a `content` field: the JSON up to the marker is
 * the first token, each further word one token, the rest of the JSON the
 * last. Without one (extraction, ai_think): the JSON cut into as many pieces,
 * so every call takes about the same time.
 */
function replyTokens(schema: JsonSchema, marker: string, count: number): string[] {
  const reply = replyFor({ type: "object", properties: schema.properties ?? {} }, "bench value") as Record<string, unknown>;
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

  function answer(request: FakeRequest): Behaviour {
    const { schema, body } = request;
    if (request.path !== "/v1/chat/completions" || body.stream !== true || !schema) {
      const reason = `${request.method} ${request.path} stream=${body.stream} response_format=${(body.response_format as { type?: string } | undefined)?.type}`;
      refused.push(reason);
      return { kind: "status", status: 400, message: `the bench model streams json_schema replies only (${reason})` };
    }
    const id = ++next;
    const record: ServedRequest = {
      id,
      marker: `r${id}`,
      receivedAt: request.receivedAt,
      hasContent: "content" in (schema.properties ?? {}),
      tokenAt: [],
    };
    served.set(record.marker, record);
    const pieces = replyTokens(schema, record.marker, options.replyTokens);
    return { kind: "stream", pieces, firstAtMs: options.ttftMs, delayMs: gapMs, onPiece: () => record.tokenAt.push(performance.now()) };
  }

  const server = await startFakeOpenAI(answer);
  return { baseUrl: server.url, served, refused, close: () => server.close() };
}
