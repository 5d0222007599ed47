/**
 * Scores the local crisis detector on the hand-written corpus: per language,
 * the tuning file, the held-out file and both together. Prints a table and
 * writes bench/results/safety-detector.json. `npm run eval:safety`.
 * This is the detector alone; the evaluation of whole conversations (the
 * crisis pathway end to end) comes later.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type CorpusLanguage, corpusLanguages, loadCorpus, loadWholeCorpus, type Score, score } from "./corpus";

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;
const rows: { language: CorpusLanguage; split: string; score: Score }[] = [];
for (const language of corpusLanguages) {
  rows.push({ language, split: "tuning", score: score(loadCorpus(language, "tuning"), language) });
  rows.push({ language, split: "holdout", score: score(loadCorpus(language, "holdout"), language) });
  rows.push({ language, split: "whole", score: score(loadWholeCorpus(language), language) });
}

console.log("Crisis detector (local rules only; the full conversation evaluation is not built yet)\n");
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

const resultsDirectory = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bench", "results");
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
console.log(`\nwrote ${out}`);
