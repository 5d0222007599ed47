/**
 * The peer (bench/peer/): AIChatAgent conversations driven by the same load
 * harness (lib/load.ts) as HeartRule's turns, over the agent's own WebSocket
 * protocol, as its client (`useAgentChat`) speaks it: each message is a
 * `cf_agent_use_chat_request` carrying the whole conversation so far; the
 * reply streams back as `cf_agent_use_chat_response` frames, the last one
 * `done`. One sample: request sent → `done` frame. The same six messages per
 * conversation as the intake sessions, the same pacing.
 */
import { type Channel, openAll } from "../lib/channel";
import { runLoad, type LoadResult, type Pacing } from "../lib/load";
import type { LocalWorker } from "../lib/worker";
import { sumCosts } from "../../src/session/instrumentation";
import type { TurnCost } from "../../src/session/rpc";
import type { CostCounters } from "./cost";

export interface PeerModel {
  ttftMs: number;
  tokensPerSecond: number;
  replyTokens: number;
}

type UiMessage = { id: string; role: "user" | "assistant"; parts: { type: "text"; text: string }[] };
type ResponseFrame = { type?: string; id?: string; body?: string; done?: boolean; error?: boolean };

export interface PeerRun {
  names: string[];
  load: LoadResult;
}

/** One turn: the history plus the new message out, the reply's chunks in, its text kept for the next request. */
async function turn(channel: Channel, history: UiMessage[], text: string, id: string, model: PeerModel, timeoutMs: number): Promise<number> {
  history.push({ id: `u-${id}`, role: "user", parts: [{ type: "text", text }] });
  const body = JSON.stringify({ messages: history, trigger: "submit-message", model });
  const sent = channel.send({ type: "cf_agent_use_chat_request", id, init: { method: "POST", body } });
  const done = await channel.waitFor<ResponseFrame>(
    sent.from,
    (f) => {
      const r = f as ResponseFrame;
      return r.type === "cf_agent_use_chat_response" && r.id === id && (r.done === true || r.error === true);
    },
    timeoutMs,
  );
  if (done.frame.error) throw new Error(`the agent answered an error: ${done.frame.body?.slice(0, 200)}`);
  let messageId = `a-${id}`;
  let reply = "";
  for (const r of channel.received.slice(sent.from, done.index + 1)) {
    const f = r.frame as ResponseFrame;
    if (f.type !== "cf_agent_use_chat_response" || f.id !== id || !f.body) continue;
    const chunk = JSON.parse(f.body) as { type: string; messageId?: string; delta?: string };
    if (chunk.type === "start" && chunk.messageId) messageId = chunk.messageId;
    if (chunk.type === "text-delta") reply += chunk.delta ?? "";
  }
  if (!reply) throw new Error("the agent's reply had no text");
  history.push({ id: messageId, role: "assistant", parts: [{ type: "text", text: reply }] });
  return done.at - sent.at;
}

export async function runPeer(
  worker: LocalWorker,
  options: {
    connections: number;
    messages: readonly string[];
    connectBatch: number;
    timeoutMs: number;
    pacing: Pacing;
    model: PeerModel;
    /** Runs once every socket is open, before the first message (the counters are read here). */
    beforeLoad?: (names: string[]) => Promise<void>;
  },
): Promise<PeerRun> {
  const run = crypto.randomUUID().slice(0, 8);
  const names = Array.from({ length: options.connections }, (_, i) => `${run}-${i}`);
  const ws = worker.origin.replace(/^http/, "ws");
  const channels = await openAll(
    names.map((n) => `${ws}/agents/peer-chat/${n}`),
    { batch: options.connectBatch, timeoutMs: options.timeoutMs },
  );
  const histories = channels.map((): UiMessage[] => []);
  try {
    await options.beforeLoad?.(names);
    const load = await runLoad(channels, options.messages.length, options.pacing, (channel, connection, message) =>
      turn(channel, histories[connection]!, options.messages[message]!, `${run}-${connection}-${message}`, options.model, options.timeoutMs),
    );
    return { names, load };
  } finally {
    await Promise.all(channels.map((c) => c.close()));
  }
}

/** The peer objects' counters, summed like HeartRule's (POST /api/bench/cost). */
export async function readPeerCost(worker: LocalWorker, names: readonly string[]): Promise<CostCounters> {
  const res = await fetch(`${worker.origin}/bench/cost`, { method: "POST", body: JSON.stringify({ names }), signal: AbortSignal.timeout(60_000) });
  if (!res.ok) throw new Error(`peer /bench/cost answered ${res.status}`);
  return sumCosts((await res.json()) as (TurnCost | null)[]);
}
