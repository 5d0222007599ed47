/**
 * Cost per turn: what the session actors counted (D1 round trips, KV reads,
 * turns), read through the bench-only POST /api/bench/cost before and after
 * the turns, so session creation is not part of it. The counters are the
 * actors' own instrumentation (src/session/instrumentation.ts), off in
 * staging and production.
 */
import type { Api } from "../lib/api";
import { inBatches } from "../lib/api";

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
}

/** How many session ids one request may carry (the route's limit). */
const CHUNK = 100;

export async function readCost(api: Api, sessionIds: readonly string[]): Promise<CostCounters> {
  const token = await api.token("bench-observer", "admin");
  const chunks = Array.from({ length: Math.ceil(sessionIds.length / CHUNK) }, (_, i) => sessionIds.slice(i * CHUNK, (i + 1) * CHUNK));
  const parts = await inBatches(chunks, 4, (ids) => api.post<CostCounters>("/api/bench/cost", { sessionIds: ids }, token, [200]));
  return parts.reduce(
    (sum, p) => ({ sessions: sum.sessions + p.sessions, turns: sum.turns + p.turns, d1RoundTrips: sum.d1RoundTrips + p.d1RoundTrips, kvReads: sum.kvReads + p.kvReads }),
    { sessions: 0, turns: 0, d1RoundTrips: 0, kvReads: 0 },
  );
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

export function perTurn(before: CostCounters, after: CostCounters): PerTurn {
  const turns = after.turns - before.turns;
  const per = (n: number) => (turns ? Math.round((n / turns) * 1000) / 1000 : 0);
  return {
    d1RoundTrips: per(after.d1RoundTrips - before.d1RoundTrips),
    kvReads: per(after.kvReads - before.kvReads),
    turns,
    sessions: after.sessions,
  };
}
