/**
 * Runs the personas through the real session actor: one local Worker
 * (`wrangler dev`, bench/lib/worker.ts) with the sample project published,
 * then per persona a session created over HTTP, its WebSocket opened, one
 * turn per persona line (bench/lib/session.ts runTurn: send, wait for the
 * `state` frame), and the session's export read at the end. `concurrency`
 * conversations run at a time.
 */
import type { Api } from "../../bench/lib/api";
import { inBatches } from "../../bench/lib/api";
import { Channel } from "../../bench/lib/channel";
import { runTurn } from "../../bench/lib/session";
import type { CreatedSession, SafetyView, SessionExport, SessionMessage } from "../../src/session/schemas";
import { type Persona, personaScripts } from "./personas";
import type { Transcript, TranscriptTurn } from "./score-conversation";

export interface DriveOptions {
  projectId: string;
  concurrency: number;
  timeoutMs: number;
}

export type Driven = { ok: true; transcript: Transcript } | { ok: false; id: string; error: string };

type Frame = { type?: string; role?: string } & Partial<SessionMessage> & Partial<SafetyView>;

function turnOf(frames: readonly { frame: unknown }[], sent: TranscriptTurn["sent"]): TranscriptTurn {
  const messages: SessionMessage[] = [];
  const safety: SafetyView[] = [];
  for (const { frame } of frames) {
    const f = frame as Frame;
    if (f.type === "message" && f.role !== "user") {
      const { type: _type, ...message } = f;
      messages.push(message as SessionMessage);
    } else if (f.type === "safety") {
      const { type: _type, ...flag } = f;
      safety.push(flag as SafetyView);
    }
  }
  return { sent, messages, safety };
}

async function converse(api: Api, persona: Persona, options: DriveOptions): Promise<Transcript> {
  const token = await api.token(`eval-${persona.id.replaceAll("/", "-")}-${crypto.randomUUID().slice(0, 8)}`, "client");
  const created = await api.post<CreatedSession>(
    "/api/sessions",
    { projectId: options.projectId, script: personaScripts[persona.language] },
    token,
    [201],
  );
  const turns: TranscriptTurn[] = [{ sent: null, messages: created.messages, safety: created.safety }];
  const ws = api.origin.replace(/^http/, "ws");
  const channel = await Channel.open(`${ws}/api/sessions/${created.sessionId}/ws?token=${encodeURIComponent(token)}`, options.timeoutMs);
  try {
    for (const [i, line] of persona.lines.entries()) {
      const trace = await runTurn(channel, line.text, `eval-${i}`, options.timeoutMs);
      turns.push(turnOf(trace.frames, line));
      if (trace.status === "completed") break;
    }
  } finally {
    await channel.close();
  }
  const exported = await api.get<SessionExport>(`/api/sessions/${created.sessionId}/export`, token);
  return {
    persona,
    turns,
    record: { riskLevel: exported.session.riskLevel, variables: exported.variables.variables, safety: exported.safety },
  };
}

/** Every persona's conversation, in input order; a conversation that failed (an error frame, a timeout) is reported, not retried. */
export function drive(api: Api, personas: readonly Persona[], options: DriveOptions): Promise<Driven[]> {
  return inBatches(personas, options.concurrency, async (persona): Promise<Driven> => {
    try {
      return { ok: true, transcript: await converse(api, persona, options) };
    } catch (err) {
      return { ok: false, id: persona.id, error: err instanceof Error ? err.message : String(err) };
    }
  });
}
