/** Shared helpers for engine tests. */
import type { LanguageModelV3StreamPart } from "@ai-sdk/provider";
import { MockLanguageModelV3, convertArrayToReadableStream } from "ai/test";
import { load, type SessionScript } from "../../../src/engine/script";
import {
  PROVIDER_OPTIONS_KEY,
  step,
  start,
  type EngineEvent,
  type ModelRequest,
  type SessionState,
  type StepOptions,
  type StepResult,
} from "../../../src/engine";
import { askReply, sayReply } from "../../model-replies";

/** Loads a session script with the loader, failing the test on any error diagnostic. */
export function parseScript(yaml: string): SessionScript {
  const { script, kind, diagnostics } = load(yaml);
  if (!script || kind !== "session") {
    const errors = diagnostics.filter((d) => d.severity === "error").map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`);
    throw new Error(`script does not load:\n${errors.join("\n")}`);
  }
  return script as SessionScript;
}

/** A fixed clock so prompts (which carry the time) are identical run to run. */
export const fixedNow = () => Date.UTC(2026, 0, 1, 9, 0, 0);

export interface Run {
  results: StepResult[];
  events: EngineEvent[];
  state: SessionState;
}

/** start() then one step per input (the first input is usually null). */
export async function runTurns(
  script: SessionScript,
  inputs: (string | null)[],
  options: Omit<StepOptions, "emit">,
  initial?: SessionState,
): Promise<Run> {
  let state = initial ?? start(script, { now: fixedNow });
  const events: EngineEvent[] = [];
  const results: StepResult[] = [];
  for (const input of inputs) {
    const r = await step(script, state, input, { now: fixedNow, ...options, emit: (e) => events.push(e) });
    results.push(r);
    state = r.state;
  }
  return { results, events, state };
}

/** The engine's structured request of a model call, as the model received it. */
export function requestOf(call: { providerOptions?: Record<string, unknown> }): ModelRequest {
  return call.providerOptions?.[PROVIDER_OPTIONS_KEY] as ModelRequest;
}

type PromptCall = { prompt: { role: string; content: unknown }[] };

/** A call's messages as the model received them: role and text. */
export function messagesOf(call: PromptCall): { role: string; text: string }[] {
  return call.prompt.map((m) => ({
    role: m.role,
    text: typeof m.content === "string" ? m.content : (m.content as { type: string; text?: string }[]).map((p) => p.text ?? "").join(""),
  }));
}

/** The text of a call's instructions (its system message). */
export function promptOf(call: PromptCall): string {
  return messagesOf(call).find((m) => m.role === "system")?.text ?? "";
}

/** The text of a call's first user message: the conversation. */
export function conversationOf(call: PromptCall): string {
  return messagesOf(call).find((m) => m.role === "user")?.text ?? "";
}

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
};

/** A stream result that sends `text` in three deltas. */
export function streamOf(text: string) {
  const third = Math.ceil(text.length / 3);
  return streamOfPieces([text.slice(0, third), text.slice(third, 2 * third), text.slice(2 * third)].filter(Boolean));
}

/** A stream result that sends these text deltas, framed as a provider frames them. */
export function streamOfPieces(pieces: string[]) {
  return {
    stream: convertArrayToReadableStream<LanguageModelV3StreamPart>([
      { type: "stream-start", warnings: [] },
      { type: "text-start", id: "t" },
      ...pieces.map((delta): LanguageModelV3StreamPart => ({ type: "text-delta", id: "t", delta })),
      { type: "text-end", id: "t" },
      { type: "finish", usage, finishReason: { unified: "stop", raw: "stop" } },
    ]),
  };
}

/**
 * A scripted model (the AI SDK's MockLanguageModelV3): `reply` decides each
 * answer from the engine's structured request; a string reply is sent as is
 * (to script malformed output), an object as JSON.
 */
export function scriptedModel(reply: (req: ModelRequest, callIndex: number) => Record<string, unknown> | string) {
  let calls = 0;
  return new MockLanguageModelV3({
    provider: "scripted",
    modelId: "mock",
    doStream: async (options) => {
      const r = reply(requestOf(options as never), calls++);
      return streamOf(typeof r === "string" ? r : JSON.stringify(r));
    },
  });
}

/** Replies per action id, taken in order: a queue per action. */
export function queuedModel(queues: Record<string, (Record<string, unknown> | string)[]>) {
  return scriptedModel((req) => {
    const next = queues[req.actionId]?.shift();
    if (next === undefined) throw new Error(`no scripted reply left for ${req.actionId} (${req.purpose})`);
    return next;
  });
}

/** The model's crisis flag as a reply carries it. */
export const crisisMeta = { metadata: { emotional_tone: "despair", crisis_signal: true } };

/**
 * A model for the intake scripts: `answerTo` answers the client's words to ask_name, everything else (the
 * crisis protocol included) says its content. Protocol questions read every answer as `none` and flag a
 * crisis too, as a model reading the whole conversation does: inside the protocol that flag must not start
 * it again.
 */
export function intakeModel(answerTo: (req: ModelRequest) => Record<string, unknown> | string) {
  return scriptedModel((req) => {
    if (req.actionId === "ask_name" && req.answer !== null) return answerTo(req);
    if (req.purpose === "ai_ask" && req.answer !== null) return askReply("", "true", { current_risk: "none", ...crisisMeta });
    if (req.purpose === "extract") return { current_risk: "none", ...crisisMeta };
    return req.purpose === "ai_ask" ? askReply(req.content, "false") : sayReply(req.content);
  });
}
