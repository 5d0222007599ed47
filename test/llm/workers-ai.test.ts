/**
 * The workers-ai provider inside workerd. Workers AI itself is a remote
 * service, so the `AI` binding is replaced by a stand-in that answers the
 * way the binding does (an SSE byte stream, or an error with a Workers AI
 * error code); everything from createModel() down is the real code.
 */
import { createWorkersAI } from "workers-ai-provider";
import { describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { SessionScriptSchema } from "../../src/engine/script/schema";
import { start, step, type EngineEvent } from "../../src/engine";
import { createModel, DEFAULT_WORKERS_AI_MODEL } from "../../src/llm";
import { unreadableEventsDropped } from "../../src/llm/workers-ai";
import { sayReplyText } from "../model-replies";

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

const reply = sayReplyText("Hello, and welcome.");

/** The binding's SSE bytes: each piece of text as a `response` event, or `{ raw }` as a `data:` line exactly as given. */
function sse(pieces: (string | { raw: string })[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) {
        const data = typeof piece === "string" ? JSON.stringify({ response: piece }) : piece.raw;
        controller.enqueue(encoder.encode(`data: ${data}\n\n`));
      }
      controller.enqueue(
        encoder.encode(`data: ${JSON.stringify({ response: "", usage: { prompt_tokens: 50, completion_tokens: 9, total_tokens: 59 } })}\n\n`),
      );
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

  it("never logs the text of a reply event it cannot parse", async () => {
    // Model output, cut off mid-event: what a client said back to them is in it.
    const secret = "I keep thinking nobody would miss me";
    const cut = `{"response":"${secret}`;
    const stream = () => sse([reply.slice(0, 30), { raw: cut }, reply.slice(30)]);
    const consoleMethods = ["log", "warn", "error", "info", "debug"] as const;
    const logged = async (run: () => Promise<unknown>) => {
      const spies = consoleMethods.map((m) => vi.spyOn(console, m).mockImplementation(() => undefined));
      try {
        await run();
        return spies.flatMap((s) => s.mock.calls.map((args) => args.map(String).join(" ")));
      } finally {
        for (const s of spies) s.mockRestore();
      }
    };

    // The provider on its own would write the event to the log: that is what is guarded against.
    const bare = binding([stream]);
    const leaked = await logged(() => step(script, start(script), null, { model: createWorkersAI({ binding: bare.ai })(DEFAULT_WORKERS_AI_MODEL) }));
    expect(leaked.some((line) => line.includes(secret))).toBe(true);

    const { ai } = binding([stream]);
    let r: Awaited<ReturnType<typeof step>> | undefined;
    const lines = await logged(async () => {
      r = await step(script, start(script), null, { model: createModel(config, { AI: ai }) });
    });
    expect(lines.filter((line) => line.includes(secret) || line.includes("nobody"))).toEqual([]);
    expect(r!.messages.map((m) => m.content)).toEqual(["Hello, and welcome."]);
    // What is logged instead: metadata only.
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { level: "warn", msg: "workers-ai stream events not JSON, dropped", events: 1, chars: `data: ${cut}`.length },
    ]);
  });

  it("passes every other byte through unchanged, however the stream is cut into chunks", async () => {
    const good = [
      `data: ${JSON.stringify({ response: "你好，欢迎你来。" })}`,
      "",
      ": a comment",
      `data:${JSON.stringify({ response: " and welcome" })}`,
      "",
      "data: [DONE]",
      "",
    ];
    const text = [good[0], "", `data: {"response":"我睡不着`, ...good.slice(1)].join("\n");
    const bytes = new TextEncoder().encode(text);
    const filtered = new ReadableStream<Uint8Array>({
      start(controller) {
        // Seven bytes at a time: lines and three-byte characters are split between chunks.
        for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.slice(i, i + 7));
        controller.close();
      },
    }).pipeThrough(unreadableEventsDropped());
    const out = await new Response(filtered).text();
    expect(out).toBe([good[0], "", ...good.slice(1)].join("\n"));
  });
});
