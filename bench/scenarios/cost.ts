/**
 * Cost per turn: what the session actors counted (D1 round trips, KV reads,
 * turns), read through the bench-only POST /api/bench/cost right before and
 * right after a run of whole intake sessions, so session creation is not
 * part of it. The counters are the actors' own instrumentation
 * (src/session/instrumentation.ts), off in staging and production. They live
 * in the actor's memory and start again from zero when an idle actor is
 * evicted, which is why this is a short run of its own and not a reading
 * taken around the long timed runs; a count of turns other than sessions ×
 * answers shows such a reset and marks the result incomplete.
 */
import { type Api, inBatches } from "../lib/api";
import { INTAKE_ANSWERS, prepareSessions, runIntake } from "./intake";

export interface CostCounters {
  sessions: number;
  turns: number;
  d1RoundTrips: number;
  kvReads: number;
  storageCommits: number;
  alarmWrites: number;
  sqlStatements: number;
  commitMs: number[];
  alarmCommitMs: number[];
  commitBucketsMs: number[];
}

export interface PerTurn {
  d1RoundTrips: number;
  kvReads: number;
  /** Durable commits of the actors' storage per turn: what the output gate holds the turn's frames for. */
  storageCommits: number;
  alarmWrites: number;
  /** Statements on the actors' SQLite per turn, reads included. */
  sqlStatements: number;
  /** Commits by time to durability (bucket upper bounds in ms → count; `>last` is the rest), those that changed the alarm apart. */
  commitDurability: { plain: Record<string, number>; withAlarm: Record<string, number> };
  turns: number;
  sessions: number;
  /** Whether every turn run was counted (no actor lost its counters meanwhile). */
  complete: boolean;
}

/** How many session ids one request may carry (the route's limit). */
const CHUNK = 100;

export async function readCost(api: Api, sessionIds: readonly string[]): Promise<CostCounters> {
  const token = await api.token("bench-observer", "admin");
  const chunks = Array.from({ length: Math.ceil(sessionIds.length / CHUNK) }, (_, i) => sessionIds.slice(i * CHUNK, (i + 1) * CHUNK));
  const parts = await inBatches(chunks, 4, (ids) => api.post<CostCounters>("/api/bench/cost", { sessionIds: ids }, token, [200]));
  const add = (a: number[], b: number[]) => a.map((n, i) => n + (b[i] ?? 0));
  return parts.reduce((sum, p) => ({
    sessions: sum.sessions + p.sessions,
    turns: sum.turns + p.turns,
    d1RoundTrips: sum.d1RoundTrips + p.d1RoundTrips,
    kvReads: sum.kvReads + p.kvReads,
    storageCommits: sum.storageCommits + p.storageCommits,
    alarmWrites: sum.alarmWrites + p.alarmWrites,
    sqlStatements: sum.sqlStatements + p.sqlStatements,
    commitMs: add(sum.commitMs, p.commitMs),
    alarmCommitMs: add(sum.alarmCommitMs, p.alarmCommitMs),
    commitBucketsMs: p.commitBucketsMs,
  }));
}

/**
 * Reads again until two reads 500 ms apart agree: each actor mirrors its turn
 * to D1 after answering, so the last round trips may still be starting.
 */
export async function settledCost(api: Api, sessionIds: readonly string[], timeoutMs = 10_000): Promise<CostCounters> {
  const deadline = performance.now() + timeoutMs;
  let last = await readCost(api, sessionIds);
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await readCost(api, sessionIds);
    if (JSON.stringify(now) === JSON.stringify(last) || performance.now() > deadline) return now;
    last = now;
  }
}

export function perTurn(before: CostCounters, after: CostCounters, expectedTurns: number): PerTurn {
  const turns = after.turns - before.turns;
  const per = (n: number) => (turns ? Math.round((n / turns) * 1000) / 1000 : 0);
  const histogram = (a: number[], b: number[]) =>
    Object.fromEntries(
      a.map((n, i) => [i < after.commitBucketsMs.length ? `≤${after.commitBucketsMs[i]}` : `>${after.commitBucketsMs.at(-1)}`, n - (b[i] ?? 0)]),
    );
  return {
    d1RoundTrips: per(after.d1RoundTrips - before.d1RoundTrips),
    kvReads: per(after.kvReads - before.kvReads),
    storageCommits: per(after.storageCommits - before.storageCommits),
    alarmWrites: per(after.alarmWrites - before.alarmWrites),
    sqlStatements: per(after.sqlStatements - before.sqlStatements),
    commitDurability: { plain: histogram(after.commitMs, before.commitMs), withAlarm: histogram(after.alarmCommitMs, before.alarmCommitMs) },
    turns,
    sessions: after.sessions,
    complete: turns === expectedTurns,
  };
}

export async function measureCost(
  api: Api,
  options: { sessions: number; projectId: string; connectBatch: number; createConcurrency: number; timeoutMs: number },
): Promise<PerTurn> {
  const prepared = await prepareSessions(api, { ...options, count: options.sessions });
  const ids = prepared.sessions.map((s) => s.sessionId);
  const before = await readCost(api, ids);
  const load = await runIntake(prepared, { pacing: { thinkMs: 0, seed: 0 }, timeoutMs: options.timeoutMs, label: "cost" });
  if (load.errors) throw new Error(`the cost run failed: ${load.errorSamples.join("; ")}`);
  return perTurn(before, await settledCost(api, ids), options.sessions * INTAKE_ANSWERS.length);
}
