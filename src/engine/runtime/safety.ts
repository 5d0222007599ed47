/**
 * A cheap local scan of the client's words for crisis language, so hosts
 * can react (show crisis resources) even with the offline model or before
 * the model answers. It flags; it never blocks or rewrites anything. The
 * rules live in safety/detector; this is any grade from low up.
 */
import { detectCrisis } from "../safety/detector";

export function mentionsCrisis(text: string): boolean {
  return detectCrisis(text).level !== "none";
}
