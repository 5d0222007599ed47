/**
 * Reconcile across sessions: each session's actor compares its log with D1
 * and re-sends what is missing (src/session/mirror/reconcile.ts). Sessions
 * come from the session directory (KV), a page at a time, or are named.
 */
import type { Env } from "../config";
import { DomainError } from "../errors";
import { listSessions } from "../store/sessions/directory";
import { sessionActor } from "../session/placement";
import type { MirrorReport } from "../session/rpc";
import { unwrap } from "../session/result";
import { eachLimited } from "./pool";

const WIDTH = 6;

export interface ReconcileSummary {
  items: MirrorReport[];
  /** Sessions that could not be checked now (D1 or the session unavailable): the next run tries again. */
  failed: string[];
  /** Where the next page of the directory starts; null after the last. */
  nextCursor: string | null;
  totals: { checked: number; lagging: number; missingMessages: number; repaired: number; failed: number };
}

/** Lagging: D1 lacks messages of the log, or its session row is behind (or gone). */
export const lagging = (r: MirrorReport) => r.found && (r.gaps.length > 0 || r.d1.lastSeq === null || r.d1.lastSeq < r.lastSeq);

export async function reconcileSessions(env: Env, sessionIds: string[], repair: boolean, cursor: string | null = null): Promise<ReconcileSummary> {
  const failed: string[] = [];
  const checked = await eachLimited(sessionIds, WIDTH, (id) =>
    unwrap(sessionActor(env, id).reconcile(id, repair)).catch((err: unknown) => {
      if (!(err instanceof DomainError)) throw err;
      failed.push(id);
      return null;
    }),
  );
  const items = checked.filter((r) => r !== null);
  const late = items.filter(lagging);
  return {
    items,
    failed,
    nextCursor: cursor,
    totals: {
      checked: items.length,
      lagging: late.length,
      missingMessages: late.reduce((n, r) => n + r.gaps.reduce((m, [from, to]) => m + to - from + 1, 0), 0),
      repaired: items.reduce((n, r) => n + r.repaired, 0),
      failed: failed.length,
    },
  };
}

/** One page of the directory, checked (and with `repair`, mended). */
export async function reconcilePage(env: Env, req: { cursor?: string | undefined; limit: number; repair: boolean }): Promise<ReconcileSummary> {
  const page = await listSessions(env.CACHE, { cursor: req.cursor, limit: req.limit });
  return reconcileSessions(
    env,
    page.entries.map((e) => e.sessionId),
    req.repair,
    page.cursor,
  );
}
