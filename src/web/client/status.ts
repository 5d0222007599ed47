/**
 * The one status a chat client shows, derived from the connection, the
 * session's last reported state and what is still in flight. Pure, so the
 * page and the terminal agree on it.
 */

export type ChatStatus = "connecting" | "thinking" | "waiting" | "completed" | "error";

/** The session's own run state as the server reports it, folded to what a client distinguishes. */
export type SessionRunState = "running" | "waiting" | "completed" | "error" | "unknown";

export function sessionRunState(status: string): SessionRunState {
  switch (status) {
    case "waiting_input":
    case "waiting":
      return "waiting";
    case "completed":
      return "completed";
    case "error":
      return "error";
    case "running":
    case "thinking":
    case "processing":
      return "running";
    default:
      return "unknown";
  }
}

export interface StatusInputs {
  connected: boolean;
  /** The server said it has messages this client has not received yet (a resume is replaying them). */
  catchingUp?: boolean;
  run: SessionRunState;
  /** User messages sent and not yet answered, or AI text still streaming. */
  inFlight: boolean;
  /** A turn or the connection failed and waits for Retry. */
  failed: boolean;
}

export function deriveStatus({ connected, catchingUp = false, run, inFlight, failed }: StatusInputs): ChatStatus {
  if (catchingUp) return "connecting";
  if (run === "completed") return "completed";
  if (failed || run === "error") return "error";
  if (!connected) return "connecting";
  if (inFlight || run === "running" || run === "unknown") return "thinking";
  return "waiting";
}
