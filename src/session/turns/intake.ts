/**
 * Accepting a turn: its row is written at once (queued), before anything is
 * awaited, so from here the input is never lost. A repeated clientMessageId
 * finds the turn it already has instead.
 */
import { DomainError } from "../../errors";
import { assertOpen } from "../load/access";
import type { SendRequest } from "../requests";
import type { Meta } from "../storage/meta";
import type { SessionStorage, Turn } from "../storage/tables";

export function accept(store: SessionStorage, meta: Meta, req: Pick<SendRequest, "content" | "clientMessageId">): Turn {
  const cmid = req.clientMessageId ?? null;
  if (cmid) {
    const existing = store.turnByClientId(cmid);
    if (existing) return repeat(store, meta, existing, req.content);
  }
  assertOpen(meta);
  const now = Date.now();
  const id = store.insertTurn({ clientMessageId: cmid, input: req.content, userSeq: null, status: "queued", createdAt: now });
  return { id, clientMessageId: cmid, input: req.content, userSeq: null, status: "queued", result: null, error: null, createdAt: now };
}

/** The same words again get the same turn; a retryable failure of the newest turn runs once more on its logged message. */
function repeat(store: SessionStorage, meta: Meta, turn: Turn, content: string): Turn {
  const said = turn.input ?? (turn.userSeq === null ? null : store.message(turn.userSeq)?.content);
  if (said !== content) {
    throw new DomainError("CLIENT_MESSAGE_ID_REUSED", "This clientMessageId was sent before with other content; use a new id for a new message.");
  }
  if (turn.status !== "failed" || !turn.error?.retryable || turn.userSeq === null) return turn;
  if (turn.id !== store.lastTurnId()) {
    throw new DomainError("TURN_SUPERSEDED", "Later turns ran since this one failed; send it again with a new clientMessageId.");
  }
  assertOpen(meta);
  store.retryTurn(turn.id);
  return { ...turn, status: "running", error: null };
}
