/**
 * Where the engine reads risk from the client's words, in layers: riskOf(),
 * the local crisis detector (safety/detector); the host's classifier, when
 * it has one (safety/classifier.ts); and modelRisk(), the model's own flag
 * in a reply to those words. The highest grade wins. Inside the protocol the
 * model's reading is its confirm step's `current_risk` (a typed output)
 * instead: its crisis flag there only repeats what the conversation holds.
 */
import type { Reply } from "../prompts/reply";
import type { Language } from "../script/schema";
import { riskLevels, type RiskLevel } from "../runtime/events";
import { record, truthy } from "../runtime/guard";
import type { SafetyClassifier } from "../safety/classifier";
import { type CrisisDetection, detectCrisis } from "../safety/detector";

/** The levels that start or keep the crisis protocol. */
export type CrisisLevel = Exclude<RiskLevel, "none">;

/** The detector's reading: a level, the kinds of signal behind it, and whether someone else is in danger. */
export type RiskReading = CrisisDetection;

export const NO_RISK: RiskReading = { level: "none", categories: [], thirdParty: false };

/** `recent`: the client's previous messages, oldest first (runtime/safety.ts recentClientText). */
export function riskOf(text: string, language: Language, recent: readonly string[] = []): RiskReading {
  return detectCrisis(text, { language, recent });
}

/**
 * The client's words as the local detector and the host's classifier read them: the classifier's grade
 * when it is higher, else the detector's reading. Not asked when the detector already found `imminent`.
 * A classifier that throws (not the host's abort) reads as `none`: it never blocks the turn.
 */
export async function wordsRisk(
  text: string,
  language: Language,
  classifier: SafetyClassifier | undefined,
  signal?: AbortSignal,
  recent: readonly string[] = [],
): Promise<RiskReading> {
  const local = riskOf(text, language, recent);
  if (!classifier || local.level === "imminent") return local;
  let level: RiskLevel = "none";
  try {
    level = (await classifier.classify(text, { language, signal })).level;
  } catch (err) {
    if (signal?.aborted) throw err;
  }
  return higherRisk(local.level, level) === local.level ? local : { ...local, level };
}

/** A `safety_risk.risk_type` some models give for the client's danger rather than for their own reply. */
const CRISIS_RISK_TYPE = /self[\s_-]?harm|suicid|crisis/i;

/**
 * The model's grade of the client's words in one reply: `high` when it set `metadata.crisis_signal`
 * (or named self-harm as its `safety_risk`), as hosts count a crisis flag that carries no grade; else `none`.
 */
export function modelRisk(reply: Reply): RiskLevel {
  if (truthy(record(reply.metadata)?.crisis_signal)) return "high";
  const risk = record(reply.safety_risk);
  return risk && truthy(risk.detected) && typeof risk.risk_type === "string" && CRISIS_RISK_TYPE.test(risk.risk_type) ? "high" : "none";
}

/** The more urgent of two levels. */
export function higherRisk<A extends RiskLevel, B extends RiskLevel>(a: A, b: B): A | B {
  return riskLevels.indexOf(b) > riskLevels.indexOf(a) ? b : a;
}

/** A crisis level raised by a reading (never lowered: a crisis stays as urgent as it has been). */
export function raiseLevel(level: CrisisLevel, by: RiskLevel): CrisisLevel {
  return by === "none" ? level : higherRisk(level, by);
}

/** A stored value read as a risk level, or undefined when it is not one. */
export function asRiskLevel(value: unknown): RiskLevel | undefined {
  return typeof value === "string" && (riskLevels as readonly string[]).includes(value) ? (value as RiskLevel) : undefined;
}
