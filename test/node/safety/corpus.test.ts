import { describe, expect, it } from "vitest";
import { corpusLanguages, loadCorpus, loadWholeCorpus, score } from "../../../eval/safety/corpus";

describe.each(corpusLanguages)("the %s corpus", (language) => {
  const whole = loadWholeCorpus(language);

  it("holds at least 150 crisis and 150 benign utterances, about a fifth held out, none twice", () => {
    expect(whole.crisis.length).toBeGreaterThanOrEqual(150);
    expect(whole.benign.length).toBeGreaterThanOrEqual(150);
    const holdout = loadCorpus(language, "holdout");
    expect(holdout.crisis.length / whole.crisis.length).toBeGreaterThan(0.15);
    expect(holdout.benign.length / whole.benign.length).toBeGreaterThan(0.15);
    const texts = [...whole.crisis.map((c) => c.text), ...whole.benign];
    expect(new Set(texts).size).toBe(texts.length);
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
