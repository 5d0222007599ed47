/** Stored rows → the shapes the API answers with (schemas.ts). */
import { flatVariables, variableScopes, type SessionState } from "../engine";
import type { SessionInfo, SessionMessage, SessionVariables } from "./schemas";
import type { Meta, StoredMessage } from "./storage";

export const iso = (ms: number) => new Date(ms).toISOString();

export function messageView(m: StoredMessage): SessionMessage {
  return {
    seq: m.seq,
    id: m.id,
    role: m.role,
    content: m.content,
    actionId: m.actionId,
    clientMessageId: m.clientMessageId,
    createdAt: iso(m.createdAt),
    metadata: m.metadata,
  };
}

export function infoView(meta: Meta, state: SessionState, lastSeq: number): SessionInfo {
  return {
    sessionId: meta.sessionId,
    userId: meta.userId,
    projectId: meta.projectId,
    versionId: meta.versionId,
    versionNumber: meta.versionNumber,
    scriptPath: meta.scriptPath,
    scriptId: meta.scriptId,
    scriptHash: meta.scriptHash,
    debug: meta.debug,
    status: meta.status,
    executionStatus: meta.executionStatus,
    position: state.position,
    lastSeq,
    createdAt: iso(meta.createdAt),
    updatedAt: iso(meta.updatedAt),
    lastActivityAt: iso(meta.lastActivityAt),
    completedAt: meta.completedAt === null ? null : iso(meta.completedAt),
  };
}

export function variablesView(state: SessionState): SessionVariables {
  return { variables: flatVariables(state), scopes: variableScopes(state) };
}
