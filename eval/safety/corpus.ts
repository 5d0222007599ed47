/**
 * The detector's evaluation corpus (corpus/*.yaml) and its scoring. Each
 * language has a tuning file and a held-out file (`*.holdout.yaml`) that was
 * not read while the rules were tuned, so its numbers say how the rules
 * generalise. Read from disk (Node only): the corpus is evaluation data, not
 * part of the Worker.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { z } from "zod";
import { crisisCategories, crisisLevels, detectCrisis, levelRank } from "../../src/engine/safety/detector";

const corpusSchema = z.object({
  crisis: z
    .array(
      z.object({
        text: z.string().min(1),
        min: z.enum(crisisLevels).exclude(["none"]),
        category: z.enum(crisisCategories),
      }),
    )
    .min(1),
  benign: z.array(z.string().min(1)).min(1),
});

export type Corpus = z.infer<typeof corpusSchema>;
export const corpusLanguages = ["en", "zh-CN"] as const;
export type CorpusLanguage = (typeof corpusLanguages)[number];
export type CorpusSplit = "tuning" | "holdout";

const directory = join(dirname(fileURLToPath(import.meta.url)), "corpus");

export function loadCorpus(language: CorpusLanguage, split: CorpusSplit): Corpus {
  const file = join(directory, `${language}${split === "holdout" ? ".holdout" : ""}.yaml`);
  return corpusSchema.parse(parse(readFileSync(file, "utf8")));
}

/** Both splits in one, for the whole-corpus numbers. */
export function loadWholeCorpus(language: CorpusLanguage): Corpus {
  const tuning = loadCorpus(language, "tuning");
  const holdout = loadCorpus(language, "holdout");
  return { crisis: [...tuning.crisis, ...holdout.crisis], benign: [...tuning.benign, ...holdout.benign] };
}

export interface Score {
  crisis: number;
  benign: number;
  /** Crisis utterances flagged at low or above. */
  recall: number;
  /** Benign utterances flagged at low or above. */
  falsePositiveRate: number;
  /** Crisis utterances graded at least their expected minimum level. */
  levelAtLeast: number;
  /** Crisis utterances graded exactly their expected minimum level. */
  levelExact: number;
  /** Crisis utterances whose expected category is among the reported ones. */
  categoryAgreement: number;
  /** Indexes of what went wrong, for a reader of the corpus (never logged with text elsewhere). */
  missed: number[];
  falsePositives: number[];
}

export function score(corpus: Corpus, language: string): Score {
  const missed: number[] = [];
  let atLeast = 0;
  let exact = 0;
  let category = 0;
  corpus.crisis.forEach((item, i) => {
    const found = detectCrisis(item.text, { language });
    if (found.level === "none") missed.push(i);
    if (levelRank(found.level) >= levelRank(item.min)) atLeast++;
    if (found.level === item.min) exact++;
    if (found.categories.includes(item.category)) category++;
  });
  const falsePositives: number[] = [];
  corpus.benign.forEach((text, i) => {
    if (detectCrisis(text, { language }).level !== "none") falsePositives.push(i);
  });
  const n = corpus.crisis.length;
  return {
    crisis: n,
    benign: corpus.benign.length,
    recall: (n - missed.length) / n,
    falsePositiveRate: falsePositives.length / corpus.benign.length,
    levelAtLeast: atLeast / n,
    levelExact: exact / n,
    categoryAgreement: category / n,
    missed,
    falsePositives,
  };
}
