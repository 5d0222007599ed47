/**
 * The session actor's writes to D1. One turn = one `batch` (one round trip,
 * one transaction) of idempotent upserts, so a batch that failed, or
 * succeeded without the actor hearing back, is simply sent again.
 */
import { and, asc, eq, getTableName, inArray, ne, notExists, sql, type Table } from "drizzle-orm";
import { database, tableColumns } from "../db";
import {
  auditEvents,
  blobs,
  crisisConfirmations,
  crisisReferrals,
  guardActions,
  messages,
  safetyFlags,
  sessions,
  turnMetrics,
  variableChanges,
  versionFiles,
} from "../schema";

export type SessionRow = typeof sessions.$inferInsert;
export type MessageRow = typeof messages.$inferInsert;
export type VariableChangeRow = typeof variableChanges.$inferInsert;
export type SafetyFlagRow = typeof safetyFlags.$inferInsert;
export type ReferralRow = typeof crisisReferrals.$inferInsert;
export type GuardActionRow = typeof guardActions.$inferInsert;
/** A turn's metrics; `mirroredAt` is set when the batch is sent. */
export type TurnMetricsRow = Omit<typeof turnMetrics.$inferInsert, "mirroredAt">;
export type ConfirmationRow = typeof crisisConfirmations.$inferInsert;

export interface MirrorBatch {
  session: SessionRow;
  messages: MessageRow[];
  changes: VariableChangeRow[];
  flags: SafetyFlagRow[];
  referrals: ReferralRow[];
  guards: GuardActionRow[];
  metrics: TurnMetricsRow[];
  confirmations: ConfirmationRow[];
  /** Script and template texts by content hash, so the session can be rebuilt from D1 alone. */
  blobs: { hash: string; content: string }[];
}

/** The id of an erasure's audit row: it outlives the session's rows, so it is also the tombstone no late write may pass. */
export const erasureMarker = (sessionId: string) => `erase:${sessionId}`;

/**
 * One insert per table, its SQL written once from the drizzle schema: a turn's batch binds
 * values to these statements instead of building every query anew (that was most of the
 * actor's CPU per turn). Each insert is guarded by the session's erasure marker, so a batch
 * that arrives after the erasure (a queue delivery, a retry) writes nothing: an erased
 * session is never brought back.
 */
function upsert<T extends Table>(table: T, onConflict: (columns: string[]) => string) {
  const { names, values } = tableColumns(table);
  const text = `INSERT INTO "${getTableName(table)}" (${names.join(", ")}) SELECT ${names.map(() => "?").join(", ")}
    WHERE NOT EXISTS (SELECT 1 FROM "${getTableName(auditEvents)}" WHERE "${auditEvents.id.name}" = ?) ${onConflict(names)}`;
  return (d1: D1Database, sessionId: string, row: T["$inferInsert"]): D1PreparedStatement =>
    d1.prepare(text).bind(...values(row), erasureMarker(sessionId));
}

const insertOnce = () => "ON CONFLICT DO NOTHING";
/**
 * The session row: every column but its identity and creation follows the actor, and only
 * forward (a later log, or the same log changed later), so a batch delivered late or twice
 * never takes the row back.
 */
const upsertSession = upsert(sessions, (names) => {
  const fixed = new Set([sessions.id.name, sessions.userId.name, sessions.createdAt.name].map((n) => `"${n}"`));
  const [table, seq, updated] = [getTableName(sessions), sessions.lastSeq.name, sessions.updatedAt.name];
  return `ON CONFLICT ("${sessions.id.name}") DO UPDATE SET ${names
    .filter((n) => !fixed.has(n))
    .map((n) => `${n} = excluded.${n}`)
    .join(", ")}
    WHERE excluded."${seq}" > "${table}"."${seq}" OR (excluded."${seq}" = "${table}"."${seq}" AND excluded."${updated}" >= "${table}"."${updated}")`;
});
const insertBlob = upsert(blobs, insertOnce);
const insertMessage = upsert(messages, insertOnce);
const insertChange = upsert(variableChanges, insertOnce);
const insertFlag = upsert(safetyFlags, insertOnce);
const insertReferral = upsert(crisisReferrals, insertOnce);
const insertGuard = upsert(guardActions, insertOnce);
const insertMetrics = upsert(turnMetrics, insertOnce);
const insertConfirmation = upsert(crisisConfirmations, insertOnce);

/** One session's batch as statements, so a queue consumer can put many sessions' batches into one D1 batch. */
export function mirrorStatements(d1: D1Database, batch: MirrorBatch, now = new Date()): D1PreparedStatement[] {
  const id = batch.session.id;
  return [
    upsertSession(d1, id, batch.session),
    ...batch.blobs.map((b) =>
      insertBlob(d1, id, { hash: b.hash, content: b.content, size: new TextEncoder().encode(b.content).byteLength, createdAt: now }),
    ),
    ...batch.messages.map((m) => insertMessage(d1, id, m)),
    ...batch.changes.map((c) => insertChange(d1, id, c)),
    ...batch.flags.map((f) => insertFlag(d1, id, f)),
    ...batch.referrals.map((r) => insertReferral(d1, id, r)),
    ...batch.guards.map((g) => insertGuard(d1, id, g)),
    ...batch.metrics.map((m) => insertMetrics(d1, id, { ...m, mirroredAt: now })),
    ...batch.confirmations.map((c) => insertConfirmation(d1, id, c)),
  ];
}

export async function writeMirror(d1: D1Database, batch: MirrorBatch): Promise<void> {
  await d1.batch(mirrorStatements(d1, batch));
}

/** A turn's metrics on their own: for a failed turn no outbox entry carries (its session has nothing to mirror). */
export async function writeTurnMetrics(d1: D1Database, row: TurnMetricsRow): Promise<void> {
  await insertMetrics(d1, row.sessionId ?? "", { ...row, mirroredAt: new Date() }).run();
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
 * Deletes the session's rows (its safety records and guard actions stay, unlinked, for the yearly counts), and the text of an inline script no other
 * session runs and no version holds, with the erasure's audit row (no content) in the same batch. Says whether the script is still in
 * use elsewhere (then its cache entry stays too).
 */
export async function eraseMirror(
  d1: D1Database,
  sessionId: string,
  scriptHash: string,
  inline: boolean,
  audit: typeof auditEvents.$inferInsert,
): Promise<{ scriptShared: boolean }> {
  const db = database(d1);
  const otherSessions = db
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(eq(sessions.scriptHash, scriptHash), ne(sessions.id, sessionId)));
  const inVersions = db.select({ hash: versionFiles.contentHash }).from(versionFiles).where(eq(versionFiles.contentHash, scriptHash));
  const [others] = await db.batch([
    db
      .select({ id: sessions.id })
      .from(sessions)
      .where(and(eq(sessions.scriptHash, scriptHash), ne(sessions.id, sessionId)))
      .limit(1),
    ...(inline ? [db.delete(blobs).where(and(eq(blobs.hash, scriptHash), notExists(otherSessions), notExists(inVersions)))] : []),
    db.update(safetyFlags).set({ sessionId: null, messageId: null, actionId: null }).where(eq(safetyFlags.sessionId, sessionId)),
    db.update(crisisReferrals).set({ sessionId: null, messageId: null, actionId: null }).where(eq(crisisReferrals.sessionId, sessionId)),
    db.update(guardActions).set({ sessionId: null, messageId: null, actionId: null }).where(eq(guardActions.sessionId, sessionId)),
    db.update(turnMetrics).set({ sessionId: null, requestId: null }).where(eq(turnMetrics.sessionId, sessionId)),
    db.update(crisisConfirmations).set({ sessionId: null, messageId: null, actionId: null }).where(eq(crisisConfirmations.sessionId, sessionId)),
    db.delete(variableChanges).where(eq(variableChanges.sessionId, sessionId)),
    db.delete(messages).where(eq(messages.sessionId, sessionId)),
    db.delete(sessions).where(eq(sessions.id, sessionId)),
    db.insert(auditEvents).values(audit).onConflictDoNothing(),
  ]);
  return { scriptShared: others.length > 0 };
}
