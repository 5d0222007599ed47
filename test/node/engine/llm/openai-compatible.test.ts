/**
 * The openai-compatible provider against a local fake OpenAI server started
 * by each test: streaming, retries, timeouts, JSON repair, and failures that
 * leave the state untouched.
 */
import { afterEach, describe, expect, it } from "vitest";
import { start, step, type EngineEvent } from "../../../../src/engine";
import { createModel, LlmConfigError, type LlmConfig } from "../../../../src/llm";
import { sayReplyText } from "../../../model-replies";
import { fixedNow, parseScript } from "../helpers";
import { startFakeOpenAI, type Behaviour, type FakeServer } from "../../../support/fake-openai";

const script = parseScript(`
session:
  session_id: provider
  language: en
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - { action_type: ai_say, action_id: hello, config: { content: Welcome to the session., max_rounds: 2 } }
`);

const content = "Welcome. I'm glad you're here, and we'll take this at your pace.";
const good = sayReplyText(content, { BRIEF: "hi" });
const pieces = (text: string, n: number) => Array.from({ length: n }, (_, i) => text.slice((i * text.length) / n, ((i + 1) * text.length) / n));

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function run(behaviours: Behaviour[], config: Partial<LlmConfig> = {}) {
  server = await startFakeOpenAI(behaviours);
  const model = createModel({
    LLM_PROVIDER: "openai-compatible",
    LLM_BASE_URL: server.url,
    LLM_MODEL: "fake-model",
    LLM_API_KEY: "sk-test",
    LLM_TIMEOUT_MS: 2000,
    LLM_MAX_RETRIES: 1,
    ...config,
  });
  const state = start(script, { now: fixedNow });
  const snapshot = structuredClone(state);
  const events: { at: number; event: EngineEvent }[] = [];
  const began = Date.now();
  const result = await step(script, state, null, { model, now: fixedNow, emit: (event) => events.push({ at: Date.now(), event }) });
  return { result, state, snapshot, events, elapsed: Date.now() - began, requests: server.requests };
}

describe("openai-compatible provider", () => {
  it("streams the reply: the first words arrive before the reply is complete", async () => {
    const r = await run([{ kind: "stream", pieces: pieces(good, 6), delayMs: 40 }]);
    expect(r.result.status).toBe("waiting_input");
    expect(r.result.messages.map((m) => m.content)).toEqual([content]);
    const deltas = r.events.filter((e) => e.event.type === "message.delta");
    const message = r.events.find((e) => e.event.type === "message")!;
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.map((d) => (d.event as { text: string }).text).join("")).toBe(content);
    // At least 3 more pieces (≥ 120 ms) were still to come when the first words went out.
    expect(message.at - deltas[0]!.at).toBeGreaterThanOrEqual(80);
    expect(r.result.stats).toMatchObject({ llmCalls: 1, inputTokens: 120, outputTokens: 30 });
    expect(r.requests).toHaveLength(1);
    expect(r.requests[0]).toMatchObject({
      path: "/v1/chat/completions",
      authorization: "Bearer sk-test",
      model: "fake-model",
      stream: true,
      response_format: { type: "json_object" },
      temperature: 0.7,
    });
    expect(JSON.stringify(r.requests[0]!.messages)).toContain("Welcome to the session.");
  });

  it("retries a 429 after the time Retry-After asks for", async () => {
    const r = await run([
      { kind: "status", status: 429, headers: { "retry-after": "1" } },
      { kind: "stream", pieces: [good] },
    ]);
    expect(r.result.status).toBe("waiting_input");
    expect(r.result.messages.map((m) => m.content)).toEqual([content]);
    expect(r.requests).toHaveLength(2);
    expect(r.elapsed).toBeGreaterThanOrEqual(950);
  });

  it("gives up at once when Retry-After asks for longer than it is worth waiting", async () => {
    const r = await run([
      { kind: "status", status: 429, headers: { "retry-after": "3600" } },
      { kind: "stream", pieces: [good] },
    ]);
    expect(r.result.error).toMatchObject({ code: "LLM_UNAVAILABLE", retryable: true, actionId: "hello" });
    expect(r.requests).toHaveLength(1);
  });

  it("retries 5xx up to LLM_MAX_RETRIES, then reports the service unavailable with the state unchanged", async () => {
    const r = await run([
      { kind: "status", status: 503 },
      { kind: "status", status: 502 },
      { kind: "stream", pieces: [good] },
    ]);
    expect(r.result).toMatchObject({ status: "error", messages: [], error: { code: "LLM_UNAVAILABLE", retryable: true } });
    expect(r.requests).toHaveLength(2);
    expect(r.result.state).toBe(r.state);
    expect(r.state).toEqual(r.snapshot);
  });

  it("retries a dropped connection, and reports the service unavailable once retries run out", async () => {
    const recovered = await run([{ kind: "reset" }, { kind: "stream", pieces: [good] }]);
    expect(recovered.result.status).toBe("waiting_input");
    expect(recovered.result.messages.map((m) => m.content)).toEqual([content]);
    expect(recovered.requests).toHaveLength(2);
    await server?.close();

    const lost = await run([{ kind: "reset" }, { kind: "reset" }, { kind: "stream", pieces: [good] }]);
    expect(lost.result).toMatchObject({ status: "error", messages: [], error: { code: "LLM_UNAVAILABLE", retryable: true, actionId: "hello" } });
    expect(lost.requests).toHaveLength(2);
    expect(lost.state).toEqual(lost.snapshot);
  });

  it("does not retry a request the service refuses", async () => {
    const r = await run([
      { kind: "status", status: 401 },
      { kind: "stream", pieces: [good] },
    ]);
    expect(r.result.error).toMatchObject({ code: "LLM_ERROR", retryable: false });
    expect(r.requests).toHaveLength(1);
  });

  it("times out after LLM_TIMEOUT_MS without retrying, the state unchanged", async () => {
    const r = await run([{ kind: "hang" }, { kind: "stream", pieces: [good] }], { LLM_TIMEOUT_MS: 300 });
    expect(r.result).toMatchObject({ status: "error", error: { code: "LLM_TIMEOUT", retryable: true, actionId: "hello" } });
    expect(r.requests).toHaveLength(1);
    expect(r.state).toEqual(r.snapshot);
  });

  it("times out a stream that stalls halfway", async () => {
    const r = await run([{ kind: "stream", pieces: [good.slice(0, 40), good.slice(40)], delayMs: 600 }], { LLM_TIMEOUT_MS: 300 });
    expect(r.result.error).toMatchObject({ code: "LLM_TIMEOUT" });
  });

  it("repairs a malformed reply with one more request", async () => {
    const r = await run([
      { kind: "stream", pieces: ["Sure! Here is my reply: ", '{"content": "Welcome,', " I'm glad"] },
      { kind: "stream", pieces: ["```json\n", good, "\n```"] },
    ]);
    expect(r.result.status).toBe("waiting_input");
    expect(r.result.messages.map((m) => m.content)).toEqual([content]);
    expect(r.requests).toHaveLength(2);
    const repair = r.requests[1]!.messages as { role: string; content: string }[];
    expect(repair.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(repair[2]!.content).toContain("Sure! Here is my reply");
    expect(repair[3]!.content).toContain('lacks "content"');
    expect(r.result.stats.llmCalls).toBe(2);
  });

  it("shows a plain-text reply as the line, without a repair request", async () => {
    const r = await run([{ kind: "stream", pieces: ["I am not able to answer in JSON."] }]);
    expect(r.result.status).toBe("waiting_input");
    expect(r.result.messages.map((m) => m.content)).toEqual(["I am not able to answer in JSON."]);
    expect(r.requests).toHaveLength(1);
  });

  it("turns a reply that stays malformed into a step error, the state unchanged", async () => {
    const r = await run([
      { kind: "stream", pieces: ['{"EXIT": "false"}'] },
      { kind: "stream", pieces: ['{"EXIT": "false", "content": null}'] },
      { kind: "stream", pieces: ['{"EXIT": "false"}'] },
    ]);
    expect(r.result).toMatchObject({
      status: "error",
      messages: [],
      error: { code: "MODEL_REPLY_INVALID", retryable: true, actionId: "hello" },
    });
    expect(r.result.error!.message).toContain("content");
    expect(r.result.state).toBe(r.state);
    expect(r.state).toEqual(r.snapshot);
  });

  it("sends the reply schema with LLM_RESPONSE_FORMAT=json_schema, and no format with none", async () => {
    const schema = await run([{ kind: "stream", pieces: [good] }], { LLM_RESPONSE_FORMAT: "json_schema" });
    const format = schema.requests[0]!.response_format as { type: string; json_schema: { schema: { required: string[] } } };
    expect(format.type).toBe("json_schema");
    expect(format.json_schema.schema.required).toEqual(expect.arrayContaining(["content", "EXIT", "safety_risk", "metadata"]));
    await server!.close();
    const none = await run([{ kind: "stream", pieces: [good] }], { LLM_RESPONSE_FORMAT: "none" });
    expect(none.requests[0]!.response_format).toBeUndefined();
  });

  it("names the missing setting when the provider is not configured", () => {
    const base = { LLM_PROVIDER: "openai-compatible", LLM_TIMEOUT_MS: 1000, LLM_MAX_RETRIES: 0 } as const;
    expect(() => createModel({ ...base, LLM_MODEL: "m" })).toThrow(LlmConfigError);
    expect(() => createModel({ ...base, LLM_BASE_URL: "http://localhost:1/v1" })).toThrow(/LLM_MODEL/);
    expect(() => createModel({ ...base, LLM_PROVIDER: "workers-ai" })).toThrow(/AI binding/);
  });
});
