import type { SessionSummary } from "../../session/schemas";
import type { sessions } from "../schema";

export function summaryView(row: typeof sessions.$inferSelect): SessionSummary {
  return {
    sessionId: row.id,
    userId: row.userId,
    projectId: row.projectId,
    versionId: row.versionId,
    versionNumber: row.versionNumber,
    scriptPath: row.scriptPath,
    scriptId: row.scriptId,
    scriptHash: row.scriptHash,
    debug: row.debug,
    status: row.status,
    executionStatus: row.executionStatus,
    lastSeq: row.lastSeq,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    lastActivityAt: row.lastActivityAt.toISOString(),
    completedAt: row.completedAt ? row.completedAt.toISOString() : null,
  };
}
