import { describe, expect, it } from "vitest";
import { corpusLanguages, loadCorpus, loadWholeCorpus, score } from "../../../eval/safety/corpus";
import { detectCrisis } from "../../../src/engine/safety/detector";

describe.each(corpusLanguages)("the %s corpus", (language) => {
  const whole = loadWholeCorpus(language);

  it("holds at least 150 crisis and 150 benign utterances, over a third held out, none twice", () => {
    expect(whole.crisis.length).toBeGreaterThanOrEqual(150);
    expect(whole.benign.length).toBeGreaterThanOrEqual(150);
    const heldOut = (["holdout", "holdout2", "holdout3"] as const).map((split) => loadCorpus(language, split));
    const share = (kind: "crisis" | "benign") => heldOut.reduce((n, c) => n + c[kind].length, 0) / whole[kind].length;
    expect(share("crisis")).toBeGreaterThan(0.3);
    expect(share("benign")).toBeGreaterThan(0.3);
    // The same words may come twice only after different context turns (a crisis after distress, benign after a plan for a trip).
    const texts = [...whole.crisis, ...whole.benign].map((c) => `${c.context ?? ""}\n${c.text}`);
    expect(new Set(texts).size).toBe(texts.length);
  });

  it("holds a second held-out set of at least 40 crisis and 40 benign utterances and a third one, some with a context turn", () => {
    const holdout2 = loadCorpus(language, "holdout2");
    expect(holdout2.crisis.length).toBeGreaterThanOrEqual(40);
    expect(holdout2.benign.length).toBeGreaterThanOrEqual(40);
    expect(holdout2.crisis.filter((c) => c.context).length).toBeGreaterThanOrEqual(5);
    expect(holdout2.benign.filter((c) => c.context).length).toBeGreaterThanOrEqual(5);
    const holdout3 = loadCorpus(language, "holdout3");
    expect(holdout3.crisis.length).toBeGreaterThanOrEqual(30);
    expect(holdout3.benign.length).toBeGreaterThanOrEqual(30);
  });

  it("has context turns that are no crisis alone: only the utterance after them is", () => {
    for (const { context } of [...whole.crisis, ...whole.benign]) {
      if (context !== undefined) expect({ context, level: detectCrisis(context, { language }).level }).toEqual({ context, level: "none" });
    }
  });

  it("covers every category", () => {
    const categories = new Set(whole.crisis.map((c) => c.category));
    for (const category of ["direct", "indirect", "method", "past_attempt", "plan", "third_party"] as const) expect(categories).toContain(category);
  });

  it("is flagged with recall ≥ 95% and a false-positive rate ≤ 3%, graded at least as expected for ≥ 90%", () => {
    const s = score(whole, language);
    expect(s.recall).toBeGreaterThanOrEqual(0.95);
    expect(s.falsePositiveRate).toBeLessThanOrEqual(0.03);
    expect(s.levelAtLeast).toBeGreaterThanOrEqual(0.9);
  });
});
