/**
 * The audit trail of counselors in sessions: who joined, took over, handed back or ended which
 * session, and when a wait timed out. Rows of the one `audit_events` table, with the session as
 * `target` and no project (so a project's authors do not read counselors' movements in its
 * trail). Never anything that was said.
 */
import type { AuthUser } from "../../http/user";
import { database } from "../../store/db";
import { auditEvents } from "../../store/schema";
import { log } from "../../log";

export type CounselorAction = "counselor.join" | "counselor.take_over" | "counselor.hand_back" | "counselor.end" | "counselor.timeout";

/** The system's own entries (a timeout) carry this actor. */
export const SYSTEM_ACTOR: AuthUser = { id: "system", role: "admin" };

/** Writes one event; a D1 failure is logged (ids only) and does not undo what the counselor did. */
export async function audit(
  db: D1Database,
  actor: AuthUser,
  action: CounselorAction,
  sessionId: string,
  detail: Record<string, string | null> = {},
): Promise<void> {
  try {
    await database(db).insert(auditEvents).values({
      id: crypto.randomUUID(),
      at: new Date(),
      actorId: actor.id,
      actorRole: actor.role,
      action,
      projectId: null,
      target: sessionId,
      detail,
    });
  } catch (err) {
    log({ level: "error", msg: "counselor audit failed", sessionId, code: action, error: err instanceof Error ? err.name : "unknown" });
  }
}
