/**
 * The reply corpus for whole sessions: realistic messy shapes a model
 * answers in, applied to every call a sample script makes (ai_say, ai_ask,
 * extraction, ai_think), served by the fake OpenAI-compatible server. The
 * server must be asked with LLM_RESPONSE_FORMAT=json_schema: the reply is
 * built from the schema the request carries.
 *
 * What the fake means to say is made of known sentences (SENTENCES), so a
 * test can check that every line a client saw is whole sentences of what
 * the model meant and nothing else (residue()): no JSON, no label, no
 * reasoning, no half sentence from a discarded attempt.
 *
 * Used in Node by test/node/cli (through `heartrule run --llm-base-url`)
 * and in workerd by test/model-replies (the fake runs in vitest's
 * globalSetup; a test chooses the shape with a control request, plan()).
 */
import type { Behaviour, FakeRequest, JsonSchema } from "./fake-openai";
import { replyFor } from "./fake-openai";

export type Language = "en" | "zh-CN";

/** Sentences the fake says; no apostrophes (the Python-literal shape swaps quotes). */
export const SENTENCES: Record<Language, string[]> = {
  en: [
    "I hear you, and we can take this slowly.",
    "Thank you for telling me that.",
    "That sounds like a lot to carry.",
    "Take all the time you need.",
    'You said "I am fine" and I am listening.',
    "Let us look at that together.",
    'You said "I am fine", and I am listening.',
  ],
  "zh-CN": [
    "我听到了，我们可以慢慢来。",
    "谢谢你告诉我这些。",
    "这听起来真的不容易。",
    "你可以慢慢说。",
    '你说"我很好"，我在听。',
    "我们一起来看看。",
    '你说"我很好", 我在听。',
  ],
};

/** What a discarded attempt says: it must never reach a client. */
const DRAFT = { en: "A first draft.", "zh-CN": "初稿。" } as const;
const LABEL = { en: "Counselor: ", "zh-CN": "咨询师：" } as const;
/** The sentences with quotes inside (unescaped by some shapes); ordinary replies use the others. */
const QUOTED = { inside: 4, beforeComma: 6 } as const;
const FRAGMENT = { en: " And then there was more to", "zh-CN": "然后还有一些想说的" } as const;

/** How the fake types the score it heard (3 every time): the engine must read each as the integer 3. */
export const SCORE_SPELLINGS: Record<Language, unknown[]> = {
  en: [3, "3", "3 out of 10", "three", "３", "3/10"],
  "zh-CN": [3, "3", "3分", "三", "３", "3/10"],
};

export const isScore = (name: string) => /score|评分/.test(name);

export interface CallContext {
  language: Language;
  /** The call has a line to show (its schema has `content`). */
  content: boolean;
}

export interface ReplyShape {
  name: string;
  /** The reply texts for one call, attempt by attempt; `length`: the last stops at the token limit. */
  texts(reply: Record<string, unknown>, call: CallContext): string[];
  finish?: "length";
  /** Shapes about the visible line: a silent call gets clean JSON. */
  contentOnly?: true;
  /** The line a client should be shown when the model meant `line` (default: `line`); null: some whole sentences of it. */
  shows?(line: string, language: Language): string | null;
}

/** The line with a line break between its first two sentences. */
const broken = (line: string) => line.replace(/([.。]) ?/, "$1\n");

const json = (value: unknown) => JSON.stringify(value);

/** `{“k”：“v”，…}`: full-width punctuation as syntax, top-level strings and numbers only (how such replies look). */
function fullWidth(reply: Record<string, unknown>): string {
  const fields = Object.entries(reply).filter(([, v]) => typeof v === "string" || typeof v === "number");
  return `{${fields.map(([k, v]) => `“${k}”：${typeof v === "string" ? `“${v}”` : v}`).join("，")}}`;
}

/** A Python dict literal: single quotes, True/False/None. */
function python(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(python).join(", ")}]`;
  return `{${Object.entries(value as object)
    .map(([k, v]) => `'${k}': ${python(v)}`)
    .join(", ")}}`;
}

const withContent = (reply: Record<string, unknown>, content: unknown) => ({ ...reply, content });

export const SHAPES: ReplyShape[] = [
  { name: "clean JSON", texts: (r) => [json(r)] },
  { name: "code fence", texts: (r) => [`\`\`\`json\n${json(r)}\n\`\`\``] },
  { name: "think block before the JSON", texts: (r) => [`<think>The client seems tense. {"content": "draft"}</think>\n${json(r)}`] },
  { name: "prose with braces before the JSON", texts: (r) => [`Here is the format {content, EXIT}: ${json(r)}`] },
  {
    name: "literal newline inside the string",
    contentOnly: true,
    // Raw, not \n: invalid JSON that models write.
    texts: (r) => [json(withContent(r, broken(String(r.content)))).replace("\\n", "\n")],
    shows: broken,
  },
  {
    name: "unescaped quotes inside the text",
    contentOnly: true,
    texts: (r, { language }) => [json(withContent(r, "\u0001")).replace('"\\u0001"', `"${SENTENCES[language][QUOTED.inside]}"`)],
    shows: (_line, language) => SENTENCES[language][QUOTED.inside]!,
  },
  {
    // jsonrepair alone reads the comma as the string's end; the engine escapes such quotes first.
    name: "unescaped quotes before a comma",
    contentOnly: true,
    texts: (r, { language }) => [json(withContent(r, "\u0001")).replace('"\\u0001"', `"${SENTENCES[language][QUOTED.beforeComma]}"`)],
    shows: (_line, language) => SENTENCES[language][QUOTED.beforeComma]!,
  },
  { name: "full-width syntax", texts: (r) => [fullWidth(r)] },
  {
    name: "Python literals and single quotes",
    texts: (r) => [python({ ...r, ...("BRIEF" in r ? { BRIEF: null } : {}), ...("EXIT" in r ? { EXIT: r.EXIT === "true" } : {}) })],
  },
  {
    name: "key spelled Content",
    contentOnly: true,
    texts: ({ content, ...rest }) => [json({ Content: content, ...rest })],
  },
  { name: "content null, then repaired", contentOnly: true, texts: (r) => [json(withContent(r, null)), json(r)] },
  {
    name: "two objects: the correction wins",
    texts: (r, { language, content }) => [
      `${json(content ? withContent(r, DRAFT[language]) : Object.fromEntries(Object.keys(r).map((k) => [k, DRAFT[language]])))}\n${json(r)}`,
    ],
  },
  { name: "double-encoded content", contentOnly: true, texts: (r) => [json(withContent(r, json({ content: r.content })))] },
  { name: "a speaker label", contentOnly: true, texts: (r, { language }) => [json(withContent(r, `${LABEL[language]}${r.content}`))] },
  {
    name: "truncated at the token limit",
    contentOnly: true,
    finish: "length",
    texts: (r, { language }) => [json(withContent(r, `${r.content}${FRAGMENT[language]}`)).slice(0, -30)],
  },
  { name: "plain text", contentOnly: true, texts: (r) => [String(r.content)] },
  { name: "a remark after the JSON", texts: (r) => [`${json(r)}\n\nI hope this reply helps the client feel heard.`] },
  {
    name: "trailing commas and a comment",
    texts: (r) => [
      `{\n  // reply for this round\n${Object.entries(r)
        .map(([k, v]) => `  ${json(k)}: ${json(v)},`)
        .join("\n")}\n}`,
    ],
  },
  {
    name: "EXIT and flags typed loosely",
    texts: (r) => [json({ ...r, ...("EXIT" in r ? { EXIT: r.EXIT === "true" ? "Yes" : "no" } : {}), safety_risk: { detected: "false" } })],
  },
  { name: "an empty reply, then a good one", texts: (r) => ["", json(r)] },
  { name: "over the length cap", contentOnly: true, texts: (r) => [json(withContent(r, `${r.content} `.repeat(80)))], shows: () => null },
];

/** The sentences of a shown line that are not the fake's: empty when the line is whole sentences the model meant. */
export function residue(line: string, language: Language): string {
  let rest = line;
  for (const sentence of [...SENTENCES[language]].sort((a, b) => b.length - a.length)) rest = rest.split(sentence).join("");
  return rest.trim();
}

/** The prompt's language: the Chinese templates are in Chinese. */
function languageOf(request: FakeRequest): Language {
  const first = request.body.messages?.find((m) => m.role === "user")?.content;
  const text = typeof first === "string" ? first : json(first);
  return /[\u4e00-\u9fff]/.test(text) ? "zh-CN" : "en";
}

/** The first user message: the same for a call's retries and repairs, so they continue its plan. */
function callKey(request: FakeRequest): string {
  return json(request.body.messages?.find((m) => m.role === "user")?.content ?? "");
}

export type Plan =
  | { shape: string }
  /** A model service that is down: 500 on every request. */
  | { outage: true }
  /** A model that answers nothing but whitespace or reasoning, every time. */
  | { empty: true };

export interface CorpusResponder {
  respond(request: FakeRequest): Behaviour;
  plan(plan: Plan): void;
}

/**
 * Answers each call in the planned shape. A control request
 * (`POST …/corpus-plan` with a Plan) changes the plan from another process.
 */
export function corpusResponder(initial: Plan = { shape: "clean JSON" }): CorpusResponder {
  let plan = initial;
  let calls = 0;
  /** Texts a call's later attempts take, by call. */
  const pending = new Map<string, string[]>();
  const shapeNamed = (name: string) => {
    const shape = SHAPES.find((s) => s.name === name);
    if (!shape) throw new Error(`no reply shape named '${name}'`);
    return shape;
  };
  const set = (next: Plan) => {
    if ("shape" in next) shapeNamed(next.shape);
    plan = next;
    pending.clear();
  };
  return {
    plan: set,
    respond(request) {
      if (request.path.endsWith("/corpus-plan")) {
        set(request.body as Plan);
        return { kind: "ack" };
      }
      if ("outage" in plan) return { kind: "status", status: 500 };
      if ("empty" in plan) return reply(calls++ % 2 ? "  \n" : "<think>The client is quiet.</think>");
      const shape = shapeNamed(plan.shape);
      const key = callKey(request);
      const queued = pending.get(key);
      if (queued?.length) return reply(queued.shift()!, queued.length === 0 ? shape.finish : undefined);
      const language = languageOf(request);
      const schema: JsonSchema = request.schema ?? {};
      const content = "content" in (schema.properties ?? {});
      const n = calls++;
      const sentences = SENTENCES[language].filter((_, i) => i !== QUOTED.inside && i !== QUOTED.beforeComma);
      const line = `${sentences[n % sentences.length]} ${sentences[(n + 1) % sentences.length]}`;
      const value = (name: string) => (name === "content" ? line : sentences[n % sentences.length]!);
      const built = replyFor(schema, value) as Record<string, unknown>;
      for (const name of Object.keys(built)) if (isScore(name)) built[name] = SCORE_SPELLINGS[language][n % SCORE_SPELLINGS[language].length];
      const texts = shape.contentOnly && !content ? [json(built)] : shape.texts(built, { language, content });
      pending.set(key, texts.slice(1));
      return reply(texts[0]!, texts.length === 1 && !(shape.contentOnly && !content) ? shape.finish : undefined);
    },
  };
}

const reply = (text: string, finish?: "length"): Behaviour => ({ kind: "reply", text, chunks: 6, ...(finish ? { finish } : {}) });
