/**
 * A session's handoff to a human counselor, as the actor keeps it: why it was
 * queued, whether a counselor holds it now, when the wait times out. Kept in
 * the Durable Object's key-value storage (the same SQLite file, no table of
 * its own), so erasing the session's storage erases it too. Pure transitions
 * below return a new record, as storage/meta.ts does for the meta row.
 */
import type { RiskLevel } from "../../engine/runtime/events";

/** What put the session in the queue: its risk (high or imminent), the client asking, or the script's `handoff` action. */
export type HandoffReason = "risk" | "client" | "script";

/**
 * waiting   — queued, no counselor has taken it yet;
 * held      — a counselor holds it: the script is paused, the client's words go to the counselor;
 * timed_out — nobody came in time: the AI carried on, the entry stays visible and can still be taken;
 * returned  — the counselor handed it back to the script;
 * ended     — the counselor ended the session.
 */
export type HandoffStatus = "waiting" | "held" | "timed_out" | "returned" | "ended";

export interface Holder {
  userId: string;
  name: string;
}

export interface HandoffRecord {
  status: HandoffStatus;
  reason: HandoffReason;
  /** The script's reason for a `handoff` action (author-written, never the client's words); null otherwise. */
  note: string | null;
  riskLevel: RiskLevel;
  /** Each time the session is queued anew it counts up: the alert's event id carries it. */
  round: number;
  queuedAt: number;
  /** When the wait times out (null once taken or timed out). */
  dueAt: number | null;
  holder: Holder | null;
  /** The newest seq when the counselor took over: what is said after it joins the script's history at the hand-back. */
  heldFromSeq: number | null;
  /** The Dispatch object has the newest state of this record; false: the alarm tells it again. */
  synced: boolean;
  syncAttempts: number;
}

export const KEY = "handoff";

/** Still in the counselors' queue (taken or not). */
export const open = (r: HandoffRecord | null | undefined): boolean =>
  !!r && (r.status === "waiting" || r.status === "held" || r.status === "timed_out");

export const held = (r: HandoffRecord | null): r is HandoffRecord & { holder: Holder } => r?.status === "held" && r.holder !== null;

/** Queued now, or already in the queue (then only a higher risk is taken in). */
export function queued(
  prev: HandoffRecord | null,
  reason: HandoffReason,
  note: string | null,
  riskLevel: RiskLevel,
  now: number,
  timeoutMs: number,
): HandoffRecord {
  if (prev && open(prev)) return { ...prev, riskLevel, synced: prev.riskLevel === riskLevel && prev.synced };
  return {
    status: "waiting",
    reason,
    note,
    riskLevel,
    round: (prev?.round ?? 0) + 1,
    queuedAt: now,
    dueAt: now + timeoutMs,
    holder: null,
    heldFromSeq: null,
    synced: false,
    syncAttempts: 0,
  };
}

export const taken = (r: HandoffRecord, holder: Holder, fromSeq: number): HandoffRecord => ({
  ...r,
  status: "held",
  holder,
  heldFromSeq: fromSeq,
  dueAt: null,
  synced: false,
});
export const timedOut = (r: HandoffRecord): HandoffRecord => ({ ...r, status: "timed_out", dueAt: null, synced: false });
export const closed = (r: HandoffRecord, status: "returned" | "ended"): HandoffRecord => ({ ...r, status, holder: null, dueAt: null, synced: false });
export const synced = (r: HandoffRecord): HandoffRecord => ({ ...r, synced: true, syncAttempts: 0 });
export const syncFailed = (r: HandoffRecord): HandoffRecord => ({ ...r, syncAttempts: r.syncAttempts + 1 });
