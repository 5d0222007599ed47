/**
 * Baseline: the same connections and messages as the turns scenario, sent to
 * the bare echo Durable Object (one object per connection, like one actor per
 * session). Latency = send → the echoed frame back. `durable`: the object
 * commits each frame to its SQLite storage before the echo leaves.
 */
import { openAll } from "../lib/channel";
import { runLoad, type LoadResult, type Pacing } from "../lib/load";
import type { LocalWorker } from "../lib/worker";

export interface BaselineOptions {
  connections: number;
  /** What each connection sends, in order: the turns scenario's answers. */
  messages: readonly string[];
  connectBatch: number;
  timeoutMs: number;
  pacing: Pacing;
  durable?: boolean;
}

export async function runBaseline(worker: LocalWorker, options: BaselineOptions): Promise<LoadResult> {
  const run = crypto.randomUUID().slice(0, 8);
  const urls = Array.from(
    { length: options.connections },
    (_, i) => `${worker.origin.replace(/^http/, "ws")}/api/bench/echo/${run}-${i}/ws${options.durable ? "?durable=1" : ""}`,
  );
  const channels = await openAll(urls, { batch: options.connectBatch, timeoutMs: options.timeoutMs });
  try {
    return await runLoad(channels, options.messages.length, options.pacing, async (channel, connection, message) => {
      const clientMessageId = `${run}-${connection}-${message}`;
      const sent = channel.send({ type: "user_message", content: options.messages[message], clientMessageId });
      const echo = await channel.waitFor(
        sent.from,
        (f) => typeof f === "object" && f !== null && (f as { clientMessageId?: string }).clientMessageId === clientMessageId,
        options.timeoutMs,
      );
      return echo.at - sent.at;
    });
  } finally {
    await Promise.all(channels.map((c) => c.close()));
  }
}
