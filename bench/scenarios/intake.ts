/**
 * Turns: sessions of the sample intake script, created over HTTP and
 * connected before the clock starts (creation is not a turn), then each
 * answering the script over its WebSocket until the session completes.
 * One sample per turn: `user_message` sent → `state` received (see
 * lib/session.ts). The streaming scenario runs the same conversation.
 */
import type { Api } from "../lib/api";
import type { Channel } from "../lib/channel";
import { runLoad, type LoadResult, type Pacing } from "../lib/load";
import { createSessions, expectStatus, openSessionSockets, runTurn, type BenchSession, type TurnTrace } from "../lib/session";

export const SAMPLE_SCRIPT = "sessions/intake_en.yaml";

/**
 * Answers that walk intake_en.yaml from its first question to its end: name,
 * what brings the client, a mood of 6 (so the safety follow-up for 0–3 is
 * skipped), sleep, goals, and the reply that closes the session.
 */
export const INTAKE_ANSWERS = [
  "Sam",
  "I have been stressed at work and it is getting hard to switch off in the evening.",
  "6",
  "Not great, I wake up around three most nights.",
  "I would like to sleep through the night and worry less about work.",
  "Thank you, that sounds right.",
] as const;

export interface PreparedSessions {
  sessions: BenchSession[];
  channels: Channel[];
}

export interface PrepareOptions {
  count: number;
  projectId: string;
  connectBatch: number;
  createConcurrency: number;
  timeoutMs: number;
}

export async function prepareSessions(api: Api, options: PrepareOptions): Promise<PreparedSessions> {
  const sessions = await createSessions(api, options.count, { projectId: options.projectId, script: SAMPLE_SCRIPT }, options.createConcurrency);
  const channels = await openSessionSockets(api, sessions, { batch: options.connectBatch, timeoutMs: options.timeoutMs });
  return { sessions, channels };
}

/** Runs every prepared session to completion, then closes their sockets. */
export async function runIntake(
  prepared: PreparedSessions,
  options: { pacing: Pacing; timeoutMs: number; label: string },
  onTurn: (trace: TurnTrace, turn: number) => void = () => {},
): Promise<LoadResult> {
  try {
    return await runLoad(prepared.channels, INTAKE_ANSWERS.length, options.pacing, async (channel, session, turn) => {
      const trace = await runTurn(channel, INTAKE_ANSWERS[turn]!, `${options.label}-${session}-${turn}`, options.timeoutMs);
      expectStatus(trace, turn, INTAKE_ANSWERS.length);
      onTurn(trace, turn);
      return trace.stateAt - trace.sentAt;
    });
  } finally {
    await Promise.all(prepared.channels.map((c) => c.close()));
  }
}
