/** A new session's first rows: its meta, the engine's start state and the pinned script, from what the Worker resolved. */
import { start, type SessionState, type VariableMap } from "../../engine";
import type { CreateRequest } from "../requests";
import { created, type Meta } from "../storage/meta";
import type { PinnedScript } from "../storage/tables";

export function opening(req: CreateRequest, now: number): { meta: Meta; state: SessionState; pinned: PinnedScript } {
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
      },
      now,
    ),
    state: start(source.script, { variables: req.initialVariables, globals: source.globals as VariableMap }),
    pinned: { hash: source.contentHash, yaml: source.yaml, script: source.script, templates: source.templates },
  };
}
