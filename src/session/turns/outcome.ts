/** What a turn ends with, as the caller sees it: a result, or a problem; rebuilt from the log for a finished turn. */
import type { StepError } from "../../engine";
import type { AuthUser } from "../../http/user";
import { seesDebug } from "../live/connections";
import type { ProblemInit } from "../result";
import type { TurnDebug, TurnResult } from "../schemas";
import type { SessionStorage, StoredError, StoredMessage, StoredResult, Turn } from "../storage/tables";
import { messageView } from "../views";
import { statusOf } from "../../errors";

export type Outcome = { ok: true; result: TurnResult } | { ok: false; problem: ProblemInit };

export function stepProblem(error: StepError): StoredError {
  return { status: statusOf(error.code), code: error.code, detail: error.message, retryable: error.retryable };
}

export function storedProblem(e: StoredError, clientMessageId: string | null): ProblemInit {
  return { status: e.status, code: e.code, detail: e.detail, extra: { retryable: e.retryable, clientMessageId } };
}

export function resultView(
  r: StoredResult,
  messages: TurnResult["messages"],
  userMessage: StoredMessage | null,
  debug: TurnDebug | undefined | null,
): TurnResult {
  return {
    messages,
    userMessage: userMessage ? messageView(userMessage) : null,
    status: r.status,
    sessionStatus: r.sessionStatus,
    position: r.position,
    variables: r.variables,
    safety: r.safety,
    ...(debug ? { debug } : {}),
  };
}

/** A finished turn's outcome, rebuilt from the log: what a repeated clientMessageId gets. */
export function storedOutcome(store: SessionStorage, turn: Turn, debugSession: boolean): Outcome {
  if (turn.status === "failed" || !turn.result) {
    const error = turn.error ?? { status: 500, code: "INTERNAL_ERROR", detail: "The turn did not finish.", retryable: true };
    return { ok: false, problem: storedProblem(error, turn.clientMessageId) };
  }
  const r = turn.result;
  const messages = store.messages(r.aiFrom - 1, r.aiTo).map(messageView);
  const userMessage = turn.userSeq === null ? null : store.message(turn.userSeq);
  const debug = debugSession ? store.debugFor(turn.id) : null;
  return { ok: true, result: resultView(r, messages, userMessage, debug) };
}

/** Debug traces only for authors and admins. */
export function forCaller(result: TurnResult, user: AuthUser): TurnResult {
  if (!result.debug || seesDebug(user.role)) return result;
  const { debug: _hidden, ...rest } = result;
  return rest;
}

export const finished = (turn: Turn) => turn.status === "done" || turn.status === "failed";
