/**
 * Realistic reply shapes through the real openai-compatible provider and a
 * local fake OpenAI server, in English and Chinese, streamed and not
 * (LLM_STREAM=false): every step completes, and neither the line nor what
 * streamed before it shows JSON syntax, a label, a reasoning block or text
 * from a discarded attempt.
 */
import { afterEach, describe, expect, it } from "vitest";
import { start, step, type EngineEvent } from "../../../../src/engine";
import { createModel } from "../../../../src/llm";
import { sayReplyText } from "../../../model-replies";
import { fixedNow, parseScript } from "../helpers";
import { startFakeOpenAI, type Behaviour, type FakeServer } from "../../../support/fake-openai";
import { residue, SENTENCES, SHAPES, type ReplyShape } from "../../../support/reply-corpus";

const scriptIn = (language: "en" | "zh-CN") =>
  parseScript(`
session:
  session_id: corpus
  language: ${language}
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - { action_type: ai_say, action_id: hello, config: { content: Welcome., max_rounds: 2 } }
`);

/** What the model means to say: two sentences, so a shape can break the line between them. */
const LINE = { en: `${SENTENCES.en[0]} ${SENTENCES.en[1]}`, "zh-CN": `${SENTENCES["zh-CN"][0]} ${SENTENCES["zh-CN"][1]}` } as const;
const reply = (content: unknown, extra: Record<string, unknown> = {}) => sayReplyText(content, { BRIEF: "b", ...extra });
const r = (text: string, finish?: "length"): Behaviour => ({ kind: "reply", text, chunks: 6, ...(finish ? { finish } : {}) });

/** A shape's replies to the one ai_say call, attempt by attempt. */
function behaviours(shape: ReplyShape, language: "en" | "zh-CN"): Behaviour[] {
  const texts = shape.texts(JSON.parse(reply(LINE[language])), { language, content: true });
  return texts.map((text, i) => r(text, i === texts.length - 1 ? shape.finish : undefined));
}

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function run(language: "en" | "zh-CN", behaviours: Behaviour[], stream: boolean) {
  server = await startFakeOpenAI(behaviours);
  const model = createModel({
    LLM_PROVIDER: "openai-compatible",
    LLM_BASE_URL: server.url,
    LLM_MODEL: "fake",
    LLM_TIMEOUT_MS: 3000,
    LLM_MAX_RETRIES: 0,
    LLM_STREAM: stream,
  });
  const script = scriptIn(language);
  const state = start(script, { now: fixedNow });
  const snapshot = structuredClone(state);
  const events: EngineEvent[] = [];
  const result = await step(script, state, null, { model, now: fixedNow, emit: (e) => events.push(e), maxContentChars: 400 });
  return { result, events, state, snapshot };
}

/** What a client that honours `reset` shows for msg_1 after all deltas. */
function shownByDeltas(events: EngineEvent[]): string {
  let text = "";
  for (const e of events) if (e.type === "message.delta") text = (e.reset ? "" : text) + e.text;
  return text;
}

const dirty = /[{}]|"EXIT"|<\/?think>|```|^(Counselor|咨询师)\s*[:：]/;

describe("reply corpus through the openai-compatible provider", () => {
  for (const language of ["en", "zh-CN"] as const) {
    for (const stream of [true, false]) {
      for (const shape of SHAPES) {
        it(`${shape.name} (${language}, ${stream ? "streamed" : "not streamed"})`, async () => {
          const line = LINE[language];
          const { result, events } = await run(language, behaviours(shape, language), stream);
          expect(result.error).toBeUndefined();
          expect(result.status).toBe("waiting_input");
          const content = result.messages[0]!.content;
          const shows = shape.shows ? shape.shows(line, language) : line;
          if (shows === null) {
            expect(content.length).toBeLessThanOrEqual(400);
            expect(residue(content, language)).toBe("");
          } else expect(content).toBe(shows);
          expect(content).not.toMatch(dirty);
          const streamed = shownByDeltas(events);
          expect(streamed === "" || streamed === content).toBe(true);
          for (const e of events) if (e.type === "message.delta") expect(e.text).not.toMatch(dirty);
        });
      }
    }
  }
});

describe("replies that cannot be recovered", () => {
  it("an empty reply three times ends the step with a retryable MODEL_REPLY_INVALID, the state unchanged", async () => {
    const { result, state, snapshot } = await run("en", [r(""), r("   "), r("<think>hmm</think>")], true);
    expect(result.error).toMatchObject({ code: "MODEL_REPLY_INVALID", retryable: true });
    expect(state).toEqual(snapshot);
  });

  it("a server that answers 500 forever ends the step with LLM_UNAVAILABLE", async () => {
    const { result, state, snapshot } = await run("en", [], true);
    expect(result.error).toMatchObject({ code: "LLM_UNAVAILABLE", retryable: true });
    expect(state).toEqual(snapshot);
  });

  it("a reply that streamed and broke off is retracted before the retry's text", async () => {
    const line = LINE.en;
    const { result, events } = await run("en", [{ kind: "cut", pieces: ['{"EXIT": "false", "content": "Half a sen'] }, r(reply(line))], true);
    expect(result.messages[0]!.content).toBe(line);
    const deltas = events.filter((e) => e.type === "message.delta");
    expect(deltas[0]).toMatchObject({ text: "Half a sen" });
    expect(deltas[1]).toMatchObject({ text: "", reset: true });
    expect(shownByDeltas(events)).toBe(line);
  });
});

describe("provider failures", () => {
  it("a data: {error} chunk inside the stream is a model error, asked again, never INTERNAL", async () => {
    const recovered = await run("en", [{ kind: "sse-error", pieces: [] }, r(reply(LINE.en))], true);
    expect(recovered.result.messages[0]!.content).toBe(LINE.en);
    await server!.close();
    const failed = await run(
      "en",
      [
        { kind: "sse-error", pieces: [] },
        { kind: "sse-error", pieces: [] },
        { kind: "sse-error", pieces: [] },
      ],
      true,
    );
    expect(failed.result.error).toMatchObject({ code: "LLM_ERROR", retryable: true });
  });

  it("a server that ignores stream: true is an LLM_ERROR naming LLM_STREAM", async () => {
    const { result } = await run("en", [{ kind: "json", text: reply(LINE.en) }], true);
    expect(result.error).toMatchObject({ code: "LLM_ERROR" });
    expect(result.error!.message).toContain("LLM_STREAM=false");
  });

  it("LLM_STREAM=false asks without streaming and still shows the line", async () => {
    const { result } = await run("en", [{ kind: "json", text: reply(LINE.en) }], false);
    expect(result.messages[0]!.content).toBe(LINE.en);
    expect(server!.requests[0]!.stream).not.toBe(true);
  });

  it("a connection dropped mid-stream is retried as a new attempt", async () => {
    const { result } = await run(
      "en",
      [
        { kind: "cut", pieces: ['{"content": "x'] },
        { kind: "cut", pieces: [] },
        { kind: "cut", pieces: [] },
      ],
      true,
    );
    expect(result.error).toMatchObject({ code: "LLM_UNAVAILABLE", retryable: true });
  });
});
