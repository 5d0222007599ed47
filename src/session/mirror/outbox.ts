/**
 * The D1 mirror: every transaction of the actor goes through `commit()`,
 * which carries the mirror progress with it, and `flush()` sends the outbox
 * to D1 in one batch in the background (a reply never waits for D1).
 *
 * Outbox entries D1 has received are deleted, and the mirror progress saved,
 * by the next commit the actor makes anyway (the next turn, the alarm): one
 * write less per turn. Lost with the activation, the entries are simply sent
 * again (the upserts are idempotent).
 */
import { writeMirror } from "../../store/sessions/mirror";
import type { Loaded } from "../load/loader";
import { mirrored, mirrorFailed } from "../storage/meta";
import type { SessionStorage } from "../storage/tables";
import { mirrorBatch } from "./rows";
import { log } from "../../log";

/** At most this many messages per D1 batch when catching up after an outage. */
export const MIRROR_CHUNK = 200;

export class Mirror {
  /** Outbox entries up to this id reached D1 (0: none known). */
  private deliveredUpTo = 0;
  private unsaved = false;
  private flushing: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly store: SessionStorage,
    private readonly db: D1Database,
    private readonly session: () => Loaded | null,
    /** A failed write is retried by the alarm. */
    private readonly retryLater: () => void,
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

  /** Sends the outbox to D1; on failure the alarm retries with backoff. Never throws. */
  flush(): Promise<void> {
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      do {
        this.again = false;
        await this.flushOnce();
      } while (this.again);
    })().finally(() => (this.flushing = null));
    return this.flushing;
  }

  /** D1 refused a write (of the mirror, or of its erase): the next attempt is due after the backoff. */
  failed(s: Loaded): number {
    s.meta = mirrorFailed(s.meta, Date.now());
    this.commit(() => this.store.writeMirror(s.meta));
    this.retryLater();
    return s.meta.mirrorAttempts;
  }

  private async flushOnce(): Promise<void> {
    const s = this.session();
    if (!s || s.meta.erasing) return;
    const entries = this.store.outbox(this.deliveredUpTo);
    if (!entries.length) return;
    const upTo = entries[entries.length - 1]!.id;
    const messages = this.store.messages(s.meta.mirroredSeq, s.lastSeq, MIRROR_CHUNK);
    const turnIds = new Set(entries.flatMap((e) => (e.turnId === null ? [] : [e.turnId])));
    const turns = [...turnIds].flatMap((id) => this.store.turn(id) ?? []);
    const batch = mirrorBatch({ ...s, lastTurn: this.store.lastTurnId(), log: messages, outbox: entries, turns });
    try {
      await writeMirror(this.db, batch);
    } catch (err) {
      const attempts = this.failed(s);
      log({ level: "warn", msg: "d1 mirror failed", sessionId: s.meta.sessionId, attempts, error: err instanceof Error ? err.name : "unknown" });
      return;
    }
    if (s.meta.erasing) return;
    const sent = messages[messages.length - 1]?.seq ?? s.meta.mirroredSeq;
    const caughtUp = sent >= s.lastSeq || messages.length < MIRROR_CHUNK;
    s.meta = mirrored(s.meta, sent);
    // Entries stay until the log is caught up, so the next pass sends the rest.
    if (caughtUp) this.deliveredUpTo = upTo;
    this.unsaved = true;
    if (!caughtUp) this.again = true;
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
