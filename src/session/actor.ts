import { DurableObject } from "cloudflare:workers";
import type { Env } from "../config";

/**
 * One instance per chat session: holds the execution state and the session's
 * WebSockets. The turn protocol arrives with the session-actor issue; for now
 * it answers the readiness round trip.
 */
export class SessionActor extends DurableObject<Env> {
  async ping(): Promise<"pong"> {
    return "pong";
  }
}
