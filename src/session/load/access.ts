/** Who may do what with a session, and whether it still takes input. */
import { canManage, type ProjectRow } from "../../authoring/access";
import type { AuthUser } from "../../http/user";
import { DomainError } from "../../errors";
import { sessionNotFound } from "../result";
import { atLeast, type Meta } from "../storage/meta";

export type Access = "read" | "write" | "delete";

/** What a reader's right depends on beyond the session itself, looked up only when the caller is not its client. */
export interface Readers {
  /** The project the session runs (null when it is gone). */
  project: (projectId: string) => Promise<Pick<ProjectRow, "ownerId"> | null>;
  /** The session is, or was, in the counselors' queue (handoff/). */
  queued: () => boolean;
}

/**
 * Only the session's client speaks in it; the client or an admin deletes it. Anyone who may not read it gets
 * 404, exactly as for a missing session, so ids do not reveal that a session exists; readers get 403 for more.
 */
export async function authorize(meta: Meta, user: AuthUser, access: Access, readers: Readers): Promise<void> {
  if (meta.userId === user.id) return;
  if (!(await mayRead(meta, user, readers))) throw sessionNotFound();
  if (access === "read") return;
  if (access === "delete" && user.role === "admin") return;
  throw new DomainError(
    "FORBIDDEN",
    access === "write" ? "Only the session's owner can speak in it." : "Only the session's owner or an admin can delete it.",
  );
}

/**
 * Who reads (and exports and watches) a session besides its client: admins, the authors of the project it
 * runs (those who may manage the project), and counselors once a safety flag raised it (risk `low` or above) or
 * it was queued for a counselor (the client asked, or the script did).
 * An inline session (an author's debug run) belongs to no project: only the author who ran it, its client,
 * reads it.
 */
async function mayRead(meta: Meta, user: AuthUser, readers: Readers): Promise<boolean> {
  switch (user.role) {
    case "admin":
      return true;
    case "author": {
      const project = meta.projectId === null ? null : await readers.project(meta.projectId);
      return project !== null && canManage(project, user);
    }
    case "counselor":
      return atLeast(meta.riskLevel, "low") || readers.queued();
    default:
      return false;
  }
}

export function assertOpen(meta: Meta): void {
  if (meta.status === "completed") throw new DomainError("SESSION_COMPLETED", "The session's script has ended; start a new session to talk again.");
  if (meta.status === "archived")
    throw new DomainError("SESSION_ARCHIVED", "The session was archived after a long pause; start a new session to talk again.");
}
