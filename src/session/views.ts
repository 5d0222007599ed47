/** Stored rows → the shapes the API answers with (schemas.ts). */
import { flatVariables, variableScopes, type Position, type SessionState } from "../engine";
import type { sessions } from "../store/schema";
import { metaFromRow } from "./mirror/rows";
import type { SafetyRecordView, SessionInfo, SessionMessage, SessionSummary, SessionVariables } from "./schemas";
import { described, type Meta } from "./storage/meta";
import type { SafetyRecord, StoredMessage } from "./storage/tables";

export const iso = (ms: number) => new Date(ms).toISOString();

export function messageView({ turnId: _t, createdAt, ...m }: StoredMessage): SessionMessage {
  return { ...m, createdAt: iso(createdAt) };
}

export function infoView(meta: Meta, position: Position, lastSeq: number): SessionInfo {
  const { templateHashes: _t, createdAt, updatedAt, lastActivityAt, completedAt, riskRaisedAt, ...same } = described(meta);
  return {
    ...same,
    position,
    lastSeq,
    createdAt: iso(createdAt),
    updatedAt: iso(updatedAt),
    lastActivityAt: iso(lastActivityAt),
    completedAt: completedAt === null ? null : iso(completedAt),
    riskRaisedAt: riskRaisedAt === null ? null : iso(riskRaisedAt),
  };
}

export function safetyRecordView({ id: _id, turnId, createdAt, ...same }: SafetyRecord): SafetyRecordView {
  return { ...same, turn: turnId, createdAt: iso(createdAt) };
}

/** A D1 row in the list of sessions. */
export function summaryView(row: typeof sessions.$inferSelect): SessionSummary {
  const { position: _p, ...summary } = infoView(metaFromRow(row), row.position, row.lastSeq);
  return summary;
}

export function variablesView(state: SessionState): SessionVariables {
  return { variables: flatVariables(state), scopes: variableScopes(state) };
}
