/** What the Worker sends the session actor (RPC arguments), kept apart from the actor so route modules need no Worker-only import. */
import type { VariableMap } from "../engine";
import type { AuthUser } from "../http/auth";
import type { PinnedSource } from "./source";

/** Who is calling and about which session; the Worker verified the user's token. */
export interface Caller {
  sessionId: string;
  user: AuthUser;
}

export interface CreateRequest extends Caller {
  source: PinnedSource;
  initialVariables: VariableMap;
  debug: boolean;
}

export interface SendRequest extends Caller {
  content: string;
  clientMessageId?: string | undefined;
}

/** Internal header of the WebSocket upgrade; the Worker strips any copy a client sent. */
export const CALLER_HEADER = "x-heartrule-caller";
