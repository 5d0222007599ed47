import { and, desc, eq, lt, or } from "drizzle-orm";
import type { AuthUser } from "../../http/auth";
import type { Database } from "../db";
import { auditEvents } from "../schema";
import { projectFor } from "./access";
import { decodeCursor, page } from "./cursor";
import type { AuditEvent, PageRequest } from "./models";

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
  | "version.rollback";

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
  return db.insert(auditEvents).values({
    id: crypto.randomUUID(),
    at,
    actorId: actor.id,
    actorRole: actor.role,
    action,
    projectId,
    target,
    detail,
  });
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
        after
          ? or(lt(auditEvents.at, new Date(after[0])), and(eq(auditEvents.at, new Date(after[0])), lt(auditEvents.id, after[1])))
          : undefined,
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
