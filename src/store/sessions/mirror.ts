/**
 * The session actor's writes to D1. One turn = one `batch` (one round trip,
 * one transaction) of idempotent upserts, so a batch that failed, or
 * succeeded without the actor hearing back, is simply sent again.
 */
import { and, asc, eq, ne } from "drizzle-orm";
import { database } from "../db";
import { messages, sessions, variableChanges } from "../schema";

export type SessionRow = typeof sessions.$inferInsert;
export type MessageRow = typeof messages.$inferInsert;
export type VariableChangeRow = typeof variableChanges.$inferInsert;

export interface MirrorBatch {
  session: SessionRow;
  messages: MessageRow[];
  changes: VariableChangeRow[];
}

export async function writeMirror(d1: D1Database, batch: MirrorBatch): Promise<void> {
  const db = database(d1);
  const { id: _id, userId: _user, createdAt: _created, ...changed } = batch.session;
  await db.batch([
    db.insert(sessions).values(batch.session).onConflictDoUpdate({ target: sessions.id, set: changed }),
    ...batch.messages.map((m) => db.insert(messages).values(m).onConflictDoNothing()),
    ...batch.changes.map((c) => db.insert(variableChanges).values(c).onConflictDoNothing()),
  ]);
}

/** The session row and its whole log, in one round trip: what an actor rebuilds itself from. */
export async function readMirror(d1: D1Database, sessionId: string) {
  const db = database(d1);
  const [rows, log] = await db.batch([
    db.select().from(sessions).where(eq(sessions.id, sessionId)),
    db.select().from(messages).where(eq(messages.sessionId, sessionId)).orderBy(asc(messages.seq)),
  ]);
  const session = rows[0];
  return session ? { session, messages: log } : null;
}

/** Deletes the session's rows; says whether another session runs the same script (its cache entries must stay). */
export async function eraseMirror(d1: D1Database, sessionId: string, scriptHash: string): Promise<{ scriptShared: boolean }> {
  const db = database(d1);
  const [others] = await db.batch([
    db.select({ id: sessions.id }).from(sessions).where(and(eq(sessions.scriptHash, scriptHash), ne(sessions.id, sessionId))).limit(1),
    db.delete(variableChanges).where(eq(variableChanges.sessionId, sessionId)),
    db.delete(messages).where(eq(messages.sessionId, sessionId)),
    db.delete(sessions).where(eq(sessions.id, sessionId)),
  ]);
  return { scriptShared: others.length > 0 };
}
