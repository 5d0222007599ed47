/** DELETE of a session reaches D1 and the cache: its rows go, and an inline script's cached copy unless another session shares it. */
import { DomainError } from "../../errors";
import { scriptKey } from "../../authoring/cache";
import { eraseMirror } from "../../store/sessions/mirror";
import type { CountedBindings } from "../instrumentation";
import type { Loaded } from "../load/loader";
import type { Mirror } from "./outbox";
import { log } from "../../log";

/** Erases the session's copies outside the actor; when D1 fails, the alarm retries and the caller gets a 503 to retry too. */
export async function eraseCopies(io: CountedBindings, s: Loaded, mirror: Pick<Mirror, "failed">): Promise<void> {
  const { sessionId, scriptHash, projectId } = s.meta;
  const inline = projectId === null;
  try {
    const { scriptShared } = await eraseMirror(io.DB, sessionId, scriptHash, inline);
    if (inline && !scriptShared) await io.CACHE.delete(scriptKey(scriptHash));
  } catch (err) {
    mirror.failed(s);
    log({ level: "warn", msg: "session erase incomplete", sessionId, error: err instanceof Error ? err.name : "unknown" });
    throw new DomainError(
      "SERVICE_UNAVAILABLE",
      "The session is deleted here but its copy in the database is not gone yet; it will be removed automatically. Retry to confirm.",
    );
  }
}
