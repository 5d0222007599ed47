/** Where a test session comes from: no project, an inline script, not a debug session. */
import type { Erasure, MetaOrigin } from "../../../src/session/storage/meta";

export const origin: MetaOrigin = {
  sessionId: "s",
  userId: "u",
  projectId: null,
  versionId: null,
  versionNumber: null,
  scriptPath: null,
  scriptId: "x",
  scriptHash: "h",
  templateHashes: {},
  debug: false,
  retentionDays: null,
};

/** An erasure the session's owner asked for. */
export const byOwner: Erasure = { reason: "request", actorId: "u", actorRole: "client", at: 0 };
