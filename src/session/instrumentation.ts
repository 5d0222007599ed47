/**
 * Per-actor counters of what a turn costs outside the actor: D1 round trips
 * and KV reads. Off in staging and production (nothing is counted there);
 * the benchmark reads them through the actor's `instrumentation()` method.
 * Targets: at most one D1 round trip per turn, no KV read once a session runs.
 */
import type { Config } from "../config";

export interface TurnCost {
  turns: number;
  d1RoundTrips: number;
  kvReads: number;
  perTurn: { d1RoundTrips: number; kvReads: number };
}

export class Instrumentation {
  private turns = 0;
  private d1 = 0;
  private kv = 0;

  constructor(readonly enabled: boolean) {}

  static for(config: Config): Instrumentation {
    return new Instrumentation(config.ENVIRONMENT !== "production" && config.ENVIRONMENT !== "staging");
  }

  turn(): void {
    if (this.enabled) this.turns++;
  }

  d1RoundTrip(): void {
    if (this.enabled) this.d1++;
  }

  kvRead(): void {
    if (this.enabled) this.kv++;
  }

  report(): TurnCost | null {
    if (!this.enabled) return null;
    const per = (n: number) => (this.turns ? n / this.turns : 0);
    return { turns: this.turns, d1RoundTrips: this.d1, kvReads: this.kv, perTurn: { d1RoundTrips: per(this.d1), kvReads: per(this.kv) } };
  }
}
