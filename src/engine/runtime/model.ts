/**
 * The engine's side of the model port. The port is the AI SDK's
 * LanguageModelV3: every provider in src/llm, any other AI SDK provider and
 * ai/test's MockLanguageModelV3 plug in. Every call goes through callModel():
 * the action's structured request in `providerOptions.heartrule` (the
 * offline model answers from it; network providers ignore it), a JSON
 * response format, tolerant parsing with repair and retry requests, and the
 * visible `content` streamed as `message.delta` events (retracted when the
 * attempt that streamed it is discarded, or when the output guard's local
 * check flags it: runtime/guard.ts).
 *
 * The engine reads the model's doStream() itself rather than through
 * streamText(): it needs none of streamText's machinery (tools, steps,
 * retries — providers retry — telemetry), and that machinery measured about
 * 1.5 ms of CPU per call plus enough garbage to triple the engine's own
 * per-step cost.
 */
import type { JSONSchema7, LanguageModelV3, LanguageModelV3CallOptions, LanguageModelV3Prompt } from "@ai-sdk/provider";
import type { Language, OutputType } from "../script/schema";
import { conversationMessage } from "../prompts/context";
import { phrases, type TemplateName } from "../prompts/templates";
import { readReply, withoutThinking, type Reply } from "../prompts/reply";
import { checkOutput } from "../safety/output-check";
import { EngineError } from "./errors";
import type { LlmTrace } from "./events";
import type { Turn } from "./turn";
import { cleanLine, completeSentences, DEFAULT_MAX_CONTENT_CHARS, VisibleStream } from "./visible-text";

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
  /**
   * Variables the reply should carry; `filled` when this action already has a value for it;
   * `type` as the output entry declares it (text by default), `values` the allowed ones of an enum.
   */
  outputs: { name: string; define: string | null; filled: boolean; type: OutputType; values?: string[] }[];
  /**
   * ai_ask asking again under its `reprompts`: this question's number, why (`empty`: the client's last reply was
   * empty; `off_topic`: the call reads an answer, and the guidance applies if it does not answer) and the author's
   * guidance for this question.
   */
  reprompt?: { attempt: number; reason: "empty" | "off_topic"; guidance: string } | undefined;
  /** Set on the second call after an unusable reply. */
  repair: boolean;
};

export interface ModelCall {
  request: Omit<ModelRequest, "repair">;
  /** The instructions: sent as the system message; the conversation follows as the user message. */
  prompt: string;
  schema: JSONSchema7;
  temperature: number;
  maxOutputTokens: number;
  /** Stream `content` as message.delta under this message id; `gated`: only once the reply's EXIT is known to be false. */
  stream?: { messageId: string; gated: boolean };
  /** Calls at most (default MAX_ATTEMPTS): a rewrite gets one, its fallback is a canned line rather than a repair. */
  maxAttempts?: number;
  /** The line a rewrite call reworks: sent after the conversation in the user message, never among the instructions. */
  draft?: string;
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
    reprompt: r.reprompt,
    repair,
  };
}

function modelName(model: LanguageModelV3): string {
  return `${model.provider}:${model.modelId}`;
}

/** Where the streamed text is checked for boundary crossings: after a clause or a sentence. */
const CLAUSE_END = /[.!?;,。！？；，]/;

/** Calls per model request at most: the first, then repairs or retries of a reply that is unusable, empty or broke off. */
export const MAX_ATTEMPTS = 3;

interface Attempt {
  /** The raw reply text. */
  text: string;
  /** What the client was shown of this attempt (empty when nothing streamed). */
  shown: string;
  /** The provider stopped at the token limit. */
  truncated: boolean;
  /** The stream broke off after it had started: a failure worth another attempt. */
  broke?: unknown;
}

/** Errors that end the call at once rather than being tried again: the step's deadline and the host's abort. */
function final(err: unknown): boolean {
  const name = typeof err === "object" && err !== null ? (err as { name?: unknown }).name : undefined;
  return name === "TimeoutError" || name === "AbortError";
}

/** An error part of the model's stream as something toStepError classifies: an Error as it is, anything else as a model error. */
function streamError(error: unknown): unknown {
  if (error instanceof Error) return error;
  return new EngineError("LLM_ERROR", "The model service reported an error in its reply stream.", true);
}

async function attempt(turn: Turn, call: ModelCall, prompt: LanguageModelV3Prompt, number: number): Promise<Attempt> {
  const { request } = call;
  const model = turn.options.model;
  // Nobody listening (CLI, benchmarks): no deltas to produce.
  const visible = call.stream && turn.listening ? new VisibleStream(maxContentChars(turn)) : null;
  let pending = "";
  /** The local check flagged what streamed: nothing more of this attempt is shown. */
  let held = false;
  let text = "";
  let shown = "";
  let truncated = false;
  let broke: unknown;
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
          if (!visible || !call.stream) continue;
          pending += visible.push(part.delta);
          if (held || !pending || (call.stream.gated && visible.exit !== false)) continue;
          // A line the local check flags stops streaming, and what it showed is taken back, at the end of a clause rather
          // than of the reply (the output guard replaces it then). Checked only at clause ends: a few checks per line.
          if (CLAUSE_END.test(pending) && checkOutput(shown + pending).flagged) {
            held = true;
            retract(turn, call, shown);
            shown = "";
            continue;
          }
          turn.emit({ type: "message.delta", messageId: call.stream.messageId, actionId: request.actionId, text: pending });
          shown += pending;
          pending = "";
        } else if (part.type === "error") {
          throw streamError(part.error);
        } else if (part.type === "finish") {
          inputTokens = part.usage.inputTokens.total ?? 0;
          outputTokens = part.usage.outputTokens.total ?? 0;
          truncated = part.finishReason.unified === "length";
        }
      }
    } catch (err) {
      await reader.cancel().catch(() => {}); // release the connection; the error is what matters
      if (final(err)) throw err;
      broke = err;
    }
    turn.options.signal?.throwIfAborted();
  } catch (err) {
    retract(turn, call, shown);
    throw err;
  } finally {
    const latencyMs = turn.now() - started;
    turn.stats.modelMs += latencyMs;
    turn.stats.inputTokens += inputTokens;
    turn.stats.outputTokens += outputTokens;
    if (turn.listening) {
      const trace: LlmTrace = {
        actionId: request.actionId,
        purpose: request.purpose,
        attempt: number,
        model: modelName(model),
        usage: { inputTokens, outputTokens },
        latencyMs,
      };
      // The prompt and the reply are counseling content: only in debug output.
      if (turn.options.debug) {
        trace.prompt = prompt
          .map((m) => (typeof m.content === "string" ? m.content : m.content.map((c) => ("text" in c ? c.text : "")).join("")))
          .join("\n\n");
        trace.response = text;
      }
      turn.emit({ type: "llm", trace });
    }
  }
  return broke === undefined ? { text, shown, truncated } : { text, shown, truncated, broke };
}

function maxContentChars(turn: Turn): number {
  return turn.options.maxContentChars ?? DEFAULT_MAX_CONTENT_CHARS;
}

/** Takes back what an attempt that is being discarded streamed to the client (the retraction contract). */
function retract(turn: Turn, call: ModelCall, shown: string): void {
  if (!shown || !call.stream) return;
  turn.emit({ type: "message.delta", messageId: call.stream.messageId, actionId: call.request.actionId, text: "", reset: true });
}

/** Brings what the client was shown of the accepted attempt in line with the line it becomes. */
function settle(turn: Turn, call: ModelCall, shown: string, line: string): void {
  if (!shown || !call.stream || shown === line) return;
  const { messageId } = call.stream;
  const actionId = call.request.actionId;
  if (line.startsWith(shown)) turn.emit({ type: "message.delta", messageId, actionId, text: line.slice(shown.length) });
  else turn.emit({ type: "message.delta", messageId, actionId, text: line, reset: true });
}

type Verdict =
  | { kind: "reply"; reply: Reply }
  /** Nothing but whitespace or reasoning: asked again as it was. */
  | { kind: "empty" }
  /** No JSON at all, but text a client can be shown. */
  | { kind: "text"; line: string }
  | { kind: "unusable"; problem: string; english: string };

function expectedKeys(schema: JSONSchema7): string[] {
  return Object.keys(schema.properties ?? {});
}

function judge(got: Attempt, call: ModelCall, language: Language, max: number): Verdict {
  const p = phrases(language);
  if (withoutThinking(got.text).trim() === "") return { kind: "empty" };
  const read = readReply(got.text, expectedKeys(call.schema));
  if (!read) {
    const line = call.stream ? cleanLine(got.text, max) : "";
    return line && !line.startsWith("{") ? { kind: "text", line } : { kind: "unusable", problem: p.notJson, english: "not a JSON object" };
  }
  const { reply } = read;
  if (typeof reply.content === "string") {
    const line = cleanLine(reply.content, max);
    // A reply that broke off (at the token limit, or its object never closed) keeps its complete sentences only.
    reply.content = got.truncated || read.cut ? completeSentences(line) : line;
  }
  const missing = call.missing(reply);
  if (missing.length) return { kind: "unusable", problem: p.missing(missing), english: `missing ${missing.join(", ")}` };
  return { kind: "reply", reply };
}

/** What a silent call (extraction, ai_think) takes when the model never answered usably: every value it needs, not available. */
function unavailable(call: ModelCall): Reply {
  return Object.fromEntries(call.missing({}).map((key) => [key, null]));
}

/**
 * Calls the model and returns its parsed reply. An unusable reply is sent
 * back with a repair request, an empty one or one whose stream broke off is
 * asked again, up to MAX_ATTEMPTS calls; whatever an abandoned attempt
 * streamed is retracted at once. A reply that is plain text is shown as the
 * line when the call has one to show (EXIT stays false); a silent call that
 * stays unusable records its values as not available. Otherwise the step
 * fails with a retryable error. `withhold` sees the accepted reply of a
 * call that streams: when it returns true, what streamed is retracted
 * instead of completed (the output guard replaces the line).
 */
export async function callModel(turn: Turn, call: ModelCall, withhold?: (reply: Reply) => boolean): Promise<Reply> {
  const language = call.request.language;
  const max = maxContentChars(turn);
  const attempts = call.maxAttempts ?? MAX_ATTEMPTS;
  // The client's words only ever travel in the user message, so nothing they type reads as an instruction.
  let conversation = conversationMessage(turn.state.history, language);
  if (call.draft !== undefined) conversation += `\n\n${phrases(language).draftHeading}\n${call.draft}`;
  const base: LanguageModelV3Prompt = [
    { role: "system", content: call.prompt },
    { role: "user", content: [{ type: "text", text: conversation }] },
  ];
  let prompt = base;
  let failure: { verdict?: Extract<Verdict, { kind: "unusable" }>; broke?: unknown; empty?: true } = {};
  for (let n = 1; n <= attempts; n++) {
    const got = await attempt(turn, call, prompt, n);
    if (got.broke !== undefined) {
      retract(turn, call, got.shown);
      failure = { broke: got.broke };
      continue;
    }
    const verdict = judge(got, call, language, max);
    if (verdict.kind === "reply" || verdict.kind === "text") {
      const reply = verdict.kind === "reply" ? verdict.reply : { content: verdict.line, EXIT: "false" };
      // A line the caller will replace leaves the client's screen at once, before anything else is asked.
      if (withhold?.(reply)) retract(turn, call, got.shown);
      else settle(turn, call, got.shown, typeof reply.content === "string" ? reply.content : "");
      return reply;
    }
    retract(turn, call, got.shown);
    if (verdict.kind === "empty") {
      failure = { empty: true };
      continue;
    }
    if (!call.stream && n > 1) return unavailable(call);
    failure = { verdict };
    prompt = [
      ...base,
      { role: "assistant", content: [{ type: "text", text: got.text }] },
      { role: "user", content: [{ type: "text", text: phrases(language).repair(verdict.problem) }] },
    ];
  }
  if (failure.broke !== undefined) throw failure.broke;
  const what = failure.empty ? "empty" : `unusable (${failure.verdict?.english ?? "not a JSON object"})`;
  throw new EngineError(
    "MODEL_REPLY_INVALID",
    `The model's ${call.request.purpose} reply was ${what} ${attempts === 1 ? "once" : `${attempts} times in a row`}.`,
    true,
    call.request.actionId,
  );
}
