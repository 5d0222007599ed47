import { describe, expect, it } from "vitest";
import type { LanguageModelV3CallOptions, LanguageModelV3StreamPart } from "@ai-sdk/provider";
import { PROVIDER_OPTIONS_KEY, type ModelRequest } from "../../../../src/engine";
import { OfflineModel } from "../../../../src/llm";

const base: ModelRequest = {
  purpose: "ai_say",
  language: "en",
  actionId: "a",
  content: "Hello there 😀, welcome to a session that takes its time.",
  round: 1,
  maxRounds: 2,
  answer: null,
  outputs: [],
  repair: false,
};

function options(req: Partial<ModelRequest>): LanguageModelV3CallOptions {
  return { prompt: [], providerOptions: { [PROVIDER_OPTIONS_KEY]: { ...base, ...req } } };
}

async function streamed(req: Partial<ModelRequest>) {
  const { stream } = await new OfflineModel().doStream(options(req));
  const parts: LanguageModelV3StreamPart[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  const deltas = parts.flatMap((p) => (p.type === "text-delta" ? [p.delta] : []));
  return { deltas, reply: JSON.parse(deltas.join("")) as Record<string, unknown>, parts };
}

describe("the offline model", () => {
  it("says ai_say content verbatim in round 1 and a short line later", async () => {
    expect((await streamed({})).reply).toMatchObject({ content: base.content, EXIT: "false" });
    const later = (await streamed({ round: 2, answer: "ok" })).reply;
    expect(later.content).toEqual(expect.stringMatching(/\S/));
    expect(later.content).not.toBe(base.content);
  });

  it("asks, then fills every output without a value from the trimmed answer and exits", async () => {
    const outputs = [
      { name: "name", define: "their name", filled: false, type: "text" as const },
      { name: "known", define: null, filled: true, type: "text" as const },
    ];
    expect((await streamed({ purpose: "ai_ask", outputs })).reply).toMatchObject({ EXIT: "false", content: base.content });
    const answered = (await streamed({ purpose: "ai_ask", outputs, answer: "Sam" })).reply;
    expect(answered).toMatchObject({ EXIT: "true", name: "Sam", known: "" });
  });

  it("gives every ai_think output a non-empty deterministic value, and extraction the answer", async () => {
    const outputs = [
      { name: "summary", define: null, filled: false, type: "text" as const },
      { name: "risk", define: null, filled: false, type: "text" as const },
    ];
    const first = (await streamed({ purpose: "ai_think", outputs, language: "zh-CN" })).reply;
    const again = (await streamed({ purpose: "ai_think", outputs, language: "zh-CN" })).reply;
    expect(first.summary).toMatch(/\S/);
    expect(first.risk).toMatch(/\S/);
    expect(first).toEqual(again);
    expect((await streamed({ purpose: "extract", outputs, answer: "tired" })).reply).toMatchObject({ summary: "tired", risk: "tired" });
  });

  it("answers typed outputs in their type: the answer read as it (null when it does not read), ai_think a fixed value", async () => {
    const typed: ModelRequest["outputs"] = [
      { name: "score", define: null, filled: false, type: "integer" },
      { name: "level", define: null, filled: false, type: "number" },
      { name: "safe", define: null, filled: false, type: "boolean" },
      { name: "mood", define: null, filled: false, type: "enum", values: ["low", "ok", "high"] },
    ];
    const asked = (await streamed({ purpose: "ai_ask", outputs: typed })).reply;
    expect(asked).toMatchObject({ score: null, level: null, safe: null, mood: null });
    expect((await streamed({ purpose: "ai_ask", outputs: typed, answer: "3" })).reply).toMatchObject({ score: 3, level: 3, safe: null, mood: null });
    expect((await streamed({ purpose: "ai_ask", outputs: typed, answer: "yes" })).reply).toMatchObject({ score: null, safe: true, mood: null });
    expect((await streamed({ purpose: "extract", outputs: typed, answer: "HIGH" })).reply).toMatchObject({ score: null, safe: null, mood: "high" });
    expect((await streamed({ purpose: "ai_think", outputs: typed })).reply).toMatchObject({ score: 0, level: 0, safe: false, mood: "low" });
  });

  it("streams in several deltas without splitting a character, and generates the same text", async () => {
    const { deltas, parts } = await streamed({});
    expect(deltas.length).toBeGreaterThan(2);
    for (const d of deltas) expect(d).not.toMatch(/[\ud800-\udbff]$/);
    expect(parts.at(-1)).toMatchObject({ type: "finish", finishReason: { unified: "stop" } });
    const generated = await new OfflineModel().doGenerate(options({}));
    expect(generated.content).toEqual([{ type: "text", text: deltas.join("") }]);
  });

  it("refuses calls that do not come from the engine", async () => {
    await expect(new OfflineModel().doStream({ prompt: [] })).rejects.toThrow(/providerOptions.heartrule/);
  });
});
