/** Who may do what with a session, and whether it still takes input. */
import type { AuthUser } from "../../http/user";
import { DomainError } from "../../errors";
import { sessionNotFound } from "../result";
import { atLeast, type Meta } from "../storage/meta";

export type Access = "read" | "write" | "delete";

/**
 * Clients reach only their own sessions; counselors read the others' only once a safety flag raised them
 * (risk `low` or above); authors and admins read any; only the owner speaks; the owner or an admin deletes.
 */
export function authorize(meta: Meta, user: AuthUser, access: Access): void {
  if (meta.userId === user.id) return;
  if (user.role === "client") throw sessionNotFound();
  if (user.role === "counselor" && !atLeast(meta.riskLevel, "low")) throw sessionNotFound();
  if (access === "read") return;
  if (access === "delete" && user.role === "admin") return;
  throw new DomainError(
    "FORBIDDEN",
    access === "write" ? "Only the session's owner can speak in it." : "Only the session's owner or an admin can delete it.",
  );
}

export function assertOpen(meta: Meta): void {
  if (meta.status === "completed") throw new DomainError("SESSION_COMPLETED", "The session's script has ended; start a new session to talk again.");
  if (meta.status === "archived")
    throw new DomainError("SESSION_ARCHIVED", "The session was archived after a long pause; start a new session to talk again.");
}
