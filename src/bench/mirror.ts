/**
 * What the benchmark reads of the D1 mirror: how late each turn reached D1
 * (turn_metrics: mirrored_at − ended_at, the figure the mirror-lag alert
 * watches) and how many D1 batches the queue's consumer wrote in this
 * isolate (local environments run the consumer beside the route).
 */
import { inArray, sql } from "drizzle-orm";
import { database } from "../store/db";
import { turnMetrics } from "../store/schema";
import { consumerCounts } from "../session/mirror/consumer";

export async function mirrorReport(d1: D1Database, sessionIds: string[]) {
  const rows = await database(d1)
    .select({ lag: sql<number>`${turnMetrics.mirroredAt} - ${turnMetrics.endedAt}` })
    .from(turnMetrics)
    .where(inArray(turnMetrics.sessionId, sessionIds));
  return {
    consumerD1Batches: consumerCounts.d1Batches,
    consumerStatements: consumerCounts.statements,
    consumerMessages: consumerCounts.messages,
    lagsMs: rows.map((r) => r.lag),
  };
}
