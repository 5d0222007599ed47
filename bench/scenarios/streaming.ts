/**
 * Streaming: sessions on a Worker whose model is the fake OpenAI-compatible
 * server (lib/fake-openai.ts), run through the same intake script as the
 * turns scenario. For every AI message that streamed, the first `delta`
 * frame names the model request it came from (the reply's `r<n>` marker);
 *   added time to first token = client receipt of that first delta
 *                               − the fake server's write of its first token,
 * both on the bench process's performance.now() clock. Inter-token gaps are
 * the gaps between consecutive `delta` frames of one message as the client
 * sees them, next to the server's own gaps between the tokens it wrote.
 */
import type { FakeModelServer } from "../lib/fake-openai";
import type { LoadResult, Pacing } from "../lib/load";
import type { TurnTrace } from "../lib/session";
import { summarise, type LatencySummary } from "../lib/stats";
import { runIntake, type PreparedSessions } from "./intake";

export interface StreamingResult {
  addedTtft: LatencySummary;
  clientInterToken: LatencySummary;
  serverInterToken: LatencySummary;
  /** Streamed messages whose first delta named no request the fake server answered. */
  unmatched: number;
  turns: LoadResult;
}

/** Streamed AI messages of a turn: each message's delta frames, in arrival order. */
function deltasByMessage(trace: TurnTrace): { at: number; text: string }[][] {
  const messages = new Map<string, { at: number; text: string }[]>();
  for (const r of trace.frames) {
    const f = r.frame as { type?: string; messageId?: string; text?: string };
    if (f.type !== "delta" || !f.messageId) continue;
    const list = messages.get(f.messageId) ?? [];
    list.push({ at: r.at, text: f.text ?? "" });
    messages.set(f.messageId, list);
  }
  return [...messages.values()];
}

export async function runStreaming(
  prepared: PreparedSessions,
  model: FakeModelServer,
  options: { pacing: Pacing; timeoutMs: number },
): Promise<StreamingResult> {
  const traces: TurnTrace[] = [];
  const turns = await runIntake(prepared, { ...options, label: "stream" }, (trace) => traces.push(trace));
  const added: number[] = [];
  const clientGaps: number[] = [];
  const serverGaps: number[] = [];
  let unmatched = 0;
  for (const deltas of traces.flatMap(deltasByMessage)) {
    const marker = /^r\d+/.exec(deltas[0]!.text)?.[0];
    const served = marker ? model.served.get(marker) : undefined;
    if (!served) {
      unmatched++;
      continue;
    }
    added.push(deltas[0]!.at - served.tokenAt[0]!);
    for (let i = 1; i < deltas.length; i++) clientGaps.push(deltas[i]!.at - deltas[i - 1]!.at);
    for (let i = 1; i < served.tokenAt.length; i++) serverGaps.push(served.tokenAt[i]! - served.tokenAt[i - 1]!);
  }
  return { addedTtft: summarise(added), clientInterToken: summarise(clientGaps), serverInterToken: summarise(serverGaps), unmatched, turns };
}
