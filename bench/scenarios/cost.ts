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
}

export interface PerTurn {
  d1RoundTrips: number;
  kvReads: number;
  turns: number;
  sessions: number;
  /** Whether every turn run was counted (no actor lost its counters meanwhile). */
  complete: boolean;
}

/** How many session ids one request may carry (the route's limit). */
const CHUNK = 100;

async function readCost(api: Api, sessionIds: readonly string[]): Promise<CostCounters> {
  const token = await api.token("bench-observer", "admin");
  const chunks = Array.from({ length: Math.ceil(sessionIds.length / CHUNK) }, (_, i) => sessionIds.slice(i * CHUNK, (i + 1) * CHUNK));
  const parts = await inBatches(chunks, 4, (ids) => api.post<CostCounters>("/api/bench/cost", { sessionIds: ids }, token, [200]));
  return parts.reduce(
    (sum, p) => ({
      sessions: sum.sessions + p.sessions,
      turns: sum.turns + p.turns,
      d1RoundTrips: sum.d1RoundTrips + p.d1RoundTrips,
      kvReads: sum.kvReads + p.kvReads,
    }),
    { sessions: 0, turns: 0, d1RoundTrips: 0, kvReads: 0 },
  );
}

/**
 * Reads again until two reads 500 ms apart agree: each actor mirrors its turn
 * to D1 after answering, so the last round trips may still be starting.
 */
async function settledCost(api: Api, sessionIds: readonly string[], timeoutMs = 10_000): Promise<CostCounters> {
  const deadline = performance.now() + timeoutMs;
  let last = await readCost(api, sessionIds);
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await readCost(api, sessionIds);
    if (JSON.stringify(now) === JSON.stringify(last) || performance.now() > deadline) return now;
    last = now;
  }
}

function perTurn(before: CostCounters, after: CostCounters, expectedTurns: number): PerTurn {
  const turns = after.turns - before.turns;
  const per = (n: number) => (turns ? Math.round((n / turns) * 1000) / 1000 : 0);
  return {
    d1RoundTrips: per(after.d1RoundTrips - before.d1RoundTrips),
    kvReads: per(after.kvReads - before.kvReads),
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
