/**
 * Capacity: the same load at a growing number of sessions (one message per
 * second each), per system, and the knee: the highest load at which turn
 * p99 stays under the limit. A system whose p99 has passed `stopAboveMs` is
 * not driven harder: its later levels are recorded as not run (saturated),
 * which keeps the whole benchmark within its time budget (a level measured
 * elsewhere in the run is still shown).
 */
import type { LoadResult } from "../lib/load";

export interface CapacityPoint {
  sessions: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  throughputPerS: number;
  errors: number;
  /** false: not run, an earlier level was already past `stopAboveMs`. */
  ran: boolean;
}

export interface CapacityCurve {
  points: CapacityPoint[];
  /** Highest load with p99 < the limit (null: none). */
  kneeSessions: number | null;
}

export const KNEE_P99_MS = 100;

const point = (sessions: number, r: LoadResult): CapacityPoint => ({
  sessions,
  p50Ms: r.p50Ms,
  p95Ms: r.p95Ms,
  p99Ms: r.p99Ms,
  throughputPerS: r.throughputPerS,
  errors: r.errors + r.abandoned,
  ran: true,
});

/** Runs `load` at each level (reusing `known` results for levels measured elsewhere in the run). */
export async function sweep(
  levels: readonly number[],
  load: (sessions: number) => Promise<LoadResult>,
  { known = new Map<number, LoadResult>(), stopAboveMs }: { known?: Map<number, LoadResult>; stopAboveMs: number },
): Promise<CapacityCurve> {
  const points: CapacityPoint[] = [];
  let saturated = false;
  for (const sessions of levels) {
    const measured = known.get(sessions);
    if (saturated && !measured) {
      points.push({ sessions, p50Ms: null, p95Ms: null, p99Ms: null, throughputPerS: 0, errors: 0, ran: false });
      continue;
    }
    const r = measured ?? (await load(sessions));
    points.push(point(sessions, r));
    saturated ||= (r.p99Ms ?? Infinity) > stopAboveMs || r.errors + r.abandoned > 0;
  }
  return { points, kneeSessions: knee(points) };
}

export function knee(points: readonly CapacityPoint[]): number | null {
  let best: number | null = null;
  for (const p of points) {
    if (!p.ran || p.errors > 0 || p.p99Ms === null || p.p99Ms >= KNEE_P99_MS) break;
    best = p.sessions;
  }
  return best;
}
