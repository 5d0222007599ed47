/**
 * The D1 mirror under load: intake sessions answering at the paced rate,
 * once on a Worker whose actors write D1 themselves (the direct path) and
 * once on one whose actors send through the mirror queue
 * (MIRROR_VIA_QUEUE=true; `wrangler dev` runs the queue and this Worker's
 * consumer locally). Per path: D1 batches per turn — the actors' own D1
 * round trips (POST /api/bench/cost) plus the consumer's batches (POST
 * /api/bench/mirror) over the turns run — and the mirror lag of every turn
 * of those sessions, opening turns included (turn_metrics: mirrored_at −
 * ended_at, what the mirror-lag alert watches), read once every turn is in D1.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type Api, inBatches } from "../lib/api";
import type { LoadResult, Pacing } from "../lib/load";
import { summarise, type LatencySummary } from "../lib/stats";
import { readCost, settledCost } from "./cost";
import { INTAKE_ANSWERS, prepareSessions, runIntake } from "./intake";

interface MirrorCounters {
  consumerD1Batches: number;
  consumerStatements: number;
  consumerMessages: number;
  lagsMs: number[];
}

export interface MirrorPath {
  sessions: number;
  turns: number;
  /** (actors' D1 round trips + consumer D1 batches) / turns. */
  d1BatchesPerTurn: number;
  actorD1RoundTrips: number;
  consumerD1Batches: number;
  /** SQL statements per turn in the consumer's batches (0 on the direct path). */
  consumerStatementsPerTurn: number;
  /** Queue messages per consumer D1 batch (0 on the direct path). */
  messagesPerConsumerBatch: number;
  lag: LatencySummary;
  turnP99Ms: number | null;
  errors: number;
  /** Every turn counted by the actors and every turn's row in D1 before the wait ran out. */
  complete: boolean;
}

/** How many session ids one request may carry (the route's limit). */
const CHUNK = 100;
/** How long the mirror may take to bring the last turns to D1 after the run. */
const DRAIN_MS = 15_000;

async function readMirror(api: Api, sessionIds: readonly string[]): Promise<MirrorCounters> {
  const token = await api.token("bench-observer", "admin");
  const chunks = Array.from({ length: Math.ceil(sessionIds.length / CHUNK) }, (_, i) => sessionIds.slice(i * CHUNK, (i + 1) * CHUNK));
  const parts = await inBatches(chunks, 4, (ids) => api.post<MirrorCounters>("/api/bench/mirror", { sessionIds: ids }, token, [200]));
  // The consumer's counters are the Worker's, the same in every answer: the last read is the newest.
  return { ...parts.at(-1)!, lagsMs: parts.flatMap((p) => p.lagsMs) };
}

/** Mirror figures of these sessions while `run` drives them; the run's own result is passed through. */
export async function measureMirror<T extends LoadResult>(
  api: Api,
  sessionIds: readonly string[],
  run: () => Promise<T>,
): Promise<{ load: T; mirror: MirrorPath }> {
  const sessions = sessionIds.length;
  const cost = await readCost(api, sessionIds);
  const mirror = await readMirror(api, sessionIds);
  const load = await run();
  // Every turn of these sessions (the opening ones too) has its turn_metrics row once the mirror caught up.
  const expected = sessions * (INTAKE_ANSWERS.length + 1);
  const deadline = performance.now() + DRAIN_MS;
  let after = await readMirror(api, sessionIds);
  while (after.lagsMs.length < expected && performance.now() < deadline) {
    await sleep(250);
    after = await readMirror(api, sessionIds);
  }
  const costAfter = await settledCost(api, sessionIds);
  after = await readMirror(api, sessionIds);
  const turns = costAfter.turns - cost.turns;
  const actorD1RoundTrips = costAfter.d1RoundTrips - cost.d1RoundTrips;
  const consumerD1Batches = after.consumerD1Batches - mirror.consumerD1Batches;
  const per = (n: number, d: number) => (d ? Math.round((n / d) * 1000) / 1000 : 0);
  return {
    load,
    mirror: {
      sessions,
      turns,
      d1BatchesPerTurn: per(actorD1RoundTrips + consumerD1Batches, turns),
      actorD1RoundTrips,
      consumerD1Batches,
      consumerStatementsPerTurn: per(after.consumerStatements - mirror.consumerStatements, turns),
      messagesPerConsumerBatch: per(after.consumerMessages - mirror.consumerMessages, consumerD1Batches),
      lag: summarise(after.lagsMs),
      turnP99Ms: load.p99Ms,
      errors: load.errors + load.abandoned,
      complete: turns === sessions * INTAKE_ANSWERS.length && after.lagsMs.length === expected,
    },
  };
}

/** `--only mirror`: fresh sessions of the published project, created, connected and run at the paced rate. */
export async function runMirrorSessions(
  api: Api,
  options: { sessions: number; projectId: string; connectBatch: number; createConcurrency: number; timeoutMs: number; pacing: Pacing },
): Promise<MirrorPath> {
  const prepared = await prepareSessions(api, { ...options, count: options.sessions });
  const ids = prepared.sessions.map((s) => s.sessionId);
  const { mirror } = await measureMirror(api, ids, () =>
    runIntake(prepared, { pacing: options.pacing, timeoutMs: options.timeoutMs, label: "mirror" }),
  );
  return mirror;
}
