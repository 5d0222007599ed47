/**
 * Per-actor counters of what a turn costs: D1 round trips and KV reads
 * outside the actor, and the durable commits of its own storage that replies
 * wait for. Off in staging and production (nothing is counted there); the
 * benchmark reads them through the actor's `instrumentation()` method.
 * Targets: at most one D1 round trip per turn, no KV read once a session
 * runs, one storage commit per turn on the common path.
 *
 * The counts are taken at the bindings: the actor talks to D1 and KV only
 * through `bindings()`, and to its storage only through `storage()`, which
 * (when counting is on) wrap them so that every call that reaches the
 * database, the cache or the disk is counted, whoever in the actor makes it.
 * A new call site cannot slip past the counter.
 *
 * A commit: SQLite-backed Durable Objects gather every write made in one
 * event-loop task into one implicit transaction, committed when the task
 * ends; outgoing frames wait (the output gate) until it is durable. So a
 * commit is counted at the first write after the previous task ended (a
 * zero-delay timer marks the end), and its time to durability is read from
 * `storage.sync()`. Two tasks whose writes the runtime happens to merge are
 * counted as two: the count never understates.
 */
import type { Config } from "../config";
import type { TurnCost } from "./rpc";

export interface CountedBindings {
  DB: D1Database;
  CACHE: KVNamespace;
}

/** Upper bounds (ms) of the buckets commit durations are counted in; the last bucket is everything slower. */
/** Statements that write nothing. */
const READS = /^\s*(SELECT|PRAGMA|EXPLAIN)\b/i;

export const COMMIT_BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000] as const;

export class Instrumentation {
  private turns = 0;
  private d1 = 0;
  private kv = 0;
  private commits = 0;
  private alarmWrites = 0;
  private statements = 0;
  /** Commits by time to durability; the ones that also moved the alarm apart, since the runtime schedules those first. */
  private readonly commitMs = COMMIT_BUCKETS_MS.map(() => 0).concat(0);
  private readonly alarmCommitMs = COMMIT_BUCKETS_MS.map(() => 0).concat(0);
  /** The commit of the task running now, if it wrote anything. */
  private open: { startedAt: number; alarm: boolean } | null = null;

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

  /** The actor's storage as it must use it: its writes and alarm changes counted as commits when instrumentation is on. */
  storage(storage: DurableObjectStorage): DurableObjectStorage {
    if (!this.enabled) return storage;
    const wrote = (alarm: boolean) => this.wrote(storage, alarm);
    const sql = storage.sql;
    const exec = (query: string, ...bindings: SqlStorageValue[]) => {
      this.statements++;
      if (!READS.test(query)) wrote(false);
      return sql.exec(query, ...bindings);
    };
    const countedSql = new Proxy(sql, {
      get(target, prop) {
        if (prop === "exec") return exec;
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    return new Proxy(storage, {
      get(target, prop) {
        if (prop === "sql") return countedSql;
        const value = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        if (prop === "setAlarm" || prop === "deleteAlarm" || prop === "put" || prop === "delete" || prop === "deleteAll")
          return (...args: unknown[]) => {
            wrote(prop === "setAlarm" || prop === "deleteAlarm");
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        return value.bind(target);
      },
    });
  }

  private wrote(storage: DurableObjectStorage, alarm: boolean): void {
    if (alarm) this.alarmWrites++;
    if (this.open) {
      this.open.alarm ||= alarm;
      return;
    }
    const commit = { startedAt: Date.now(), alarm };
    this.open = commit;
    this.commits++;
    setTimeout(() => {
      if (this.open === commit) this.open = null;
    }, 0);
    // The clock stands still while the actor computes and moves on at I/O: this is the wait for the disk.
    void storage.sync().then(() => {
      const i = COMMIT_BUCKETS_MS.findIndex((b) => Date.now() - commit.startedAt <= b);
      const bucket = i === -1 ? COMMIT_BUCKETS_MS.length : i;
      (commit.alarm ? this.alarmCommitMs : this.commitMs)[bucket]!++;
    });
  }

  report(): TurnCost | null {
    if (!this.enabled) return null;
    const per = (n: number) => (this.turns ? n / this.turns : 0);
    return {
      turns: this.turns,
      d1RoundTrips: this.d1,
      kvReads: this.kv,
      storageCommits: this.commits,
      alarmWrites: this.alarmWrites,
      sqlStatements: this.statements,
      commitMs: [...this.commitMs],
      alarmCommitMs: [...this.alarmCommitMs],
      perTurn: { d1RoundTrips: per(this.d1), kvReads: per(this.kv), storageCommits: per(this.commits) },
    };
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

/** Several actors' counters as one: what the bench route answers (null reports, from actors that count nothing, are skipped). */
export function sumCosts(reports: readonly (TurnCost | null)[]) {
  const buckets = () => COMMIT_BUCKETS_MS.map(() => 0).concat(0);
  const sum = {
    sessions: 0,
    turns: 0,
    d1RoundTrips: 0,
    kvReads: 0,
    storageCommits: 0,
    alarmWrites: 0,
    sqlStatements: 0,
    commitMs: buckets(),
    alarmCommitMs: buckets(),
    commitBucketsMs: [...COMMIT_BUCKETS_MS] as number[],
  };
  for (const r of reports) {
    if (!r) continue;
    sum.sessions++;
    sum.turns += r.turns;
    sum.d1RoundTrips += r.d1RoundTrips;
    sum.kvReads += r.kvReads;
    sum.storageCommits += r.storageCommits;
    sum.alarmWrites += r.alarmWrites;
    sum.sqlStatements += r.sqlStatements;
    for (const [i, n] of r.commitMs.entries()) sum.commitMs[i]! += n;
    for (const [i, n] of r.alarmCommitMs.entries()) sum.alarmCommitMs[i]! += n;
  }
  return sum;
}
