/**
 * What the crisis detector reports: a grade and the kinds of signal behind it,
 * never the words that raised it, so a result may be logged as counts.
 */
import { z } from "zod";

export const crisisLevels = ["none", "low", "high", "imminent"] as const;
export const crisisCategories = ["direct", "indirect", "method", "past_attempt", "plan", "third_party"] as const;

export const crisisDetectionSchema = z.object({
  level: z.enum(crisisLevels),
  categories: z.array(z.enum(crisisCategories)),
  /** Someone other than the speaker is the one in danger (alone or besides the speaker). */
  thirdParty: z.boolean(),
});

export type CrisisLevel = (typeof crisisLevels)[number];
export type CrisisCategory = (typeof crisisCategories)[number];
export type CrisisDetection = z.infer<typeof crisisDetectionSchema>;

/** The order of the grades, for comparing them. */
export function levelRank(level: CrisisLevel): number {
  return crisisLevels.indexOf(level);
}
