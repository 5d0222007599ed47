/** A new session's first rows: its meta, the engine's start state and the pinned script, from what the Worker resolved; and their writing. */
import { start, type SessionState, type VariableMap } from "../../engine";
import type { Mirror } from "../mirror/outbox";
import type { CreateRequest } from "../requests";
import { created, type Meta } from "../storage/meta";
import type { PinnedScript, SessionStorage } from "../storage/tables";
import { enterSession } from "../../store/sessions/directory";
import { log } from "../../log";

export interface Opening {
  meta: Meta;
  state: SessionState;
  pinned: PinnedScript;
}

export function opening(req: CreateRequest, now: number): Opening {
  const { source, user, sessionId, debug } = req;
  return {
    meta: created(
      {
        sessionId,
        userId: user.id,
        projectId: source.projectId,
        versionId: source.versionId,
        versionNumber: source.versionNumber,
        scriptPath: source.path,
        scriptId: source.script.session.session_id,
        scriptHash: source.contentHash,
        templateHashes: source.templateHashes,
        debug,
        retentionDays: source.policy.retentionDays,
      },
      now,
    ),
    state: start(source.script, { variables: req.initialVariables, globals: source.globals as VariableMap, minor: req.minor, now: () => now }),
    pinned: { hash: source.contentHash, yaml: source.yaml, script: source.script, templates: source.templates },
  };
}

/** Creates the tables and writes the opening rows in one commit, with the opening turn already running; returns that turn's id. */
export function storeOpening(store: SessionStorage, mirror: Pick<Mirror, "commit">, { meta, state, pinned }: Opening): number {
  store.ensureSchema();
  return mirror.commit(() => {
    store.insertScript(pinned);
    store.insertMeta(meta, state);
    return store.insertTurn({ clientMessageId: null, input: null, userSeq: null, status: "running", createdAt: meta.createdAt });
  });
}

/** Enters the new session in the session directory (KV); false when KV refused: the session runs all the same, and reconcile enters it again. */
export async function enterDirectory(kv: KVNamespace, meta: Meta): Promise<boolean> {
  try {
    await enterSession(kv, meta);
    return true;
  } catch (err) {
    log({ level: "warn", msg: "session directory write failed", sessionId: meta.sessionId, error: err instanceof Error ? err.name : "unknown" });
    return false;
  }
}
