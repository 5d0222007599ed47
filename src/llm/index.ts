/**
 * Model providers behind the engine's port (an AI SDK LanguageModel),
 * chosen by LLM_PROVIDER:
 *
 * - `offline` (default): deterministic, no network — see ./offline.ts;
 * - `openai-compatible`: any OpenAI-style chat completions API (OpenAI,
 *   DeepSeek, Volcengine Ark, vLLM, Ollama…) at LLM_BASE_URL with LLM_MODEL
 *   and the secret LLM_API_KEY;
 * - `workers-ai`: Cloudflare Workers AI through the `AI` binding, model
 *   LLM_MODEL or DEFAULT_WORKERS_AI_MODEL.
 *
 * Network providers stream (LLM_STREAM=false: one answer per call, replayed
 * as a stream, for servers that cannot stream), time out after
 * LLM_TIMEOUT_MS and retry 429/5xx/network failures up to LLM_MAX_RETRIES
 * times (./reliability.ts).
 */
import type { LanguageModelV3 } from "@ai-sdk/provider";
import { APICallError } from "@ai-sdk/provider";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { simulateStreamingMiddleware, wrapLanguageModel } from "ai";
import { createWorkersAI } from "workers-ai-provider";
import type { Config } from "../config";
import { createOfflineModel } from "./offline";
import { reliable, type ReliabilityOptions, type ResponseFormat } from "./reliability";
import { withoutContentLogs } from "./workers-ai";

/** Workers AI model used when LLM_MODEL is unset: multilingual, supports JSON mode. */
export const DEFAULT_WORKERS_AI_MODEL = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";

export type LlmConfig = Pick<Config, "LLM_PROVIDER" | "LLM_TIMEOUT_MS" | "LLM_MAX_RETRIES"> &
  Partial<Pick<Config, "LLM_BASE_URL" | "LLM_MODEL" | "LLM_API_KEY" | "LLM_RESPONSE_FORMAT" | "LLM_STREAM">>;

export class LlmConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "LlmConfigError";
  }
}

function reliability(config: LlmConfig, responseFormat: ResponseFormat): ReliabilityOptions {
  return { timeoutMs: config.LLM_TIMEOUT_MS, maxRetries: config.LLM_MAX_RETRIES, responseFormat };
}

/**
 * fetch that refuses a plain JSON answer to a streaming request: the provider
 * would read it as an empty stream. It is the model service's error, and a
 * setting fixes it, so the message names the setting.
 */
const streamingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const asked = typeof init?.body === "string" && init.body.includes('"stream":true');
  if (asked && response.ok && (response.headers.get("content-type") ?? "").includes("application/json")) {
    await response.body?.cancel();
    throw new APICallError({
      message: "The model service answered a streaming request without streaming; set LLM_STREAM=false.",
      url: String(input instanceof Request ? input.url : input),
      requestBodyValues: undefined,
      statusCode: response.status,
      isRetryable: false,
    });
  }
  return response;
};

/** The model, answering doStream() from one doGenerate() call when streaming is off. */
function streamingAs(model: LanguageModelV3, config: LlmConfig): LanguageModelV3 {
  return config.LLM_STREAM === false ? wrapLanguageModel({ model, middleware: simulateStreamingMiddleware() }) : model;
}

export function createModel(config: LlmConfig, env: { AI?: Ai } = {}): LanguageModelV3 {
  switch (config.LLM_PROVIDER) {
    case "offline":
      return createOfflineModel();
    case "openai-compatible": {
      if (!config.LLM_BASE_URL) throw new LlmConfigError("LLM_BASE_URL", "LLM_PROVIDER=openai-compatible needs LLM_BASE_URL.");
      if (!config.LLM_MODEL) throw new LlmConfigError("LLM_MODEL", "LLM_PROVIDER=openai-compatible needs LLM_MODEL.");
      // Most OpenAI-compatible servers support JSON mode; strict json_schema only some.
      const format = config.LLM_RESPONSE_FORMAT ?? "json_object";
      const provider = createOpenAICompatible({
        name: "openai-compatible",
        baseURL: config.LLM_BASE_URL,
        ...(config.LLM_API_KEY ? { apiKey: config.LLM_API_KEY } : {}),
        includeUsage: true,
        supportsStructuredOutputs: format === "json_schema",
        fetch: streamingFetch,
      });
      return streamingAs(reliable(provider.chatModel(config.LLM_MODEL), reliability(config, format)), config);
    }
    case "workers-ai": {
      if (!env.AI) throw new LlmConfigError("AI", 'LLM_PROVIDER=workers-ai needs the AI binding ([ai] binding = "AI" in wrangler.toml).');
      const provider = createWorkersAI({ binding: withoutContentLogs(env.AI) });
      // Workers AI's JSON mode takes the schema itself.
      return streamingAs(
        reliable(provider(config.LLM_MODEL ?? DEFAULT_WORKERS_AI_MODEL), reliability(config, config.LLM_RESPONSE_FORMAT ?? "json_schema")),
        config,
      );
    }
  }
}

export { createOfflineModel, OfflineModel } from "./offline";
