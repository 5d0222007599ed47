/**
 * The engine's side of the model port. Every model call goes through
 * callModel(): AI SDK streamText with the action's structured request in
 * `providerOptions.heartrule` (the offline model answers from it; network
 * providers ignore it), JSON response format, tolerant parsing, one repair
 * retry, and the visible `content` streamed as `message.delta` events.
 */
import type { JSONSchema7 } from "@ai-sdk/provider";
import { streamText, type ModelMessage, type OutputInterface } from "ai";
import type { Language } from "../script/schema";
import { phrases, type TemplateName } from "../prompts/templates";
import { ContentStream, parseReply, type Reply } from "../prompts/reply";
import { EngineError } from "./errors";
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
 * Asks for JSON; parsing stays ours so malformed replies can be repaired
 * rather than thrown. The SDK only forwards text chunks for which the partial
 * output changes, so the partial output is the text so far.
 */
function jsonOutput(schema: JSONSchema7): OutputInterface<string, string, never> {
  return {
    name: "heartrule-json",
    responseFormat: Promise.resolve({ type: "json", schema }),
    parseCompleteOutput: async ({ text }) => text,
    parsePartialOutput: async ({ text }) => ({ partial: text }),
    createElementStreamTransform: () => undefined,
  };
}

function modelName(turn: Turn): string {
  const m = turn.options.model;
  return typeof m === "string" ? m : `${m.provider}:${m.modelId}`;
}

interface Attempt {
  text: string;
  /** Whether any content was streamed to the client. */
  streamed: boolean;
}

async function attempt(turn: Turn, call: ModelCall, messages: ModelMessage[], number: number, reset: boolean): Promise<Attempt> {
  const { request } = call;
  const started = turn.now();
  const content = call.stream ? new ContentStream() : null;
  let pending = "";
  let text = "";
  let streamed = false;
  let inputTokens = 0;
  let outputTokens = 0;
  turn.stats.llmCalls++;
  try {
    const result = streamText({
      model: turn.options.model,
      messages,
      temperature: call.temperature,
      maxOutputTokens: call.maxOutputTokens,
      providerOptions: { [PROVIDER_OPTIONS_KEY]: { ...request, repair: number > 1 } },
      output: jsonOutput(call.schema),
      maxRetries: 0, // providers retry (src/llm); a second layer would multiply waits
      ...(turn.options.signal ? { abortSignal: turn.options.signal } : {}),
      onError: () => {}, // errors surface below; the SDK's default would log them with their payload
    });
    for await (const part of result.fullStream) {
      if (part.type === "text-delta") {
        text += part.text;
        if (!content || !call.stream) continue;
        pending += content.push(part.text);
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
      } else if (part.type === "abort") {
        throw new DOMException("The step was aborted.", "AbortError");
      } else if (part.type === "finish") {
        inputTokens = part.totalUsage.inputTokens ?? 0;
        outputTokens = part.totalUsage.outputTokens ?? 0;
      }
    }
  } finally {
    const latencyMs = turn.now() - started;
    turn.stats.modelMs += latencyMs;
    turn.stats.inputTokens += inputTokens;
    turn.stats.outputTokens += outputTokens;
    if (turn.options.debug) {
      turn.emit({
        type: "llm",
        trace: {
          actionId: request.actionId,
          purpose: request.purpose,
          attempt: number,
          prompt: messages.map((m) => (typeof m.content === "string" ? m.content : "")).join("\n\n"),
          response: text,
          model: modelName(turn),
          usage: { inputTokens, outputTokens },
          latencyMs,
        },
      });
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
  const messages: ModelMessage[] = [{ role: "user", content: call.prompt }];
  const first = await attempt(turn, call, messages, 1, false);
  const firstDiagnosis = diagnose(first.text, call, language);
  if ("reply" in firstDiagnosis) return firstDiagnosis.reply;
  const repair: ModelMessage[] = [
    ...messages,
    { role: "assistant", content: first.text },
    { role: "user", content: phrases(language).repair(firstDiagnosis.problem) },
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
