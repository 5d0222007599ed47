/**
 * The engine's side of the model port. The port is the AI SDK's
 * LanguageModelV3: every provider in src/llm, any other AI SDK provider and
 * ai/test's MockLanguageModelV3 plug in. Every call goes through callModel():
 * the action's structured request in `providerOptions.heartrule` (the
 * offline model answers from it; network providers ignore it), a JSON
 * response format, tolerant parsing, one repair retry, and the visible
 * `content` streamed as `message.delta` events.
 *
 * The engine reads the model's doStream() itself rather than through
 * streamText(): it needs none of streamText's machinery (tools, steps,
 * retries — providers retry — telemetry), and that machinery measured about
 * 1.5 ms of CPU per call plus enough garbage to triple the engine's own
 * per-step cost.
 */
import type { JSONSchema7, LanguageModelV3, LanguageModelV3CallOptions, LanguageModelV3Prompt } from "@ai-sdk/provider";
import type { Language } from "../script/schema";
import { phrases, type TemplateName } from "../prompts/templates";
import { ContentStream, parseReply, type Reply } from "../prompts/reply";
import { EngineError } from "./errors";
import type { LlmTrace } from "./events";
import type { Turn } from "./turn";

/** Key of the engine's request in the model call's providerOptions. */
export const PROVIDER_OPTIONS_KEY = "heartrule";

/** What an action asks of the model, in structured form (what the offline model answers from). */
export type ModelRequest = {
  purpose: TemplateName;
  language: Language;
  actionId: string;
  /** The action's content (ai_say) or task (ai_ask, ai_think) with variables filled in. */
  content: string;
  round: number;
  maxRounds: number;
  /** The client's reply in this round, trimmed; null when there is none. */
  answer: string | null;
  /** Variables the reply should carry; `filled` when this action already has a value for it. */
  outputs: { name: string; define: string | null; filled: boolean }[];
  /** Set on the second call after an unusable reply. */
  repair: boolean;
};

export interface ModelCall {
  request: Omit<ModelRequest, "repair">;
  prompt: string;
  schema: JSONSchema7;
  temperature: number;
  maxOutputTokens: number;
  /** Stream `content` as message.delta under this message id; `gated`: only once the reply's EXIT is known to be false. */
  stream?: { messageId: string; gated: boolean };
  /** The keys a usable reply lacks (empty when it is usable). */
  missing(reply: Reply): string[];
}

/**
 * The request with its repair flag. Written out rather than `{ ...request, repair }`: V8 builds a
 * spread followed by a new key on its slow path (measured on Node 20: about 1.5 µs, against 15 ns).
 */
function withRepair(r: ModelCall["request"], repair: boolean): ModelRequest {
  return {
    purpose: r.purpose,
    language: r.language,
    actionId: r.actionId,
    content: r.content,
    round: r.round,
    maxRounds: r.maxRounds,
    answer: r.answer,
    outputs: r.outputs,
    repair,
  };
}

function modelName(model: LanguageModelV3): string {
  return `${model.provider}:${model.modelId}`;
}

interface Attempt {
  text: string;
  /** Whether any content was streamed to the client. */
  streamed: boolean;
}

async function attempt(turn: Turn, call: ModelCall, prompt: LanguageModelV3Prompt, number: number, reset: boolean): Promise<Attempt> {
  const { request } = call;
  const model = turn.options.model;
  // Nobody listening (CLI, benchmarks): no deltas to produce.
  const content = call.stream && turn.listening ? new ContentStream() : null;
  let pending = "";
  let text = "";
  let streamed = false;
  let inputTokens = 0;
  let outputTokens = 0;
  const options: LanguageModelV3CallOptions = {
    prompt,
    temperature: call.temperature,
    maxOutputTokens: call.maxOutputTokens,
    responseFormat: { type: "json", schema: call.schema },
    providerOptions: { [PROVIDER_OPTIONS_KEY]: withRepair(request, number > 1) },
    ...(turn.options.signal ? { abortSignal: turn.options.signal } : {}),
  };
  turn.stats.llmCalls++;
  // Model time (stats.modelMs) is the model's doStream and the reading of its stream, nothing the engine builds.
  const started = turn.now();
  try {
    const { stream } = await model.doStream(options);
    const reader = stream.getReader();
    try {
      for (;;) {
        const { done, value: part } = await reader.read();
        if (done) break;
        if (part.type === "text-delta") {
          text += part.delta;
          if (!content || !call.stream) continue;
          pending += content.push(part.delta);
          if (pending && (!call.stream.gated || content.exit === false)) {
            turn.emit({
              type: "message.delta",
              messageId: call.stream.messageId,
              actionId: request.actionId,
              text: pending,
              ...(reset && !streamed ? { reset: true as const } : {}),
            });
            pending = "";
            streamed = true;
          }
        } else if (part.type === "error") {
          throw part.error;
        } else if (part.type === "finish") {
          inputTokens = part.usage.inputTokens.total ?? 0;
          outputTokens = part.usage.outputTokens.total ?? 0;
        }
      }
    } catch (err) {
      await reader.cancel().catch(() => {}); // release the connection; the error is what matters
      throw err;
    }
    turn.options.signal?.throwIfAborted();
  } finally {
    const latencyMs = turn.now() - started;
    turn.stats.modelMs += latencyMs;
    turn.stats.inputTokens += inputTokens;
    turn.stats.outputTokens += outputTokens;
    if (turn.listening) {
      const trace: LlmTrace = { actionId: request.actionId, purpose: request.purpose, attempt: number, model: modelName(model), usage: { inputTokens, outputTokens }, latencyMs };
      // The prompt and the reply are counseling content: only in debug output.
      if (turn.options.debug) {
        trace.prompt = prompt.map((m) => (typeof m.content === "string" ? m.content : m.content.map((c) => ("text" in c ? c.text : "")).join(""))).join("\n\n");
        trace.response = text;
      }
      turn.emit({ type: "llm", trace });
    }
  }
  return { text, streamed };
}

type Diagnosis = { reply: Reply } | { problem: string; english: string };

function diagnose(text: string, call: ModelCall, language: Language): Diagnosis {
  const reply = parseReply(text);
  const p = phrases(language);
  if (!reply) return { problem: p.notJson, english: "not a JSON object" };
  const missing = call.missing(reply);
  if (missing.length) return { problem: p.missing(missing), english: `missing ${missing.join(", ")}` };
  return { reply };
}

/** Calls the model and returns its parsed reply; throws a step error when it stays unusable. */
export async function callModel(turn: Turn, call: ModelCall): Promise<Reply> {
  const language = call.request.language;
  const prompt: LanguageModelV3Prompt = [{ role: "user", content: [{ type: "text", text: call.prompt }] }];
  const first = await attempt(turn, call, prompt, 1, false);
  const firstDiagnosis = diagnose(first.text, call, language);
  if ("reply" in firstDiagnosis) return firstDiagnosis.reply;
  const repair: LanguageModelV3Prompt = [
    ...prompt,
    { role: "assistant", content: [{ type: "text", text: first.text }] },
    { role: "user", content: [{ type: "text", text: phrases(language).repair(firstDiagnosis.problem) }] },
  ];
  const second = await attempt(turn, call, repair, 2, first.streamed);
  const secondDiagnosis = diagnose(second.text, call, language);
  if ("reply" in secondDiagnosis) return secondDiagnosis.reply;
  throw new EngineError(
    "MODEL_REPLY_INVALID",
    `The model's ${call.request.purpose} reply was unusable (${secondDiagnosis.english}) even after a repair request.`,
    true,
    call.request.actionId,
  );
}
