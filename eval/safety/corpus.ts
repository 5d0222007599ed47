/**
 * The detector's evaluation corpus (corpus/*.yaml) and its scoring. Each
 * language has a tuning file and two held-out files (`*.holdout.yaml`, and
 * `*.holdout2.yaml` written later for plans, timing and preparations) that
 * were not read while the rules they test were tuned, so their numbers say
 * how the rules generalise. An item may carry `context`: the client's
 * previous message, which the detector reads as a recent turn. Read from
 * disk (Node only): the corpus is evaluation data, not part of the Worker.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { z } from "zod";
import { crisisCategories, crisisLevels, detectCrisis, levelRank } from "../../src/engine/safety/detector";

/** The client's previous message, said just before the utterance. */
const context = z.string().min(1).optional();

const corpusSchema = z.object({
  crisis: z
    .array(
      z.object({
        text: z.string().min(1),
        min: z.enum(crisisLevels).exclude(["none"]),
        category: z.enum(crisisCategories),
        context,
      }),
    )
    .min(1),
  // A plain string, or the text with its context.
  benign: z
    .array(
      z.union([
        z
          .string()
          .min(1)
          .transform((text): { text: string; context?: string } => ({ text })),
        z.object({ text: z.string().min(1), context }),
      ]),
    )
    .min(1),
});

export type Corpus = z.infer<typeof corpusSchema>;
export const corpusLanguages = ["en", "zh-CN"] as const;
export type CorpusLanguage = (typeof corpusLanguages)[number];
export const corpusSplits = ["tuning", "holdout", "holdout2", "holdout3"] as const;
export type CorpusSplit = (typeof corpusSplits)[number];

const directory = join(dirname(fileURLToPath(import.meta.url)), "corpus");

export function loadCorpus(language: CorpusLanguage, split: CorpusSplit): Corpus {
  const file = join(directory, `${language}${split === "tuning" ? "" : `.${split}`}.yaml`);
  return corpusSchema.parse(parse(readFileSync(file, "utf8")));
}

/** Every split in one, for the whole-corpus numbers. */
export function loadWholeCorpus(language: CorpusLanguage): Corpus {
  const splits = corpusSplits.map((split) => loadCorpus(language, split));
  return { crisis: splits.flatMap((c) => c.crisis), benign: splits.flatMap((c) => c.benign) };
}

/** What the detector is given for an item: its context as the one recent turn. */
function detect(item: { text: string; context?: string | undefined }, language: string) {
  return detectCrisis(item.text, { language, recent: item.context === undefined ? [] : [item.context] });
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
    const found = detect(item, language);
    if (found.level === "none") missed.push(i);
    if (levelRank(found.level) >= levelRank(item.min)) atLeast++;
    if (found.level === item.min) exact++;
    if (found.categories.includes(item.category)) category++;
  });
  const falsePositives: number[] = [];
  corpus.benign.forEach((item, i) => {
    if (detect(item, language).level !== "none") falsePositives.push(i);
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
