/** What the Worker sends the session actor (RPC arguments), kept apart from the actor so route modules need no Worker-only import. */
import type { SessionScript, VariableMap } from "../engine";
import type { AuthUser } from "../http/user";
import type { DataPolicy } from "../authoring/plan";

/** Who is calling and about which session; the Worker verified the user's token. */
export interface Caller {
  sessionId: string;
  user: AuthUser;
  /** The Worker's X-Request-Id, so the turn's event can be joined with the request's log line. */
  requestId?: string | undefined;
}

/** The name the project's crisis protocol is pinned under among the session's texts (no template has it; load/crisis.ts). */
export const CRISIS_TEXT = "crisis";

/**
 * The names the project's technique files are pinned under among the session's texts: `technique:<path>` (no
 * template name has a colon). The compiled script carries the techniques already; a rebuild compiles it again from them.
 */
export const TECHNIQUE_TEXT = (path: string) => `technique:${path}`;

/** What a new session runs, as source.ts resolved it; the actor pins all of it. */
export interface PinnedSource {
  yaml: string;
  /** SHA-256 of the YAML: the script's content address (KV `script:<hash>`, D1 `blobs`). */
  contentHash: string;
  script: SessionScript;
  /** Prompt-template overrides by engine template name, and the project's crisis protocol under `crisis` (load/crisis.ts). */
  templates: Record<string, string>;
  /** Template name (or `crisis`) → SHA-256 of its text. */
  templateHashes: Record<string, string>;
  globals: Record<string, unknown>;
  projectId: string | null;
  versionId: string | null;
  versionNumber: string | null;
  path: string | null;
  /** The project's retention (pinned with the session) and where its Durable Object is placed. */
  policy: DataPolicy;
}

export interface CreateRequest extends Caller {
  source: PinnedSource;
  initialVariables: VariableMap;
  debug: boolean;
  /** The client is a minor: the engine reminds them every 3 hours that they are talking with an AI. Absent: not a minor. */
  minor?: boolean;
}

export interface SendRequest extends Caller {
  content: string;
  clientMessageId?: string | undefined;
}

/** The caller of a WebSocket upgrade, with its token's `exp` (ms since the epoch; null: none): the socket is closed then. */
export interface SocketCaller extends Caller {
  tokenExpiresAt: number | null;
}

/** Internal header of the WebSocket upgrade (a SocketCaller); the Worker strips any copy a client sent. */
export const CALLER_HEADER = "x-heartrule-caller";
