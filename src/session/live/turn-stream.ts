/** POST /messages as SSE: the frames of one turn while it runs, then `done` with the REST body (or the `error`), then the end. */
import type { AuthUser } from "../../http/user";
import type { Turn } from "../storage/tables";
import { finished, forCaller } from "../turns/outcome";
import type { TurnOrigin } from "../turns/turn-event";
import type { Turns } from "../turns/turns";
import type { Connections } from "./connections";

export interface TurnStreamParts {
  hub: Connections;
  turns: Turns;
  /** The seq of the newest logged message: the SSE id of frames that are not messages. */
  lastSeq: () => number;
}

export function streamTurn(p: TurnStreamParts, turn: Turn, user: AuthUser, origin: TurnOrigin = { channel: "sse" }): ReadableStream<Uint8Array> {
  const sink = p.hub.openTurnSink(turn.id, user.role);
  // A finished turn is answered from the log; a running one's frames reach the sink as they are published.
  if (finished(turn)) p.turns.replay(turn, (frame) => sink.send(frame, frame.type === "message" ? frame.seq : p.lastSeq()));
  void p.turns.outcomeOf(turn, origin).then(
    (outcome) => {
      if (outcome.ok) sink.send({ type: "done", ...forCaller(outcome.result, user) }, p.lastSeq());
      sink.close();
    },
    () => sink.close(),
  );
  return sink.readable;
}
