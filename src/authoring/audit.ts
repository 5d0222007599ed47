import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import type { AuthUser } from "../http/user";
import { tableColumns, type Database } from "../store/db";
import { auditEvents } from "../store/schema";
import { projectFor } from "./access";
import { decodeCursor, page, type PageRequest } from "../store/cursor";
import type { AuditEvent } from "./models";

export type AuditAction =
  | "project.create"
  | "project.update"
  | "project.copy"
  | "project.archive"
  | "project.deprecate"
  | "project.restore"
  | "file.create"
  | "file.update"
  | "file.delete"
  | "scheme.create"
  | "scheme.rename"
  | "scheme.delete"
  | "version.publish"
  | "version.rollback"
  | "version.split"
  | "version.split_clear"
  | "project.data_policy"
  // Written with the erasure itself (src/session/mirror/erase.ts, src/data/erasure.ts): ids and counts, never content.
  | "session.erase"
  | "user.erase";

type AuditRow = typeof auditEvents.$inferInsert;
const auditColumns = tableColumns(auditEvents);

function auditRow(
  actor: AuthUser,
  action: AuditAction,
  projectId: string,
  target: string | null,
  detail: Record<string, unknown>,
  at: Date,
): AuditRow {
  return { id: crypto.randomUUID(), at, actorId: actor.id, actorRole: actor.role, action, projectId, target, detail };
}

/** The audit row of a change, to put in the same batch as the change. Details never hold file contents. */
export function auditEntry(
  db: Database,
  actor: AuthUser,
  action: AuditAction,
  projectId: string,
  target: string | null,
  detail: Record<string, unknown> = {},
  at = new Date(),
) {
  return db.insert(auditEvents).values(auditRow(actor, action, projectId, target, detail, at));
}

/**
 * The same row, written only if the statement just before it in the batch changed a row
 * (SQLite's `changes()`): a guarded update that lost a race leaves no trace of a change that
 * did not happen.
 */
export function auditEntryIfChanged(
  db: Database,
  actor: AuthUser,
  action: AuditAction,
  projectId: string,
  detail: Record<string, unknown>,
  at: Date,
) {
  const values = auditColumns.values(auditRow(actor, action, projectId, null, detail, at)).map((v) => sql`${v}`);
  return db.insert(auditEvents).select(sql`SELECT ${sql.join(values, sql`, `)} WHERE changes() = 1`);
}

export async function listAudit(
  db: Database,
  projectId: string,
  actor: AuthUser,
  req: PageRequest,
): Promise<{ items: AuditEvent[]; nextCursor: string | null }> {
  await projectFor(db, projectId, actor);
  const after = req.cursor ? decodeCursor(req.cursor, ["number", "string"] as const) : null;
  const rows = await db
    .select()
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.projectId, projectId),
        after ? or(lt(auditEvents.at, new Date(after[0])), and(eq(auditEvents.at, new Date(after[0])), lt(auditEvents.id, after[1]))) : undefined,
      ),
    )
    .orderBy(desc(auditEvents.at), desc(auditEvents.id))
    .limit(req.limit + 1);
  const result = page(rows, req.limit, (r) => [r.at.getTime(), r.id]);
  return {
    nextCursor: result.nextCursor,
    items: result.items.map((r) => ({ ...r, at: r.at.toISOString() })),
  };
}
