/**
 * The load pattern every scenario shares: all connections are open before
 * the clock starts; then each connection sends its messages one after
 * another (the next only once the previous one is answered), all connections
 * at the same time. With a think time, each connection waits before each
 * message (the first one too, so starts are spread) for a time drawn
 * uniformly from [0.5, 1.5] × thinkMs by a seeded generator: two runs with
 * the same seed follow the same schedule. Without one it is a closed loop
 * that finds the saturation throughput.
 * One latency sample per answered message; a failed exchange counts as an
 * error and ends that connection's run, and what it had left to send is
 * reported as abandoned.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Channel } from "./channel";
import { summarise, type LatencySummary } from "./stats";

export interface LoadResult extends LatencySummary {
  throughputPerS: number;
  errors: number;
  abandoned: number;
  connections: number;
  messagesPerConnection: number;
  thinkMs: number;
  elapsedMs: number;
  /** Up to five distinct error messages, for the log. */
  errorSamples: string[];
}

/** Sends one message and resolves with its latency in ms; throws when the answer is wrong or late. */
export type Exchange = (channel: Channel, connection: number, message: number) => Promise<number>;

export interface Pacing {
  thinkMs: number;
  seed: number;
}

/** mulberry32: a small, fast, seedable generator of floats in [0, 1). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runLoad(channels: readonly Channel[], messagesPerConnection: number, pacing: Pacing, exchange: Exchange): Promise<LoadResult> {
  const next = random(pacing.seed);
  const thinks = channels.map(() => Array.from({ length: messagesPerConnection }, () => pacing.thinkMs * (0.5 + next())));
  const samples: number[] = [];
  const failures = new Map<string, number>();
  let errors = 0;
  let abandoned = 0;
  const started = performance.now();
  await Promise.all(
    channels.map(async (channel, connection) => {
      for (let message = 0; message < messagesPerConnection; message++) {
        if (pacing.thinkMs > 0) await sleep(thinks[connection]![message]!);
        try {
          samples.push(await exchange(channel, connection, message));
        } catch (err) {
          errors++;
          abandoned += messagesPerConnection - message - 1;
          const reason = err instanceof Error ? err.message : String(err);
          failures.set(reason, (failures.get(reason) ?? 0) + 1);
          return;
        }
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  return {
    ...summarise(samples),
    throughputPerS: Math.round((samples.length / (elapsedMs / 1000)) * 10) / 10,
    errors,
    abandoned,
    connections: channels.length,
    messagesPerConnection,
    thinkMs: pacing.thinkMs,
    elapsedMs: Math.round(elapsedMs),
    errorSamples: [...failures].slice(0, 5).map(([reason, n]) => `${n}× ${reason}`),
  };
}
