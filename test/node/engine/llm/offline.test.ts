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
      { name: "name", define: "their name", filled: false },
      { name: "known", define: null, filled: true },
    ];
    expect((await streamed({ purpose: "ai_ask", outputs })).reply).toMatchObject({ EXIT: "false", content: base.content });
    const answered = (await streamed({ purpose: "ai_ask", outputs, answer: "Sam" })).reply;
    expect(answered).toMatchObject({ EXIT: "true", name: "Sam", known: "" });
  });

  it("gives every ai_think output a non-empty deterministic value, and extraction the answer", async () => {
    const outputs = [
      { name: "summary", define: null, filled: false },
      { name: "risk", define: null, filled: false },
    ];
    const first = (await streamed({ purpose: "ai_think", outputs, language: "zh-CN" })).reply;
    const again = (await streamed({ purpose: "ai_think", outputs, language: "zh-CN" })).reply;
    expect(first.summary).toMatch(/\S/);
    expect(first.risk).toMatch(/\S/);
    expect(first).toEqual(again);
    expect((await streamed({ purpose: "extract", outputs, answer: "tired" })).reply).toMatchObject({ summary: "tired", risk: "tired" });
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
