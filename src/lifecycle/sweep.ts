/**
 * The daily Cron sweep: what the sessions' own alarms may have missed.
 * - Retention: sessions D1 says are past their retention are asked to
 *   expire; each checks its own clock (its last activity may be newer than
 *   D1's copy) and erases itself if due. Sessions from before retention
 *   existed, or whose alarm was lost, are found this way.
 * - Reconcile: sessions whose D1 row counts more messages than D1 holds
 *   (holes a restore left) are mended; and one page of the session directory
 *   per run, continuing where the last run stopped, catches rows that lag
 *   (or are gone) where D1 alone cannot tell.
 * Each part takes at most SWEEP_BATCH sessions per run, so one invocation
 * stays far below the subrequest limit; a backlog drains over the next runs.
 */
import { getConfig, type Env } from "../config";
import { DomainError } from "../errors";
import { sessionsPastRetention, sessionsWithGaps } from "../store/sessions/reconcile";
import { sessionActor } from "../session/placement";
import { unwrap } from "../session/result";
import { eachLimited } from "./pool";
import { reconcilePage, reconcileSessions } from "./reconcile";
import { log } from "../log";

export const SWEEP_BATCH = 100;
/** Where the directory walk goes on next time (KV; absent: from the start). */
export const SWEEP_CURSOR_KEY = "sweep:directory-cursor";

export interface SweepReport {
  expired: number;
  /** Sessions reconcile looked at, and messages it re-sent. */
  reconciled: number;
  repaired: number;
}

export async function sweep(env: Env, now = Date.now()): Promise<SweepReport> {
  const days = getConfig(env).SESSION_RETENTION_DAYS;
  const due = await sessionsPastRetention(env.DB, now, days, SWEEP_BATCH);
  const outcomes = await eachLimited(due, 6, (id) =>
    unwrap(sessionActor(env, id).expire(id)).catch((err: unknown) => {
      // D1 refused the erase: the session is erasing already and its own alarm retries; the next sweep looks again.
      if (err instanceof DomainError) return { erased: false };
      throw err;
    }),
  );
  const expired = outcomes.filter((r) => r.erased).length;

  const gaps = await reconcileSessions(env, await sessionsWithGaps(env.DB, SWEEP_BATCH), true);
  const cursor = (await env.CACHE.get(SWEEP_CURSOR_KEY)) ?? undefined;
  const walked = await reconcilePage(env, { cursor, limit: SWEEP_BATCH, repair: true });
  await (walked.nextCursor ? env.CACHE.put(SWEEP_CURSOR_KEY, walked.nextCursor) : env.CACHE.delete(SWEEP_CURSOR_KEY));

  const report = {
    expired,
    reconciled: gaps.totals.checked + walked.totals.checked,
    repaired: gaps.totals.repaired + walked.totals.repaired,
  };
  log({ level: "info", msg: "data sweep", sessions: due.length, expired, repaired: report.repaired });
  return report;
}
