/**
 * The turns of a session: the queue they wait in, the runner that runs them,
 * and what a finished one answered (from the log). Every entry point (REST,
 * SSE, WebSocket, the alarm) reaches turns through here.
 */
import type { ServerFrame } from "../protocol";
import { errorFrame } from "../live/frames";
import type { Turn } from "../storage/tables";
import { finished, storedOutcome, type Outcome } from "./outcome";
import { TurnQueue } from "./queue";
import { TurnRunner, type RunnerParts } from "./runner";
import { RECOVERED, type TurnOrigin } from "./turn-event";
import { log } from "../../log";

export class Turns {
  private readonly queue: TurnQueue<Outcome>;
  private readonly runner: TurnRunner;
  /** Turns an interruption left behind are picked up once per activation. */
  private drained = false;

  constructor(private readonly p: RunnerParts) {
    this.queue = new TurnQueue<Outcome>(p.schedule);
    this.runner = new TurnRunner(p);
  }

  /** A turn is queued or running here. */
  get busy(): boolean {
    return this.queue.size > 0 || this.runner.current !== null;
  }

  /** Erase: the running model call ends now. */
  abort(): void {
    this.runner.abort();
  }

  /** Resolves once every turn queued so far has ended. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** The opening turn of a new session: nothing is left to drain behind it. */
  open(turnId: number, origin: TurnOrigin = { channel: "rest" }): Promise<Outcome> {
    this.drained = true;
    return this.run(turnId, origin);
  }

  /** The outcome of a turn: from the log when it finished, else by running it (or joining its run); `origin` is what its event names. */
  outcomeOf(turn: Turn, origin: TurnOrigin = RECOVERED): Promise<Outcome> {
    if (finished(turn)) return Promise.resolve(this.stored(turn));
    return this.queue.joined(turn.id) ?? this.run(turn.id, origin, turn);
  }

  /** Runs every turn an interruption left behind, once per activation, in arrival order. */
  drain(): Promise<unknown> {
    const s = this.p.loader.current;
    if (this.drained || !s) return Promise.resolve();
    this.drained = true;
    const recovered = this.p.store.unfinishedTurns().filter((t) => !this.queue.joined(t.id));
    if (recovered.length) log({ level: "info", msg: "resuming interrupted turns", sessionId: s.meta.sessionId, turns: recovered.length });
    return Promise.all(recovered.map((t) => this.run(t.id)));
  }

  /** A finished turn's frames again, from the log: its messages, or its error. */
  replay(turn: Turn, send: (frame: ServerFrame) => void): void {
    const outcome = this.stored(turn);
    if (!outcome.ok) {
      send(errorFrame(outcome.problem));
      return;
    }
    for (const m of [outcome.result.userMessage, ...outcome.result.messages]) if (m) send({ type: "message", ...m });
  }

  private stored(turn: Turn): Outcome {
    return storedOutcome(this.p.store, turn, this.p.loader.current?.meta.debug ?? false);
  }

  private run(turnId: number, origin: TurnOrigin = RECOVERED, accepted?: Turn): Promise<Outcome> {
    // Behind another turn, the row is read again when this one's time comes: the one ahead may have changed the session.
    const fresh = this.queue.size === 0 && this.runner.current === null ? accepted : undefined;
    return this.queue.enqueue(turnId, (id) => this.runner.execute(id, origin, fresh));
  }
}
