/**
 * The actor's one alarm, set for the earliest deadline of its clocks
 * (lifecycle.ts): idle lifecycle, erase and mirror retries, the turn watchdog,
 * the WebSockets' token expiry, retention, the handoff's timeout.
 */
import type { Meta } from "../storage/meta";
import { nextAlarm, type Clocks } from "./lifecycle";

export type Pending = Pick<Clocks, "mirrorPending" | "turnsPending" | "socketsExpireAt" | "handoffDueAt">;

export class AlarmClock {
  /** When the alarm is set for (null: not set); read from storage once per activation. */
  private at: number | null = null;

  constructor(
    private readonly storage: Pick<DurableObjectStorage, "getAlarm" | "setAlarm" | "deleteAlarm">,
    private readonly timeouts: { pauseMs: number; archiveMs: number; retentionMs: number },
  ) {}

  async load(): Promise<void> {
    this.at = await this.storage.getAlarm();
  }

  clocks(pending: Pending): Clocks {
    return { now: Date.now(), ...this.timeouts, ...pending };
  }

  /**
   * Sets the alarm for the next deadline. An alarm already due sooner is
   * left alone (it looks again when it fires), so a busy session does not
   * rewrite its alarm on every turn.
   */
  schedule(meta: Meta, pending: Pending): void {
    const clocks = this.clocks(pending);
    const at = nextAlarm(meta, clocks);
    if (at === this.at) return;
    if (this.at !== null && this.at > clocks.now && (at === null || this.at < at)) return;
    this.at = at;
    void (at === null ? this.storage.deleteAlarm() : this.storage.setAlarm(at));
  }

  /** The alarm fires by `at` at the latest (a new socket's token expiry); one due sooner is left alone. */
  wakeBy(at: number): void {
    if (this.at !== null && this.at <= at) return;
    this.at = at;
    void this.storage.setAlarm(at);
  }

  /** The alarm is set to fire by `at` (it looks at every clock then), so nothing due later needs it moved now. */
  dueBy(at: number): boolean {
    return this.at !== null && this.at <= at;
  }

  /** The alarm fired (or the storage went away with it). */
  fired(): void {
    this.at = null;
  }
}
