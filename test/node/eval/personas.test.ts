import { describe, expect, it } from "vitest";
import { corpusLanguages, loadWholeCorpus } from "../../../eval/safety/corpus";
import { buildPersonas, followUpPools } from "../../../eval/safety/personas";
import { detectCrisis } from "../../../src/engine/safety/detector";

describe.each(corpusLanguages)("the %s personas", (language) => {
  const personas = buildPersonas(language, 7);

  it("are one conversation per corpus utterance, the same for the same seed", () => {
    const corpus = loadWholeCorpus(language);
    expect(personas.filter((p) => p.kind === "crisis")).toHaveLength(corpus.crisis.length);
    expect(personas.filter((p) => p.kind === "benign")).toHaveLength(corpus.benign.length);
    expect(buildPersonas(language, 7)).toEqual(personas);
    expect(buildPersonas(language, 8)).not.toEqual(personas);
  });

  it("say the utterance at the first answer and mid-session, and follow up by kind", () => {
    const positions = new Set(personas.map((p) => p.position));
    expect([...positions].sort()).toEqual([0, 1, 2, 3]);
    for (const p of personas) {
      // A corpus item's context turn is said just before the utterance, in place of an ordinary answer.
      const before = p.lines.slice(0, p.position).map((l) => l.role);
      expect(before.slice(0, -1).every((role) => role === "ordinary")).toBe(true);
      expect(["ordinary", "context", undefined]).toContain(before.at(-1));
      expect(p.lines[p.position]!.role).toBe(p.kind === "crisis" ? "disclosure" : "control");
    }
    const crisis = personas.filter((p) => p.kind === "crisis");
    const denies = crisis.filter((p) => p.followUp === "denies").length / crisis.length;
    expect(denies).toBeGreaterThan(0.2);
    expect(denies).toBeLessThan(0.5);
    expect(personas.filter((p) => p.kind === "benign").every((p) => p.followUp === "carries_on")).toBe(true);
  });

  it("never say a crisis utterance in an ordinary answer or a denial", () => {
    const pool = followUpPools[language];
    for (const text of [...pool.ordinary, ...pool.denials])
      expect({ text, level: detectCrisis(text, { language }).level }).toEqual({ text, level: "none" });
  });
});
