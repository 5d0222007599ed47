/**
 * Scores the local crisis detector alone on the hand-written corpus: per
 * language, the tuning file, each held-out file and all together. Prints a
 * table and writes bench/results/safety-detector.json. Part of
 * `npm run eval:safety` (alone: `npm run eval:safety -- --detector-only`).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type CorpusLanguage, corpusLanguages, corpusSplits, loadCorpus, loadWholeCorpus, type Score, score } from "./corpus";

export const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

export function reportDetector(resultsDirectory: string): void {
  const rows: { language: CorpusLanguage; split: string; score: Score }[] = [];
  for (const language of corpusLanguages) {
    for (const split of corpusSplits) rows.push({ language, split, score: score(loadCorpus(language, split), language) });
    rows.push({ language, split: "whole", score: score(loadWholeCorpus(language), language) });
  }

  console.log("Crisis detector alone (local rules, one utterance at a time)\n");
  console.log(["language", "split", "crisis n", "benign n", "recall", "FPR", "level ≥ min", "level = min", "category"].join("\t"));
  for (const { language, split, score: s } of rows) {
    console.log(
      [
        language,
        split,
        s.crisis,
        s.benign,
        percent(s.recall),
        percent(s.falsePositiveRate),
        percent(s.levelAtLeast),
        percent(s.levelExact),
        percent(s.categoryAgreement),
      ].join("\t"),
    );
  }

  const out = join(resultsDirectory, "safety-detector.json");
  mkdirSync(resultsDirectory, { recursive: true });
  const results = rows.map(({ language, split, score: s }) => ({
    language,
    split,
    crisis: s.crisis,
    benign: s.benign,
    recall: s.recall,
    falsePositiveRate: s.falsePositiveRate,
    levelAtLeast: s.levelAtLeast,
    levelExact: s.levelExact,
    categoryAgreement: s.categoryAgreement,
  }));
  writeFileSync(out, `${JSON.stringify({ detector: "local rules", generatedAt: new Date().toISOString(), results }, null, 2)}\n`);
  console.log(`\nwrote ${out}\n`);
}
