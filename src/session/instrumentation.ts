/**
 * Per-actor counters of what a turn costs outside the actor: D1 round trips
 * and KV reads. Off in staging and production (nothing is counted there);
 * the benchmark reads them through the actor's `instrumentation()` method.
 * Targets: at most one D1 round trip per turn, no KV read once a session runs.
 *
 * The counts are taken at the bindings: the actor talks to D1 and KV only
 * through `bindings()`, which (when counting is on) wraps `DB` and `CACHE` so
 * that every call that reaches the database or the cache is one count, whoever
 * in the actor makes it. A new call site cannot slip past the counter.
 */
import type { Config } from "../config";
import type { TurnCost } from "./rpc";

export interface CountedBindings {
  DB: D1Database;
  CACHE: KVNamespace;
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

  /** `DB` and `CACHE` as the actor must use them: counted when instrumentation is on, untouched otherwise. */
  bindings(env: CountedBindings): CountedBindings {
    if (!this.enabled) return { DB: env.DB, CACHE: env.CACHE };
    return { DB: countingD1(env.DB, () => this.d1++), CACHE: countingKv(env.CACHE, () => this.kv++) };
  }

  report(): TurnCost | null {
    if (!this.enabled) return null;
    const per = (n: number) => (this.turns ? n / this.turns : 0);
    return { turns: this.turns, d1RoundTrips: this.d1, kvReads: this.kv, perTurn: { d1RoundTrips: per(this.d1), kvReads: per(this.kv) } };
  }
}

/** Each `batch`, `exec` or statement execution is one round trip; preparing and binding are local. */
function countingD1(db: D1Database, roundTrip: () => void): D1Database {
  // The real batch() takes only the runtime's own statements, so wrappers map back to them.
  const real = new WeakMap<object, D1PreparedStatement>();
  const wrap = (stmt: D1PreparedStatement): D1PreparedStatement => {
    const counted = {
      bind: (...values: unknown[]) => wrap(stmt.bind(...values)),
      first: (column?: string) => (roundTrip(), column === undefined ? stmt.first() : stmt.first(column)),
      run: () => (roundTrip(), stmt.run()),
      all: () => (roundTrip(), stmt.all()),
      raw: (options?: { columnNames?: boolean }) => (roundTrip(), stmt.raw(options as { columnNames: true })),
    };
    real.set(counted, stmt);
    return counted as unknown as D1PreparedStatement;
  };
  const counted = {
    prepare: (query: string) => wrap(db.prepare(query)),
    batch: (statements: D1PreparedStatement[]) => (roundTrip(), db.batch(statements.map((s) => real.get(s) ?? s))),
    exec: (query: string) => (roundTrip(), db.exec(query)),
    withSession: () => {
      throw new Error("D1 sessions are not used by the session actor");
    },
    dump: () => (roundTrip(), db.dump()),
  };
  return counted as unknown as D1Database;
}

/** Reads (`get`, `getWithMetadata`, `list`) are counted; writes and deletes pass through. */
function countingKv(kv: KVNamespace, read: () => void): KVNamespace {
  const counted = {
    get: (...args: Parameters<KVNamespace["get"]>) => (read(), (kv.get as (...a: unknown[]) => unknown)(...args)),
    getWithMetadata: (...args: Parameters<KVNamespace["getWithMetadata"]>) => (read(), (kv.getWithMetadata as (...a: unknown[]) => unknown)(...args)),
    list: (...args: Parameters<KVNamespace["list"]>) => (read(), kv.list(...args)),
    put: (...args: Parameters<KVNamespace["put"]>) => kv.put(...args),
    delete: (...args: Parameters<KVNamespace["delete"]>) => kv.delete(...args),
  };
  return counted as unknown as KVNamespace;
}
