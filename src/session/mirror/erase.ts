/**
 * DELETE of a session reaches D1 and KV: its rows go (with an audit row that
 * says who erased it and why, never what it held), an inline script's cached
 * copy unless another session shares it, and its entry in the session directory.
 */
import { DomainError } from "../../errors";
import { scriptKey } from "../../authoring/cache";
import { removeSession } from "../../store/sessions/directory";
import { eraseMirror, erasureMarker } from "../../store/sessions/mirror";
import type { CountedBindings } from "../instrumentation";
import type { Loaded } from "../load/loader";
import type { Erasure } from "../storage/meta";
import type { Mirror } from "./outbox";
import { log } from "../../log";

/** The audit row of an erasure: ids, the reason and how many messages went; its id is the session's erasure marker, so a retried erase writes it once and no later mirror write passes it. */
export function erasureAudit(s: Loaded, erasure: Erasure) {
  return {
    id: erasureMarker(s.meta.sessionId),
    at: new Date(erasure.at),
    actorId: erasure.actorId,
    actorRole: erasure.actorRole,
    action: "session.erase",
    projectId: s.meta.projectId,
    target: s.meta.sessionId,
    detail: { reason: erasure.reason, messages: s.lastSeq },
  };
}

/** Erases the session's copies outside the actor; when D1 fails, the alarm retries and the caller gets a 503 to retry too. */
export async function eraseCopies(io: CountedBindings, s: Loaded, mirror: Pick<Mirror, "failed">): Promise<void> {
  const { sessionId, scriptHash, projectId, userId } = s.meta;
  const inline = projectId === null;
  // An erasure the previous release accepted kept no reason: a DELETE, by someone it no longer knows.
  const erasure = s.meta.erasure ?? { reason: "request", actorId: userId, actorRole: "unknown", at: Date.now() };
  try {
    const { scriptShared } = await eraseMirror(io.DB, sessionId, scriptHash, inline, erasureAudit(s, erasure));
    if (inline && !scriptShared) await io.CACHE.delete(scriptKey(scriptHash));
    await removeSession(io.CACHE, { userId, sessionId });
  } catch (err) {
    mirror.failed(s);
    log({ level: "warn", msg: "session erase incomplete", sessionId, error: err instanceof Error ? err.name : "unknown" });
    throw new DomainError(
      "SERVICE_UNAVAILABLE",
      "The session is deleted here but its copy in the database is not gone yet; it will be removed automatically. Retry to confirm.",
    );
  }
}
