/**
 * The D1 mirror: every transaction of the actor goes through `commit()`,
 * which carries the mirror progress with it, and `flush()` sends the outbox
 * in the background (a reply never waits for it): to D1 in one batch, or,
 * with a queue, as one message whose consumer writes many sessions' batches
 * in one D1 batch and confirms with `delivered()`.
 *
 * Outbox entries D1 has received are deleted, and the mirror progress saved,
 * by the next commit the actor makes anyway (the next turn, the alarm): one
 * write less per turn. Lost with the activation, the entries are simply sent
 * again (the upserts are idempotent). A queue send stays in the outbox until
 * it is confirmed; the alarm (`retry()`) writes D1 directly whatever no send
 * covers or a send left unconfirmed past CONFIRM_MS.
 */
import { writeMirror } from "../../store/sessions/mirror";
import type { Loaded } from "../load/loader";
import { mirrored, mirrorFailed } from "../storage/meta";
import type { SessionStorage } from "../storage/tables";
import { messageBytes, QUEUE_MESSAGE_MAX_BYTES, type MirrorMessage, type MirrorQueue } from "./message";
import { mirrorBatch } from "./rows";
import { log } from "../../log";

/** At most this many messages per D1 batch when catching up after an outage. */
export const MIRROR_CHUNK = 200;

/** A queue send the consumer has not confirmed this long after is written to D1 directly by the next alarm. */
export const CONFIRM_MS = 10_000;

type Route = "queue" | "direct";

/** A queue send not yet confirmed, and what its confirmation proves D1 holds. */
interface Sent {
  token: string;
  /** The outbox id the send's entries were read after. */
  after: number;
  /** Its last entry's id when it carried the log up to the end, else null: its entries go again with the next chunk. */
  entriesUpTo: number | null;
  /** The last seq it carried. */
  seq: number;
  at: number;
  confirmed: boolean;
}

export class Mirror {
  /** Outbox entries up to this id reached D1 (0: none known). */
  private deliveredUpTo = 0;
  private unsaved = false;
  private flushing: Promise<void> | null = null;
  private again: Route | null = null;
  /** Queue sends in the order they were made; only a confirmed prefix counts as delivered. */
  private inFlight: Sent[] = [];
  /** Callers of `confirmed()` waiting for the sends in flight. */
  private waiting: (() => void)[] = [];

  constructor(
    private readonly store: SessionStorage,
    private readonly db: D1Database,
    private readonly session: () => Loaded | null,
    /** A failed write is retried by the alarm. */
    private readonly retryLater: () => void,
    /** The mirror queue (MIRROR_VIA_QUEUE); null: every flush writes D1 itself. */
    private readonly queue: MirrorQueue | null = null,
  ) {}

  /** One synchronous transaction: `write`, and whatever mirror progress is not saved yet. Nothing inside may await. */
  commit<T>(write: () => T): T {
    return this.store.transaction(() => {
      this.saveProgress();
      return write();
    });
  }

  /** Saves the mirror progress when there is any (one transaction), else writes nothing. */
  saveIfUnsaved(): void {
    if (this.unsaved) this.commit(() => undefined);
  }

  /** The outbox holds something D1 has not received. */
  pending(): boolean {
    return this.store.hasOutbox(this.deliveredUpTo);
  }

  /** Resolves when no flush is under way. */
  async idle(): Promise<void> {
    await this.flushing;
  }

  /** Resolves once no queue send is waiting for its confirmation, the sends its confirmations set off included, or after `ms` (the alarm takes over from there). */
  async confirmed(ms = CONFIRM_MS): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.inFlight.length && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      await this.idle();
    }
  }

  /** Sends the outbox (through the queue when there is one); on failure the alarm retries with backoff. Never throws. */
  flush(): Promise<void> {
    return this.run(this.queue ? "queue" : "direct");
  }

  /** The alarm's pass: D1 directly, unless a queue send younger than CONFIRM_MS is on its way. Never throws. */
  async retry(): Promise<void> {
    await this.idle();
    if (!this.pending()) return;
    // What came after a young send goes with the next one, once that send is confirmed.
    const oldest = this.inFlight[0];
    if (!oldest || Date.now() - oldest.at >= CONFIRM_MS) await this.run("direct");
  }

  /** The consumer wrote these sends to D1. Tokens of another activation, or of sends a direct write overtook, are ignored. */
  delivered(tokens: readonly string[]): void {
    const s = this.session();
    if (!s || s.meta.erasing) return;
    for (const sent of this.inFlight) if (tokens.includes(sent.token)) sent.confirmed = true;
    let done: Sent | undefined;
    while (this.inFlight[0]?.confirmed) done = this.inFlight.shift();
    if (done) this.reached(s, done.entriesUpTo, done.seq);
    if (this.inFlight.length) return;
    this.nothingInFlight();
    // What the turns added while the send was on its way.
    if (done && this.pending()) void this.flush();
  }

  private nothingInFlight(): void {
    this.inFlight = [];
    for (const wake of this.waiting.splice(0)) wake();
  }

  /** D1 refused a write (of the mirror, or of its erase), or the queue a send: the next attempt is due after the backoff. */
  failed(s: Loaded): number {
    s.meta = mirrorFailed(s.meta, Date.now());
    this.commit(() => this.store.writeMirror(s.meta));
    this.retryLater();
    return s.meta.mirrorAttempts;
  }

  private run(route: Route): Promise<void> {
    if (this.flushing) {
      if (this.again !== "direct") this.again = route;
      return this.flushing;
    }
    this.flushing = (async () => {
      for (let next: Route | null = route; next; next = this.again) {
        this.again = null;
        await this.flushOnce(next);
      }
    })().finally(() => (this.flushing = null));
    return this.flushing;
  }

  private async flushOnce(route: Route): Promise<void> {
    const s = this.session();
    if (!s || s.meta.erasing) return;
    // A queue send goes on from the last one in flight; a direct write covers everything unconfirmed.
    const last = route === "queue" ? this.inFlight.at(-1) : undefined;
    // One send on its way at a time (a long log's catch-up chunks aside): a congested queue gets
    // fewer, fuller messages rather than a growing backlog; the confirmation sends what came meanwhile.
    if (last && last.entriesUpTo !== null) return;
    const after = last ? (last.entriesUpTo ?? last.after) : this.deliveredUpTo;
    const afterSeq = last ? last.seq : s.meta.mirroredSeq;
    const entries = this.store.outbox(after);
    if (!entries.length) return;
    const upTo = entries[entries.length - 1]!.id;
    const messages = this.store.messages(afterSeq, s.lastSeq, MIRROR_CHUNK);
    const turnIds = new Set(entries.flatMap((e) => (e.turnId === null ? [] : [e.turnId])));
    const turns = [...turnIds].flatMap((id) => this.store.turn(id) ?? []);
    const batch = mirrorBatch({ ...s, lastTurn: this.store.lastTurnId(), log: messages, outbox: entries, turns });
    const sent = messages[messages.length - 1]?.seq ?? afterSeq;
    // Entries stay until the log is caught up, so the next pass sends the rest.
    const caughtUp = sent >= s.lastSeq || messages.length < MIRROR_CHUNK;
    if (route === "queue" && this.queue) {
      const message: MirrorMessage = { v: 1, sessionId: s.meta.sessionId, token: crypto.randomUUID(), batch };
      if (messageBytes(message) > QUEUE_MESSAGE_MAX_BYTES) return this.flushOnce("direct");
      try {
        // Structured clone keeps the rows' Dates (the default, JSON, would make them strings).
        await this.queue.send(message, { contentType: "v8" });
      } catch (err) {
        const attempts = this.failed(s);
        log({
          level: "warn",
          msg: "mirror queue send failed",
          sessionId: s.meta.sessionId,
          attempts,
          error: err instanceof Error ? err.name : "unknown",
        });
        return;
      }
      this.inFlight.push({ token: message.token, after, entriesUpTo: caughtUp ? upTo : null, seq: sent, at: Date.now(), confirmed: false });
      if (!caughtUp) this.again ??= "queue";
      return;
    }
    try {
      await writeMirror(this.db, batch);
    } catch (err) {
      const attempts = this.failed(s);
      log({ level: "warn", msg: "d1 mirror failed", sessionId: s.meta.sessionId, attempts, error: err instanceof Error ? err.name : "unknown" });
      return;
    }
    // What the sends in flight carried is in this write too: their confirmations no longer matter.
    this.nothingInFlight();
    this.reached(s, caughtUp ? upTo : null, sent);
    if (!caughtUp) this.again ??= "direct";
  }

  /** D1 holds the log up to `seq` and, unless null, the outbox up to `entriesUpTo`: saved by the next commit. */
  private reached(s: Loaded, entriesUpTo: number | null, seq: number): void {
    if (s.meta.erasing) return;
    s.meta = mirrored(s.meta, Math.max(seq, s.meta.mirroredSeq));
    if (entriesUpTo !== null) this.deliveredUpTo = entriesUpTo;
    this.unsaved = true;
  }

  /** Writes what flushes achieved since the last save; runs inside the commit's transaction. */
  private saveProgress(): void {
    const s = this.session();
    if (!s || !this.unsaved) return;
    if (this.deliveredUpTo) this.store.clearOutbox(this.deliveredUpTo);
    this.store.writeMirror(s.meta);
    // Once deleted, ids may be handed out again: nothing left to skip.
    this.deliveredUpTo = 0;
    this.unsaved = false;
  }
}
