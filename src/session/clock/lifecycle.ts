/**
 * The one alarm of a session actor serves these clocks: the D1 mirror's
 * retries, the watchdog that re-runs a turn cut short by eviction, the
 * idle lifecycle (active → paused → archived), the expiry of the
 * tokens its WebSockets connected with, and retention (the session erases
 * itself that long after its last activity). These pure functions say
 * when it must fire next and what is due when it does.
 */
import type { SessionStatus } from "../../store/schema/sessions";
import type { Meta } from "../storage/meta";

/**
 * Unfinished work (a turn still running, an outbox not yet sent) is looked at
 * again this long after: if the activation that owned it died, the alarm
 * starts a new one that re-runs the turn or sends the outbox.
 */
export const WATCHDOG_MS = 30_000;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 5 * 60_000;

/** Backoff after the nth consecutive failure: 1 s, 2 s, 4 s … capped at 5 min. */
export function retryDelay(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), MAX_RETRY_MS);
}

export interface Clocks {
  now: number;
  pauseMs: number;
  archiveMs: number;
  /** SESSION_RETENTION_DAYS in ms: a session whose meta names no retention of its own is kept this long after its last activity. */
  retentionMs: number;
  /** The outbox holds something D1 has not received. */
  mirrorPending: boolean;
  turnsPending: boolean;
  /** When the first token of the session's WebSockets expires (null: none does). */
  socketsExpireAt: number | null;
  /** When the handoff to a counselor needs the alarm: a wait's timeout, or telling the queue again (null: not due). */
  handoffDueAt?: number | null;
}

export function nextAlarm(meta: Meta, c: Clocks): number | null {
  if (meta.erasing) return meta.mirrorRetryAt ?? c.now;
  const times: number[] = [];
  if (c.mirrorPending) times.push(meta.mirrorRetryAt ?? c.now + WATCHDOG_MS);
  if (c.turnsPending) times.push(c.now + WATCHDOG_MS);
  if (c.socketsExpireAt !== null) times.push(c.socketsExpireAt);
  if (c.handoffDueAt != null) times.push(c.handoffDueAt);
  if (meta.status === "active") times.push(meta.lastActivityAt + c.pauseMs);
  if (meta.status === "paused") times.push(meta.lastActivityAt + c.archiveMs);
  times.push(retainedUntil(meta, c));
  return Math.min(...times);
}

const DAY_MS = 24 * 3600_000;

/** When the session's retention ends: its own window (the project's, pinned at start) or the deployment's. */
export function retainedUntil(meta: Meta, c: Pick<Clocks, "retentionMs">): number {
  return meta.lastActivityAt + (meta.retentionDays === null ? c.retentionMs : meta.retentionDays * DAY_MS);
}

/** The session has outlived its retention and must erase itself. */
export function retentionDue(meta: Meta, c: Pick<Clocks, "now" | "retentionMs">): boolean {
  return !meta.erasing && c.now >= retainedUntil(meta, c);
}

/** The status idleness has earned by now, when it differs from the current one. */
export function idleStatus(meta: Meta, c: Pick<Clocks, "now" | "pauseMs" | "archiveMs">): SessionStatus | null {
  if (meta.status !== "active" && meta.status !== "paused") return null;
  const idle = c.now - meta.lastActivityAt;
  if (idle >= c.archiveMs) return "archived";
  if (meta.status === "active" && idle >= c.pauseMs) return "paused";
  return null;
}
