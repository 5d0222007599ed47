/**
 * What the data lifecycle jobs read of D1: a session's copy (reconcile), the sessions whose copy has holes D1
 * alone can see, the sessions past their retention, one user's sessions.
 */
import { asc, eq, sql } from "drizzle-orm";
import { database } from "../db";
import { messages, sessions } from "../schema";

/** The session row's last seq (null: no row) and the seqs of the messages D1 holds. */
export async function mirroredSeqs(d1: D1Database, sessionId: string): Promise<{ rowLastSeq: number | null; seqs: number[] }> {
  const db = database(d1);
  const [row, seqs] = await db.batch([
    db.select({ n: sessions.lastSeq }).from(sessions).where(eq(sessions.id, sessionId)),
    db.select({ n: messages.seq }).from(messages).where(eq(messages.sessionId, sessionId)).orderBy(asc(messages.seq)),
  ]);
  return { rowLastSeq: row[0]?.n ?? null, seqs: seqs.map((r) => r.n) };
}

/** Sessions whose row says more messages than D1 holds (a restore took some back): at most `limit`. */
export async function sessionsWithGaps(d1: D1Database, limit: number): Promise<string[]> {
  const rows = await database(d1).all<{ id: string }>(sql`
    SELECT ${sessions.id} AS id FROM ${sessions}
    WHERE ${sessions.lastSeq} > (SELECT count(*) FROM ${messages} WHERE ${messages.sessionId} = ${sessions.id})
    LIMIT ${limit}`);
  return rows.map((r) => r.id);
}

const DAY_MS = 24 * 3600_000;

/** Sessions whose last activity is older than their retention (their own, else `defaultDays`), oldest first: at most `limit`. */
export async function sessionsPastRetention(d1: D1Database, now: number, defaultDays: number, limit: number): Promise<string[]> {
  const rows = await database(d1).all<{ id: string }>(sql`
    SELECT ${sessions.id} AS id FROM ${sessions}
    -- Every retention is a day at least: the first bound walks sessions_last_activity_idx.
    WHERE ${sessions.lastActivityAt} <= ${now - DAY_MS}
      AND ${sessions.lastActivityAt} + coalesce(${sessions.retentionDays}, ${defaultDays}) * ${DAY_MS} <= ${now}
    ORDER BY ${sessions.lastActivityAt}
    LIMIT ${limit}`);
  return rows.map((r) => r.id);
}

export async function sessionIdsOfUser(d1: D1Database, userId: string): Promise<string[]> {
  const rows = await database(d1).select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId));
  return rows.map((r) => r.id);
}
