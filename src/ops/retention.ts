/**
 * What the operations tables keep: turn metrics, canary runs and resolved incidents older
 * than METRICS_RETENTION_DAYS are deleted by the cron, so D1 does not grow with every turn
 * for ever. (The safety records stay: the yearly report counts them.)
 */
import { and, isNotNull, lt } from "drizzle-orm";
import { getConfig, type Env } from "../config";
import { database } from "../store/db";
import { alertIncidents, canaryRuns, turnMetrics } from "../store/schema";

export async function pruneOpsTables(env: Env, now = Date.now()): Promise<void> {
  const before = new Date(now - getConfig(env).METRICS_RETENTION_DAYS * 86_400_000);
  const db = database(env.DB);
  await db.batch([
    db.delete(turnMetrics).where(lt(turnMetrics.endedAt, before)),
    db.delete(canaryRuns).where(lt(canaryRuns.startedAt, before)),
    db.delete(alertIncidents).where(and(isNotNull(alertIncidents.resolvedAt), lt(alertIncidents.resolvedAt, before))),
  ]);
}
