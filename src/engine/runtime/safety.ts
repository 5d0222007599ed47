/**
 * A cheap local scan of the client's words for crisis language, so hosts
 * can react (show crisis resources) even with the offline model or before
 * the model answers. It flags; it never blocks or rewrites anything. The
 * rules live in safety/detector; this is any grade from low up.
 */
import { detectCrisis, RECENT_TURNS } from "../safety/detector";
import type { HistoryEntry } from "./state";

export function mentionsCrisis(text: string): boolean {
  return detectCrisis(text).level !== "none";
}

/**
 * The client's last messages in the state's history, oldest first: the
 * detector reads a plan that names no act ("i've decided.") in their light.
 */
export function recentClientText(history: readonly HistoryEntry[]): string[] {
  return history
    .filter((entry) => entry.role === "user")
    .slice(-RECENT_TURNS)
    .map((entry) => entry.content);
}
