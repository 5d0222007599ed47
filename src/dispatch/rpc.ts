/** The Dispatch object's RPC surface, typed apart from its class so config.ts does not import the object (as session/rpc.ts). */
import type { Alert, QueueEntry, QueueItem } from "./schemas";

export interface DispatchRpc extends Rpc.DurableObjectBranded {
  /** A session's entry, new or changed; `alert` is stored and sent once per event id. */
  put(item: QueueItem, alert: Alert | null): Promise<void>;
  /** The session left the queue (handed back, ended, erased). */
  remove(sessionId: string): Promise<void>;
  /** Newest first. */
  list(): Promise<QueueEntry[]>;
  /** The live feed's WebSocket upgrade (the Worker verified the caller). */
  fetch(request: Request): Promise<Response>;
}

/** The one queue of the deployment (README "Counselors": why one object). */
export const DISPATCH_NAME = "counselor-queue";

/** The feed upgrade's header: when the console's token expires (ms); the Worker sets it, a client's copy never reaches the object. */
export const FEED_CALLER_HEADER = "x-heartrule-feed-expires";
