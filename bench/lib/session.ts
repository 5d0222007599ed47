/**
 * Client side of the session protocol (ARCHITECTURE.md, "HTTP and WebSocket
 * surface"): create sessions over HTTP, open their sockets, run turns.
 *
 * A turn's latency is measured from the moment the `user_message` frame is
 * sent to the moment the `state` frame that closes the turn arrives. The
 * actor sends, in order: the user's message echoed with its seq, the AI's
 * `delta` frames, the AI's `message` frames, then `state`; so `state` is the
 * end of everything the turn shows, and "last AI message" is reported next
 * to it.
 */
import { type Api, inBatches } from "./api";
import { type Channel, openAll, type Received } from "./channel";

export interface BenchSession {
  sessionId: string;
  token: string;
}

type Frame = { type?: string; role?: string; clientMessageId?: string | null; status?: string; code?: string; message?: string };

export interface TurnTrace {
  sentAt: number;
  /** When the user's own message came back with its seq: the turn's acknowledgement. */
  echoAt: number;
  stateAt: number;
  /** When the last AI `message` frame of the turn arrived (null when the turn said nothing). */
  lastMessageAt: number | null;
  status: string;
  /** Every frame between the send and the `state` frame, `state` included. */
  frames: Received<Frame>[];
}

export async function createSessions(api: Api, count: number, body: Record<string, unknown>, concurrency: number): Promise<BenchSession[]> {
  return inBatches(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async (i) => {
      const token = await api.token(`bench-client-${i}-${crypto.randomUUID().slice(0, 8)}`, "client");
      const created = await api.post<{ sessionId: string }>("/api/sessions", body, token, [201]);
      return { sessionId: created.sessionId, token };
    },
  );
}

export function openSessionSockets(api: Api, sessions: readonly BenchSession[], options: { batch: number; timeoutMs: number }): Promise<Channel[]> {
  const ws = api.origin.replace(/^http/, "ws");
  return openAll(
    sessions.map((s) => `${ws}/api/sessions/${s.sessionId}/ws?token=${encodeURIComponent(s.token)}`),
    options,
  );
}

function asFrame(f: unknown): Frame {
  return typeof f === "object" && f !== null ? (f as Frame) : {};
}

/** Sends one answer and waits for the turn to end; throws on an `error` frame or a missing reply. */
export async function runTurn(channel: Channel, content: string, clientMessageId: string, timeoutMs: number): Promise<TurnTrace> {
  const sent = channel.send({ type: "user_message", content, clientMessageId });
  const isError = (f: Frame) => f.type === "error" && (f.clientMessageId == null || f.clientMessageId === clientMessageId);
  const echo = await channel.waitFor<Frame>(
    sent.from,
    (raw) => {
      const f = asFrame(raw);
      return isError(f) || (f.type === "message" && f.role === "user" && f.clientMessageId === clientMessageId);
    },
    timeoutMs,
  );
  const end =
    echo.frame.type === "error"
      ? echo
      : await channel.waitFor<Frame>(echo.index + 1, (raw) => isError(asFrame(raw)) || asFrame(raw).type === "state", timeoutMs);
  if (end.frame.type === "error") throw new Error(`error frame ${end.frame.code}: ${end.frame.message}`);
  const frames = channel.received.slice(sent.from, end.index + 1) as Received<Frame>[];
  const aiMessages = frames.filter((r) => r.index > echo.index && r.frame.type === "message" && r.frame.role !== "user");
  return {
    sentAt: sent.at,
    echoAt: echo.at,
    stateAt: end.at,
    lastMessageAt: aiMessages.at(-1)?.at ?? null,
    status: String(end.frame.status),
    frames,
  };
}

/** The script's answers, in order: every turn but the last leaves the session waiting for input; the last completes it. */
export function expectStatus(trace: TurnTrace, turn: number, turns: number): void {
  const expected = turn === turns - 1 ? "completed" : "waiting_input";
  if (trace.status !== expected) throw new Error(`turn ${turn + 1} ended ${trace.status}, expected ${expected}`);
  if (expected === "waiting_input" && trace.lastMessageAt === null) throw new Error(`turn ${turn + 1} got no AI message`);
}
