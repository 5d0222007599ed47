/**
 * The classifier layer (SAFETY_CLASSIFIER): an OpenAI-compatible moderation endpoint, played by the
 * project's fake server started here, answering cleanly and badly (500s, slow, not JSON, categories it
 * does not know), and Llama Guard through a stand-in of the Workers AI binding answering as it does.
 * A grade joins the detector's (the highest wins) and starts the crisis protocol; a failure is logged
 * with a code and no words, reads as `none`, and never blocks or fails the turn.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { start, step, type EngineEvent, type SafetyClassifier } from "../../../../src/engine";
import { classifierConfigSchema, type ClassifierEntry } from "../../../../src/llm/classifier-config";
import { createClassifier } from "../../../../src/llm/classifier";
import { OfflineModel } from "../../../../src/llm";
import { startFakeOpenAI, type Behaviour, type FakeServer } from "../../../support/fake-openai";
import { fixedNow, parseScript } from "../helpers";

const here = dirname(fileURLToPath(import.meta.url));
const intakeEn = parseScript(readFileSync(join(here, "../../../../scripts/sessions/intake_en.yaml"), "utf8"));

/** Words the local detector reads as no risk. */
const QUIET = "Sam. Not that it matters much any more";

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  vi.restoreAllMocks();
});

const moderation = (categories: Record<string, unknown>, scores: Record<string, unknown> = {}) =>
  JSON.stringify({ id: "modr-1", model: "omni-moderation-latest", results: [{ flagged: true, categories, category_scores: scores }] });
const raw = (body: string, more: Partial<Extract<Behaviour, { kind: "raw" }>> = {}): Behaviour => ({ kind: "raw", body, ...more });

async function moderated(behaviours: Behaviour[], timeoutMs = 1000) {
  server = await startFakeOpenAI(behaviours);
  const entry = classifierConfigSchema.parse({ kind: "moderation", url: `${server.url}/moderations`, model: "omni-moderation-latest", timeoutMs });
  return createClassifier(entry, { apiKey: "mod-key" });
}

/** The warn lines the classifier logged while `run` ran. */
async function logged<T>(run: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const spy = vi.spyOn(console, "log").mockImplementation(() => undefined);
  const result = await run();
  const lines = spy.mock.calls.map((c) => String(c[0]));
  spy.mockRestore();
  return { result, lines };
}

describe("a moderation endpoint", () => {
  it("is asked with the words, the model and the key; intent or instructions grade high, self-harm alone low, nothing none", async () => {
    const classifier = await moderated([
      raw(moderation({ "self-harm": true, "self-harm/intent": true, "self-harm/instructions": false })),
      raw(moderation({ "self-harm": false, "self-harm/intent": false, "self-harm/instructions": true })),
      raw(moderation({ "self-harm": true, "self-harm/intent": false, "self-harm/instructions": false })),
      raw(moderation({ "self-harm": false, "self-harm/intent": false, "self-harm/instructions": false, violence: true })),
    ]);
    const levels = [];
    for (let i = 0; i < 4; i++) levels.push((await classifier.classify(QUIET, { language: "en" })).level);
    expect(levels).toEqual(["high", "high", "low", "none"]);
    expect(server!.requests[0]).toMatchObject({
      path: "/v1/moderations",
      authorization: "Bearer mod-key",
      input: QUIET,
      model: "omni-moderation-latest",
    });
  });

  it("reads scores when booleans are missing, and underscored category names as the same categories", async () => {
    const classifier = await moderated([
      raw(moderation({}, { "self-harm": 0.2, "self-harm/intent": 0.91, "self-harm/instructions": 0.01 })),
      raw(moderation({ self_harm: true, "Self_Harm/Intent": false })),
    ]);
    expect((await classifier.classify(QUIET, { language: "en" })).level).toBe("high");
    expect((await classifier.classify(QUIET, { language: "en" })).level).toBe("low");
  });

  it.each([
    ["a 500", [{ kind: "status", status: 500 }] as Behaviour[], "CLASSIFIER_UNAVAILABLE"],
    ["a 401", [{ kind: "status", status: 401 }] as Behaviour[], "CLASSIFIER_ERROR"],
    ["an answer slower than its timeout", [raw(moderation({ "self-harm/intent": true }), { delayMs: 400 })], "CLASSIFIER_TIMEOUT"],
    ["no answer at all", [{ kind: "hang" }] as Behaviour[], "CLASSIFIER_TIMEOUT"],
    ["a dropped connection", [{ kind: "reset" }] as Behaviour[], "CLASSIFIER_UNAVAILABLE"],
    ["a body that is not JSON", [raw('{"results": [{"categories": {"self-harm": tru')], "CLASSIFIER_REPLY_INVALID"],
    ["categories it does not know", [raw(moderation({ selfharm: true, suicide: true }))], "CLASSIFIER_REPLY_INVALID"],
    ["no results", [raw(JSON.stringify({ results: [] }))], "CLASSIFIER_REPLY_INVALID"],
  ])("%s reads as none with a code, logged without the words", async (_what, behaviours, code) => {
    const classifier = await moderated(behaviours, 150);
    const { result, lines } = await logged(() => classifier.classify(QUIET, { language: "en" }));
    expect(result).toEqual({ level: "none", failure: code });
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ level: "warn", msg: "safety classifier gave no reading", code, check: "moderation" }),
    ]);
    expect(lines.join("\n")).not.toContain("matters");
  });

  it("a slow answer within its timeout still counts", async () => {
    const classifier = await moderated([raw(moderation({ "self-harm/intent": true }), { delayMs: 100 })], 2000);
    expect(await classifier.classify(QUIET, { language: "en" })).toEqual({ level: "high" });
  });

  it("the host's abort ends the call as the abort, not as a reading", async () => {
    const classifier = await moderated([{ kind: "hang" }], 5000);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    await expect(classifier.classify(QUIET, { language: "en", signal: abort.signal })).rejects.toThrow();
  });
});

describe("Llama Guard on Workers AI", () => {
  const entry: ClassifierEntry = { kind: "llama-guard", model: "@cf/meta/llama-guard-3-8b", timeoutMs: 200 };
  /** A stand-in of the AI binding: answers each run() from the list, recording what it was asked. */
  function binding(answers: (() => unknown)[]) {
    const asked: unknown[][] = [];
    const ai = { run: async (...args: unknown[]) => (asked.push(args), answers.shift()!()) } as unknown as Ai;
    return { ai, asked };
  }

  it("reads 'unsafe' with S11 as high, other hazards and 'safe' as none, in text or as the binding's object", async () => {
    const { ai, asked } = binding([
      () => ({ response: "unsafe\nS11" }),
      () => ({ response: "unsafe\nS1,S11" }),
      () => ({ response: { safe: false, categories: ["S11"] } }),
      () => ({ response: "unsafe\nS2" }),
      () => ({ response: "safe" }),
      () => ({ response: { safe: true } }),
    ]);
    const classifier = createClassifier([entry], { ai });
    const levels = [];
    for (let i = 0; i < 6; i++) levels.push((await classifier.classify(QUIET, { language: "en" })).level);
    expect(levels).toEqual(["high", "high", "high", "none", "none", "none"]);
    expect(asked[0]).toEqual(["@cf/meta/llama-guard-3-8b", { messages: [{ role: "user", content: QUIET }] }]);
  });

  it.each([
    ["an answer it cannot read", () => ({ response: "I cannot help with that." }), "CLASSIFIER_REPLY_INVALID"],
    ["a failing binding", () => Promise.reject(new Error("3040: capacity")), "CLASSIFIER_UNAVAILABLE"],
    ["a binding that never answers", () => new Promise(() => undefined), "CLASSIFIER_TIMEOUT"],
  ])("%s reads as none with a code", async (_what, answer, code) => {
    const classifier = createClassifier([entry], binding([answer]));
    const { result } = await logged(() => classifier.classify(QUIET, { language: "en" }));
    expect(result).toEqual({ level: "none", failure: code });
  });

  it("without the AI binding: none, CLASSIFIER_NOT_CONFIGURED", async () => {
    const { result } = await logged(() => createClassifier([entry]).classify(QUIET, { language: "en" }));
    expect(result).toEqual({ level: "none", failure: "CLASSIFIER_NOT_CONFIGURED" });
  });

  it("beside a moderation endpoint that fails: the grade of the one that answered", async () => {
    server = await startFakeOpenAI([{ kind: "status", status: 503 }]);
    const both = classifierConfigSchema.parse([{ kind: "moderation", url: `${server.url}/moderations` }, entry]);
    const classifier = createClassifier(both, binding([() => ({ response: "unsafe\nS11" })]));
    const { result } = await logged(() => classifier.classify(QUIET, { language: "en" }));
    expect(result).toEqual({ level: "high" });
  });
});

describe("SAFETY_CLASSIFIER", () => {
  it("takes one entry or a list, with a timeout by default, and refuses unknown kinds", () => {
    expect(classifierConfigSchema.parse({ kind: "llama-guard" })).toEqual([
      { kind: "llama-guard", model: "@cf/meta/llama-guard-3-8b", timeoutMs: 3000 },
    ]);
    expect(classifierConfigSchema.safeParse({ kind: "perspective" }).success).toBe(false);
    expect(classifierConfigSchema.safeParse({ kind: "moderation", url: "not a url" }).success).toBe(false);
  });
});

describe("the classifier's grade in a step", () => {
  const fixed = (level: "none" | "low" | "high" | "imminent"): SafetyClassifier => ({ classify: async () => ({ level }) });

  async function answered(words: string, classifier: SafetyClassifier) {
    const model = new OfflineModel();
    const opened = await step(intakeEn, start(intakeEn, { now: fixedNow }), null, { model, now: fixedNow });
    const events: EngineEvent[] = [];
    const r = await step(intakeEn, opened.state, words, { model, now: fixedNow, classifier, emit: (e) => events.push(e) });
    expect(r.error).toBeUndefined();
    return { r, events };
  }

  it("starts the protocol on words the detector misses; the answer is not taken", async () => {
    const { r, events } = await answered(QUIET, fixed("low"));
    expect(r.messages.map((m) => m.actionId)).toEqual(["acknowledge", "resources", "confirm"]);
    expect(r.state.variables).not.toHaveProperty("client_name");
    expect(r.state.crisis?.level).toBe("low");
    expect(events.find((e) => e.type === "safety")).toMatchObject({ source: "input", crisis: true, level: "low" });
  });

  it("the highest grade wins: a higher classifier grade raises the detector's, a lower or failed one never lowers it", async () => {
    expect((await answered("I want to kill myself", fixed("imminent"))).r.state.crisis?.level).toBe("imminent");
    expect((await answered("I want to kill myself", fixed("none"))).r.state.crisis?.level).toBe("high");
    const failing: SafetyClassifier = { classify: async () => ({ level: "none", failure: "CLASSIFIER_TIMEOUT" }) };
    expect((await answered("I want to kill myself", failing)).r.state.crisis?.level).toBe("high");
  });

  it("a classifier that throws never fails or blocks the turn: the answer is taken as the detector reads it", async () => {
    const broken: SafetyClassifier = {
      classify: async () => {
        throw new Error("bug");
      },
    };
    const { r } = await answered("Sam", broken);
    expect(r.state.variables.client_name).toBe("Sam");
  });

  it("is not asked when the detector already found imminent", async () => {
    const classify = vi.fn(async () => ({ level: "none" as const }));
    const { r } = await answered("I have the pills in my hand right now", { classify });
    expect(classify).not.toHaveBeenCalled();
    expect(r.state.crisis?.level).toBe("imminent");
  });
});
