/**
 * The one place the engine reads risk from the client's words: riskOf(),
 * the local crisis detector (safety/detector). The model's own reading
 * reaches the protocol through its confirm step (`current_risk`, a typed
 * output), not through this function.
 */
import type { Language } from "../script/schema";
import { riskLevels, type RiskLevel } from "../runtime/events";
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
