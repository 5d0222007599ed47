/**
 * Where a script picks up after a human counselor held the session: what was
 * said meanwhile joins the history the prompts read (the counselor's lines as
 * the counselor's side), and the script goes on at its own position, or at the
 * start of a topic the counselor chose (the crisis protocol, if it was running,
 * is then left: the counselor judged the client ready to move on).
 */
import { maxRoundsOf } from "../actions";
import type { SessionScript } from "../script/schema";
import { compile, positionAt } from "./program";
import { HISTORY_LIMIT, type HistoryEntry, type SessionState } from "./state";

export class UnknownTopicError extends Error {
  constructor(readonly topicId: string) {
    super(`the script has no topic "${topicId}"`);
    this.name = "UnknownTopicError";
  }
}

/** The topics a counselor may hand back to, in script order. */
export function topicIds(script: SessionScript): string[] {
  return script.session.phases.flatMap((p) => p.topics.map((t) => t.topic_id));
}

export function resumeAfterHandoff(script: SessionScript, state: SessionState, said: HistoryEntry[], topicId?: string): SessionState {
  const history = [...state.history, ...said].slice(-HISTORY_LIMIT);
  if (topicId === undefined) return { ...state, history };
  const first = compile(script).topicStart(topicId);
  if (!first) throw new UnknownTopicError(topicId);
  return {
    ...state,
    history,
    status: "ready",
    position: positionAt(first, 0, maxRoundsOf(first.action)),
    inFlight: null,
    crisis: null,
  };
}
