/** DELETE of a session reaches D1 and the cache: its rows go, and an inline script's cached copy unless another session shares it. */
import { scriptKey } from "../../store/projects/cache";
import { eraseMirror } from "../../store/sessions/mirror";
import type { CountedBindings } from "../instrumentation";
import type { Meta } from "../storage/meta";

export async function eraseMirrorCopy(io: CountedBindings, meta: Pick<Meta, "sessionId" | "scriptHash" | "projectId">): Promise<void> {
  const inline = meta.projectId === null;
  const { scriptShared } = await eraseMirror(io.DB, meta.sessionId, meta.scriptHash, inline);
  if (inline && !scriptShared) await io.CACHE.delete(scriptKey(meta.scriptHash));
}
