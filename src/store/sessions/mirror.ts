/**
 * The session actor's writes to D1. One turn = one `batch` (one round trip,
 * one transaction) of idempotent upserts, so a batch that failed, or
 * succeeded without the actor hearing back, is simply sent again.
 */
import { and, asc, eq, inArray, ne, notExists, sql } from "drizzle-orm";
import { database } from "../db";
import { blobs, messages, sessions, variableChanges, versionFiles } from "../schema";

export type SessionRow = typeof sessions.$inferInsert;
export type MessageRow = typeof messages.$inferInsert;
export type VariableChangeRow = typeof variableChanges.$inferInsert;

export interface MirrorBatch {
  session: SessionRow;
  messages: MessageRow[];
  changes: VariableChangeRow[];
  /** Script and template texts by content hash, so the session can be rebuilt from D1 alone. */
  blobs: { hash: string; content: string }[];
}

export async function writeMirror(d1: D1Database, batch: MirrorBatch): Promise<void> {
  const db = database(d1);
  const { id: _id, userId: _user, createdAt: _created, ...changed } = batch.session;
  const now = new Date();
  await db.batch([
    db.insert(sessions).values(batch.session).onConflictDoUpdate({ target: sessions.id, set: changed }),
    ...batch.blobs.map((b) =>
      db.insert(blobs).values({ hash: b.hash, content: b.content, size: new TextEncoder().encode(b.content).byteLength, createdAt: now }).onConflictDoNothing(),
    ),
    ...batch.messages.map((m) => db.insert(messages).values(m).onConflictDoNothing()),
    ...batch.changes.map((c) => db.insert(variableChanges).values(c).onConflictDoNothing()),
  ]);
}

/** The session row, its whole log and its script and template texts, in one round trip: what an actor rebuilds itself from. */
export async function readMirror(d1: D1Database, sessionId: string) {
  const db = database(d1);
  const hashes = sql`(SELECT ${sessions.scriptHash} FROM ${sessions} WHERE ${sessions.id} = ${sessionId}
    UNION SELECT json_each.value FROM ${sessions}, json_each(${sessions.templates}) WHERE ${sessions.id} = ${sessionId})`;
  const [rows, log, texts] = await db.batch([
    db.select().from(sessions).where(eq(sessions.id, sessionId)),
    db.select().from(messages).where(eq(messages.sessionId, sessionId)).orderBy(asc(messages.seq)),
    db.select({ hash: blobs.hash, content: blobs.content }).from(blobs).where(inArray(blobs.hash, hashes)),
  ]);
  const session = rows[0];
  return session ? { session, messages: log, blobs: new Map(texts.map((b) => [b.hash, b.content])) } : null;
}

/**
 * Deletes the session's rows, and the text of an inline script no other
 * session runs and no version holds. Says whether the script is still in
 * use elsewhere (then its cache entry stays too).
 */
export async function eraseMirror(d1: D1Database, sessionId: string, scriptHash: string, inline: boolean): Promise<{ scriptShared: boolean }> {
  const db = database(d1);
  const otherSessions = db.select({ id: sessions.id }).from(sessions).where(and(eq(sessions.scriptHash, scriptHash), ne(sessions.id, sessionId)));
  const inVersions = db.select({ hash: versionFiles.contentHash }).from(versionFiles).where(eq(versionFiles.contentHash, scriptHash));
  const [others] = await db.batch([
    db.select({ id: sessions.id }).from(sessions).where(and(eq(sessions.scriptHash, scriptHash), ne(sessions.id, sessionId))).limit(1),
    ...(inline ? [db.delete(blobs).where(and(eq(blobs.hash, scriptHash), notExists(otherSessions), notExists(inVersions)))] : []),
    db.delete(variableChanges).where(eq(variableChanges.sessionId, sessionId)),
    db.delete(messages).where(eq(messages.sessionId, sessionId)),
    db.delete(sessions).where(eq(sessions.id, sessionId)),
  ]);
  return { scriptShared: others.length > 0 };
}
