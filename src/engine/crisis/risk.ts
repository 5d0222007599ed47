/**
 * The one place the engine reads risk from the client's words: riskOf().
 * For now it is the local keyword scan (runtime/safety.ts: crisis language →
 * `high`); the crisis detector (safety/detector) replaces its body, with the
 * same reading, so nothing else changes when it does. The model's own reading
 * reaches the protocol through its confirm step (`current_risk`, a typed
 * output), not through this function.
 */
import type { Language } from "../script/schema";
import { mentionsCrisis } from "../runtime/safety";

/** Ordered: each level is more urgent than the one before. */
export const riskLevels = ["none", "low", "high", "imminent"] as const;
export type RiskLevel = (typeof riskLevels)[number];
/** The levels that start or keep the crisis protocol. */
export type CrisisLevel = Exclude<RiskLevel, "none">;

export interface RiskReading {
  level: RiskLevel;
  /** What kind of risk, e.g. `self_harm`. */
  categories: string[];
  /** The words are about someone else being at risk. */
  thirdParty: boolean;
}

export const NO_RISK: RiskReading = { level: "none", categories: [], thirdParty: false };
const SELF_HARM: RiskReading = { level: "high", categories: ["self_harm"], thirdParty: false };

export function riskOf(text: string, _language: Language): RiskReading {
  return mentionsCrisis(text) ? SELF_HARM : NO_RISK;
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
