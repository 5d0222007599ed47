/**
 * The offline model: deterministic, no network, no key. The default
 * everywhere (dev, tests, CLI, benchmarks). It answers from the engine's
 * structured request in `providerOptions.heartrule`, never from prompt text:
 *
 * - ai_say: round 1 says the rendered content verbatim; later rounds a short line;
 * - ai_say_paraphrase: the rendered content verbatim;
 * - ai_ask: asks the rendered content verbatim; given a non-empty answer it
 *   sets every output variable without a value to the trimmed answer and
 *   exits; given none it asks again;
 * - ai_think: every text output gets the same neutral sentence (scripts
 *   show what ai_think wrote to the client, so it must read as a line);
 * - extract: every requested variable gets the trimmed answer.
 * - the crisis protocol's `current_risk` (ai_ask and extract): `none` for a
 *   plain denial ("no", "I'm safe", "没有", "我没事") without crisis words,
 *   else no value, which keeps the protocol going.
 *
 * Typed outputs get a value of their type: the answer read as that type
 * (null when it does not read as one), and for ai_think a fixed value
 * (0, false, the first enum value).
 *
 * Replies stream in several deltas so streaming paths run offline too. Each
 * reply reports usage estimated from text length (tokenEstimate: the prompt's
 * text in, the reply out), as a real model reports what it counted, so token
 * budgets and metrics work offline.
 */
import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamPart,
  LanguageModelV3StreamResult,
  LanguageModelV3Usage,
} from "@ai-sdk/provider";
import { coerceOutput, PROVIDER_OPTIONS_KEY, RISK_OUTPUT, riskOf, type ModelRequest } from "../engine";

type RequestedOutput = ModelRequest["outputs"][number];

const DENIAL: Record<ModelRequest["language"], RegExp> = {
  en: /^(no\b|nope|nah|not really|not at all|i'?m (fine|ok|okay|safe|alright|all right)|i am (fine|ok|okay|safe)|you misunderstood|i was (just )?joking|just kidding)/i,
  "zh-CN": /^(没|不会|不是|我没事|我很好|我挺好|我很安全|我安全|你误会了|开玩笑)/,
};

/** The crisis protocol's risk reading of an answer: a plain denial is `none`; anything else is no value (the risk stays). */
function riskReading(answer: string, language: ModelRequest["language"]): string | null {
  return DENIAL[language].test(answer) && riskOf(answer, language).level === "none" ? "none" : null;
}

/** The answer as the output's declared type; null when it does not read as one (the reply has no value for it). */
function answerAs(o: RequestedOutput, answer: string, language: ModelRequest["language"]): unknown {
  if (o.name === RISK_OUTPUT) return riskReading(answer, language);
  return o.type === "text" ? answer : (coerceOutput(o, answer) ?? null);
}

/** What ai_think fills in for an output: the neutral sentence for text, a fixed value of any other type. */
function thought(o: RequestedOutput, sentence: string): unknown {
  if (o.type === "number" || o.type === "integer") return 0;
  if (o.type === "boolean") return false;
  return o.type === "enum" ? (o.values?.[0] ?? null) : sentence;
}

const text = {
  "zh-CN": {
    laterRound: "嗯，我在听。我们接着说。",
    thanks: "谢谢你的回答。",
    // What ai_think fills in: a neutral sentence a client may read, since scripts show what ai_think wrote.
    think: "我记下了你今天分享的内容。",
    // What a rewrite gives: a line that crosses no boundary, whatever the draft said.
    rewrite: "我听到了。我们可以一步一步来，你想先从哪里说起？",
    tone: "平静",
  },
  en: {
    laterRound: "I'm listening. Let's go on.",
    thanks: "Thank you for your answer.",
    think: "I have taken note of what you shared today.",
    rewrite: "I hear you. We can take this one step at a time; where would you like to start?",
    tone: "calm",
  },
} as const;

const safe = {
  safety_risk: { detected: false, risk_type: null, confidence: "low", reason: null },
};

function reply(req: ModelRequest): Record<string, unknown> {
  const t = text[req.language];
  const metadata = { emotional_tone: t.tone, crisis_signal: false };
  const outputs = (value: (o: RequestedOutput) => unknown) => Object.fromEntries(req.outputs.map((o) => [o.name, value(o)]));
  switch (req.purpose) {
    case "ai_say":
      return {
        EXIT: "false",
        content: req.round <= 1 ? req.content : t.laterRound,
        BRIEF: "",
        ...safe,
        metadata: {
          ...metadata,
          assessment: {
            understanding_level: req.answer ? 100 : 0,
            has_questions: false,
            expressed_understanding: req.answer !== null,
            reasoning: "",
          },
        },
      };
    case "ai_say_paraphrase":
      return { content: req.content, ...safe, metadata };
    case "ai_ask": {
      if (!req.answer)
        return { EXIT: "false", content: req.content, BRIEF: "", ...outputs((o) => (o.type === "text" ? "" : null)), ...safe, metadata };
      const answer = req.answer;
      return {
        EXIT: "true",
        content: t.thanks,
        BRIEF: "",
        ...outputs((o) => (o.filled ? (o.type === "text" ? "" : null) : answerAs(o, answer, req.language))),
        ...safe,
        metadata,
      };
    }
    case "ai_think":
      return { ...outputs((o) => thought(o, t.think)), ...safe, metadata: { crisis_signal: false } };
    case "extract":
      return { ...outputs((o) => answerAs(o, req.answer ?? "", req.language)), ...safe, metadata: { crisis_signal: false } };
    case "rewrite":
      return { content: t.rewrite, ...safe, metadata };
  }
}

function requestOf(options: LanguageModelV3CallOptions): ModelRequest {
  const req = options.providerOptions?.[PROVIDER_OPTIONS_KEY] as ModelRequest | undefined;
  if (!req || typeof req.purpose !== "string") {
    throw new Error("The offline model only answers HeartRule engine requests (providerOptions.heartrule).");
  }
  return req;
}

/** Han, kana and hangul run about one token per character; other text about four characters per token. */
const DENSE = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]/g;

/** Roughly the tokens a tokenizer would count in `text`. */
export function tokenEstimate(text: string): number {
  const dense = text.match(DENSE)?.length ?? 0;
  return dense + Math.ceil((text.length - dense) / 4);
}

function promptText(options: LanguageModelV3CallOptions): string {
  return options.prompt
    .flatMap((m) => (typeof m.content === "string" ? [m.content] : m.content.flatMap((part) => (part.type === "text" ? [part.text] : []))))
    .join("\n");
}

function usageOf(options: LanguageModelV3CallOptions, reply: string): LanguageModelV3Usage {
  const input = tokenEstimate(promptText(options));
  const output = tokenEstimate(reply);
  return {
    inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: output, text: output, reasoning: undefined },
  };
}
const finishReason = { unified: "stop", raw: "stop" } as const;

/** Splits text into `parts` pieces, never between the halves of a surrogate pair. */
function chunks(s: string, parts: number): string[] {
  const out: string[] = [];
  const size = Math.ceil(s.length / parts);
  let start = 0;
  while (start < s.length) {
    let end = Math.min(s.length, start + size);
    const code = s.charCodeAt(end - 1);
    if (end < s.length && code >= 0xd800 && code <= 0xdbff) end++;
    out.push(s.slice(start, end));
    start = end;
  }
  return out;
}

/** A whole reply as the AI SDK's generate result (shared with the scripted model, ./scripted.ts). */
export function generated(options: LanguageModelV3CallOptions, body: string): LanguageModelV3GenerateResult {
  return { content: [{ type: "text", text: body }], finishReason, usage: usageOf(options, body), warnings: [] };
}

/** A whole reply streamed in four deltas. */
export function streamed(options: LanguageModelV3CallOptions, body: string): LanguageModelV3StreamResult {
  const parts: LanguageModelV3StreamPart[] = [
    { type: "stream-start", warnings: [] },
    { type: "text-start", id: "0" },
    ...chunks(body, 4).map((delta): LanguageModelV3StreamPart => ({ type: "text-delta", id: "0", delta })),
    { type: "text-end", id: "0" },
    { type: "finish", usage: usageOf(options, body), finishReason },
  ];
  return {
    stream: new ReadableStream({
      start(controller) {
        for (const part of parts) controller.enqueue(part);
        controller.close();
      },
    }),
  };
}

export class OfflineModel implements LanguageModelV3 {
  readonly specificationVersion = "v3";
  readonly provider = "heartrule";
  readonly modelId = "offline";
  readonly supportedUrls = {};

  async doGenerate(options: LanguageModelV3CallOptions): Promise<LanguageModelV3GenerateResult> {
    return generated(options, JSON.stringify(reply(requestOf(options))));
  }

  async doStream(options: LanguageModelV3CallOptions): Promise<LanguageModelV3StreamResult> {
    return streamed(options, JSON.stringify(reply(requestOf(options))));
  }
}

export function createOfflineModel(): LanguageModelV3 {
  return new OfflineModel();
}
