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

/** D1 binds at most 100 parameters to one statement. */
const MAX_BOUND_PARAMETERS = 100;

interface Owned<R> {
  sessionId: string;
  row: R;
}

/**
 * One multi-row insert per table, its SQL written once per row count from the drizzle schema:
 * a batch binds values to these statements instead of building every query anew (that was
 * most of the actor's CPU per turn), and as many rows share a statement as D1's parameter
 * limit allows, since D1's ceiling is statements per second. Each row is guarded by its
 * session's erasure marker, so a batch that arrives after the erasure (a queue delivery, a
 * retry) writes nothing: an erased session is never brought back.
 */
function inserts<T extends Table>(table: T, onConflict: (columns: string[]) => string) {
  const { names, values } = tableColumns(table);
  const width = names.length + 1;
  const perStatement = Math.floor(MAX_BOUND_PARAMETERS / width);
  const tuple = `(${Array.from({ length: width }, () => "?").join(", ")})`;
  const texts = new Map<number, string>();
  const text = (rows: number) => {
    let t = texts.get(rows);
    if (t === undefined) {
      // A VALUES list's columns are column1, column2, …: the last one is the row's erasure marker.
      t = `INSERT INTO "${getTableName(table)}" (${names.join(", ")})
        SELECT ${names.map((_, i) => `column${i + 1}`).join(", ")} FROM (VALUES ${Array.from({ length: rows }, () => tuple).join(", ")})
        WHERE NOT EXISTS (SELECT 1 FROM "${getTableName(auditEvents)}" WHERE "${auditEvents.id.name}" = column${width}) ${onConflict(names)}`;
      texts.set(rows, t);
    }
    return t;
  };
  return (d1: D1Database, rows: readonly Owned<T["$inferInsert"]>[]): D1PreparedStatement[] => {
    const out: D1PreparedStatement[] = [];
    for (let i = 0; i < rows.length; i += perStatement) {
      const part = rows.slice(i, i + perStatement);
      out.push(d1.prepare(text(part.length)).bind(...part.flatMap((r) => [...values(r.row), erasureMarker(r.sessionId)])));
    }
    return out;
  };
}

const insertOnce = () => "ON CONFLICT DO NOTHING";
/**
 * The session row: every column but its identity and creation follows the actor, and only
 * forward (a later log, or the same log changed later), so a batch delivered late or twice
 * never takes the row back.
 */
const upsertSessions = inserts(sessions, (names) => {
  const fixed = new Set([sessions.id.name, sessions.userId.name, sessions.createdAt.name].map((n) => `"${n}"`));
  const [table, seq, updated] = [getTableName(sessions), sessions.lastSeq.name, sessions.updatedAt.name];
  return `ON CONFLICT ("${sessions.id.name}") DO UPDATE SET ${names
    .filter((n) => !fixed.has(n))
    .map((n) => `${n} = excluded.${n}`)
    .join(", ")}
    WHERE excluded."${seq}" > "${table}"."${seq}" OR (excluded."${seq}" = "${table}"."${seq}" AND excluded."${updated}" >= "${table}"."${updated}")`;
});
const insertBlobs = inserts(blobs, insertOnce);
const insertMessages = inserts(messages, insertOnce);
const insertChanges = inserts(variableChanges, insertOnce);
const insertFlags = inserts(safetyFlags, insertOnce);
const insertReferrals = inserts(crisisReferrals, insertOnce);
const insertGuards = inserts(guardActions, insertOnce);
const insertMetrics = inserts(turnMetrics, insertOnce);
const insertConfirmations = inserts(crisisConfirmations, insertOnce);

/** The same order the upsert keeps: a later log, or the same log changed later. */
const newer = (a: SessionRow, b: SessionRow) =>
  (a.lastSeq ?? 0) > (b.lastSeq ?? 0) || ((a.lastSeq ?? 0) === (b.lastSeq ?? 0) && a.updatedAt.getTime() >= b.updatedAt.getTime());

/** Rows a batch writes: what D1_BATCH_ROWS-style limits count (a statement holds at least three). */
export function mirrorRows(batch: MirrorBatch): number {
  const { session: _s, ...lists } = batch;
  return 1 + Object.values(lists).reduce((n, rows) => n + rows.length, 0);
}

/** Sessions' batches as statements, one multi-row insert per table (several where the rows exceed one): one D1 batch for them all. */
export function mirrorStatements(d1: D1Database, batches: readonly MirrorBatch[], now = new Date()): D1PreparedStatement[] {
  const newest = new Map<string, SessionRow>();
  for (const { session } of batches) {
    const known = newest.get(session.id);
    if (!known || newer(session, known)) newest.set(session.id, session);
  }
  const rows = <R>(pick: (b: MirrorBatch) => R[]) => batches.flatMap((b) => pick(b).map((row) => ({ sessionId: b.session.id, row })));
  return [
    ...upsertSessions(
      d1,
      [...newest.values()].map((row) => ({ sessionId: row.id, row })),
    ),
    ...insertBlobs(
      d1,
      rows((b) => b.blobs.map((x) => ({ hash: x.hash, content: x.content, size: new TextEncoder().encode(x.content).byteLength, createdAt: now }))),
    ),
    ...insertMessages(
      d1,
      rows((b) => b.messages),
    ),
    ...insertChanges(
      d1,
      rows((b) => b.changes),
    ),
    ...insertFlags(
      d1,
      rows((b) => b.flags),
    ),
    ...insertReferrals(
      d1,
      rows((b) => b.referrals),
    ),
    ...insertGuards(
      d1,
      rows((b) => b.guards),
    ),
    ...insertMetrics(
      d1,
      rows((b) => b.metrics.map((m) => ({ ...m, mirroredAt: now }))),
    ),
    ...insertConfirmations(
      d1,
      rows((b) => b.confirmations),
    ),
  ];
}

export async function writeMirror(d1: D1Database, batch: MirrorBatch): Promise<void> {
  await d1.batch(mirrorStatements(d1, [batch]));
}

/** A turn's metrics on their own: for a failed turn no outbox entry carries (its session has nothing to mirror). */
export async function writeTurnMetrics(d1: D1Database, row: TurnMetricsRow): Promise<void> {
  await insertMetrics(d1, [{ sessionId: row.sessionId ?? "", row: { ...row, mirroredAt: new Date() } }])[0]!.run();
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
