/**
 * Risk across the client's recent turns. A plan that names no act ("i've
 * decided.", "tonight's the night then", "got the charcoal today") is nothing
 * alone and a crisis after distress ("i'm so tired of all of it", hopelessness,
 * a burden): clinically the timing and the preparation are the warning sign,
 * the words around them say whether they are about dying. Pure: the readings
 * come from the detector, the recent turns from the caller.
 */
import { type CrisisCategory, type CrisisDetection, type CrisisLevel, crisisCategories, levelRank } from "./result";

/** What one message holds before context: its grade and the signals below any grade. */
export interface MessageReading {
  detection: CrisisDetection;
  /** Plans that name no act (vague.plans), spoken by the client: how many of the rules matched. */
  vaguePlans: number;
  /** One of them says something ends ("that's it for me"). */
  ending: boolean;
  /** Timing that waits to be alone ("when everyone's asleep"). */
  secretive: boolean;
  /** A clause that is a time and nothing else ("tomorrow after work"). */
  timeOnly: boolean;
  /** Distress below any grade (vague.distress). */
  distress: boolean;
  /** The message names a time or means at hand (the language's imminence). */
  timed: boolean;
}

const risky = (r: MessageReading) => r.distress || r.detection.level !== "none";
const planning = (r: MessageReading) => r.vaguePlans > 0 || r.secretive;

/**
 * The message alone, or raised to a plan when its vague plan meets distress or risk in it or in the turns before.
 * `recent` is read only when the message could be raised: most messages are neither a plan nor risky, and
 * reading the turns before costs a detector pass each.
 */
export function inContext(current: MessageReading, recent: () => readonly MessageReading[]): CrisisDetection {
  if (!planning(current) && !risky(current)) return current.detection;
  // "i've decided. tomorrow after work", "i'll do it when everyone's asleep", "cancelled everything because i won't be here":
  // the plan and its when, or two signs of one, in one message.
  const whenOnly = current.timeOnly || (current.ending && current.timed);
  const plain = current.vaguePlans > 1 || (current.vaguePlans > 0 && (current.secretive || whenOnly));
  const raised = (planning(current) && (plain || risky(current) || recent().some(risky))) || (risky(current) && recent().some(planning));
  if (!raised) return current.detection;
  const level: CrisisLevel = current.timed || current.timeOnly || current.secretive ? "imminent" : "high";
  const categories = new Set<CrisisCategory>([...current.detection.categories, "plan"]);
  return {
    level: levelRank(level) > levelRank(current.detection.level) ? level : current.detection.level,
    categories: crisisCategories.filter((c) => categories.has(c)),
    thirdParty: current.detection.thirdParty,
  };
}
