/**
 * The workers-ai provider inside workerd. Workers AI itself is a remote
 * service, so the `AI` binding is replaced by a stand-in that answers the
 * way the binding does (an SSE byte stream, or an error with a Workers AI
 * error code); everything from createModel() down is the real code.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SessionScriptSchema } from "../../src/engine/script/schema";
import { start, step, type EngineEvent } from "../../src/engine";
import { createModel, DEFAULT_WORKERS_AI_MODEL } from "../../src/llm";

const script = SessionScriptSchema.parse(
  parse(`
session:
  session_id: wai
  language: en
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - { action_type: ai_say, action_id: hello, config: { content: Hello there., max_rounds: 1 } }
`),
);

const reply = JSON.stringify({ EXIT: "false", content: "Hello, and welcome.", BRIEF: "", safety_risk: { detected: false }, metadata: { crisis_signal: false } });

function sse(pieces: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const response of pieces) controller.enqueue(encoder.encode(`data: ${JSON.stringify({ response })}\n\n`));
      controller.enqueue(encoder.encode(`data: ${JSON.stringify({ response: "", usage: { prompt_tokens: 50, completion_tokens: 9, total_tokens: 59 } })}\n\n`));
      controller.enqueue(encoder.encode("data: [DONE]\n\n"));
      controller.close();
    },
  });
}

function binding(answers: (() => unknown)[]) {
  const calls: { model: string; inputs: Record<string, unknown> }[] = [];
  const ai = {
    async run(model: string, inputs: Record<string, unknown>) {
      calls.push({ model, inputs });
      const next = answers.shift();
      if (!next) throw new Error("no answer scripted");
      return next();
    },
  };
  return { ai: ai as unknown as Ai, calls };
}

const config = { LLM_PROVIDER: "workers-ai", LLM_TIMEOUT_MS: 5000, LLM_MAX_RETRIES: 1 } as const;

describe("workers-ai provider", () => {
  it("streams a reply from the binding with the default model and the reply schema", async () => {
    const { ai, calls } = binding([() => sse([reply.slice(0, 30), reply.slice(30)])]);
    const events: EngineEvent[] = [];
    const r = await step(script, start(script), null, { model: createModel(config, { AI: ai }), emit: (e) => events.push(e) });
    expect(r.error).toBeUndefined();
    expect(r.messages.map((m) => m.content)).toEqual(["Hello, and welcome."]);
    expect(events.filter((e) => e.type === "message.delta").length).toBeGreaterThan(1);
    expect(calls[0]!.model).toBe(DEFAULT_WORKERS_AI_MODEL);
    expect(calls[0]!.inputs).toMatchObject({ stream: true, response_format: { type: "json_schema" } });
    expect(JSON.stringify(calls[0]!.inputs.messages)).toContain("Hello there.");
    expect(r.stats).toMatchObject({ inputTokens: 50, outputTokens: 9 });
  });

  it("retries when Workers AI is over capacity, and honours LLM_MODEL", async () => {
    const { ai, calls } = binding([
      () => {
        throw new Error("3036: Capacity temporarily exceeded, please try again.");
      },
      () => sse([reply]),
    ]);
    const model = createModel({ ...config, LLM_MODEL: "@cf/qwen/qwen3-30b-a3b-fp8" }, { AI: ai });
    const r = await step(script, start(script), null, { model });
    expect(r.status).toBe("waiting_input");
    expect(calls.map((c) => c.model)).toEqual(["@cf/qwen/qwen3-30b-a3b-fp8", "@cf/qwen/qwen3-30b-a3b-fp8"]);
  });

  it("reports a refused request as a non-retryable step error", async () => {
    const { ai } = binding([
      () => {
        throw new Error("5007: No such model");
      },
    ]);
    const state = start(script);
    const r = await step(script, state, null, { model: createModel(config, { AI: ai }) });
    expect(r).toMatchObject({ status: "error", error: { code: "LLM_ERROR", retryable: false } });
    expect(r.state).toBe(state);
  });
});
