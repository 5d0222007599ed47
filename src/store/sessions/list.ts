/** Sessions, newest first, from the D1 mirror (keyset pagination on created_at, id): one user's, or everyone's at a risk level or above. */
import { and, desc, eq, inArray, lt, or, type SQL } from "drizzle-orm";
import { riskLevels, type RiskLevel } from "../../engine/runtime/events";
import { database } from "../db";
import { sessions, type SessionStatus } from "../schema";

export type SessionListQuery = ({ userId: string; minRisk?: undefined } | { userId?: undefined; minRisk: RiskLevel }) & {
  status?: SessionStatus | undefined;
  /** The sort key of the last item of the previous page. */
  after?: { createdAt: number; id: string } | undefined;
  limit: number;
};

export async function listSessions(d1: D1Database, q: SessionListQuery) {
  const db = database(d1);
  const where: SQL[] = [
    q.minRisk === undefined ? eq(sessions.userId, q.userId) : inArray(sessions.riskLevel, riskLevels.slice(riskLevels.indexOf(q.minRisk))),
  ];
  if (q.status) where.push(eq(sessions.status, q.status));
  if (q.after) {
    const at = new Date(q.after.createdAt);
    where.push(or(lt(sessions.createdAt, at), and(eq(sessions.createdAt, at), lt(sessions.id, q.after.id)))!);
  }
  const rows = await db
    .select()
    .from(sessions)
    .where(and(...where))
    .orderBy(desc(sessions.createdAt), desc(sessions.id))
    .limit(q.limit + 1);
  return { rows: rows.slice(0, q.limit), more: rows.length > q.limit };
}
