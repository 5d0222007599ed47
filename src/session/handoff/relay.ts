/** POST /messages as SSE while a counselor holds the session: no turn runs, so the stream is the one `done` event (the message reached every listener). */
import type { AuthUser } from "../../http/user";
import { SSE_RETRY, sseEvent } from "../protocol";
import { toProblemError } from "../result";
import { forCaller, type Outcome } from "../turns/outcome";

export function relayedStream(outcome: Outcome, user: AuthUser): ReadableStream<Uint8Array> {
  if (!outcome.ok) throw toProblemError(outcome.problem);
  const result = forCaller(outcome.result, user);
  const id = result.userMessage?.seq ?? 0;
  return new Blob([SSE_RETRY, sseEvent({ type: "done", ...result }, id)]).stream();
}
