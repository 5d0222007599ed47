/** What the D1 mirror receives after a turn: the session row as it is now, the new messages, the logged variable changes. */
import { flatVariables, type SessionState } from "../engine";
import type { MirrorBatch } from "../store/sessions/mirror";
import type { Meta, OutboxEntry, PinnedScript, StoredMessage } from "./storage";

export interface MirrorInput {
  meta: Meta;
  state: SessionState;
  pinned: PinnedScript;
  lastSeq: number;
  lastTurn: number;
  /** Messages D1 has not received yet. */
  log: StoredMessage[];
  outbox: OutboxEntry[];
}

export function mirrorBatch({ meta, state, pinned, lastSeq, lastTurn, log, outbox }: MirrorInput): MirrorBatch {
  const sessionId = meta.sessionId;
  // The texts go with the first batches only (INSERT OR IGNORE makes a repeat harmless).
  const blobs =
    meta.mirroredSeq === 0
      ? [{ hash: pinned.hash, content: pinned.yaml }, ...Object.entries(meta.templateHashes).flatMap(([name, hash]) => (pinned.templates[name] === undefined ? [] : [{ hash, content: pinned.templates[name]! }]))]
      : [];
  return {
    blobs,
    session: {
      id: sessionId,
      userId: meta.userId,
      projectId: meta.projectId,
      versionId: meta.versionId,
      versionNumber: meta.versionNumber,
      scriptPath: meta.scriptPath,
      scriptId: meta.scriptId,
      scriptHash: meta.scriptHash,
      templates: meta.templateHashes,
      debug: meta.debug,
      status: meta.status,
      executionStatus: meta.executionStatus,
      position: state.position,
      variables: flatVariables(state),
      state,
      lastSeq,
      lastTurn,
      createdAt: new Date(meta.createdAt),
      updatedAt: new Date(meta.updatedAt),
      lastActivityAt: new Date(meta.lastActivityAt),
      completedAt: meta.completedAt === null ? null : new Date(meta.completedAt),
    },
    messages: log.map((m) => ({
      sessionId,
      seq: m.seq,
      id: m.id,
      role: m.role,
      content: m.content,
      actionId: m.actionId,
      clientMessageId: m.clientMessageId,
      metadata: m.metadata,
      createdAt: new Date(m.createdAt),
    })),
    changes: outbox.flatMap((entry) =>
      entry.turnId === null
        ? []
        : entry.changes.map((c, idx) => ({
            sessionId,
            turn: entry.turnId!,
            idx,
            actionId: c.actionId,
            name: c.name,
            scope: c.scope,
            value: c.value ?? null,
            previous: c.previous ?? null,
            createdAt: new Date(entry.createdAt),
          })),
    ),
  };
}
