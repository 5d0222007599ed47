/**
 * One content-free event per turn attempt, whichever way the turn came (REST, SSE,
 * WebSocket, or the alarm re-running an interrupted turn): ids, status, error code,
 * durations, model calls and tokens, safety counts — never a word anyone said.
 *
 * It goes three ways: a log line (Workers Logs), an Analytics Engine data point, and
 * (as `TurnMetrics`, stored with the turn's result or error in the actor's commit) a
 * `turn_metrics` row the D1 mirror carries with the turn, which the admin metrics read.
 *
 * The data point, for the Analytics Engine SQL API:
 *   index1  project id ("inline" for inline scripts)
 *   blob1 session id · blob2 request id · blob3 Worker version · blob4 project id · blob5 script version id
 *   blob6 script id · blob7 channel · blob8 status · blob9 error code · blob10 model · blob11 risk level
 *   double1 latency ms · double2 model calls · double3 model ms · double4 input tokens · double5 output tokens
 *   double6 safety flags · double7 referrals · double8 guarded lines · double9 turn number
 */
import type { RiskLevel, StepStats } from "../../engine";
import { log } from "../../log";
import type { DataPointSink } from "../../ops/analytics";
import type { TurnChannel, TurnMetrics } from "../../store/schema/ops";
import { writeTurnMetrics, type TurnMetricsRow } from "../../store/sessions/mirror";
import type { Meta } from "../storage/meta";
import { highest } from "./safety-log";

/** Where a turn came from: its channel, and the request that carried it (none for WebSocket frames and recovered turns). */
export interface TurnOrigin {
  channel: TurnChannel;
  requestId?: string | undefined;
}

/** A turn no request is waiting for: the alarm's re-run of one an interruption left behind. */
export const RECOVERED: TurnOrigin = { channel: "recovered" };

/** What the engine did in the turn, when it ran at all. */
export interface TurnWork {
  stats: StepStats;
  model: string;
  levels: RiskLevel[];
  referrals: number;
  guarded: number;
}

const noWork: TurnWork = { stats: { llmCalls: 0, modelMs: 0, inputTokens: 0, outputTokens: 0 }, model: "", levels: [], referrals: 0, guarded: 0 };

export class TurnEvents {
  constructor(
    private readonly sink: DataPointSink,
    private readonly workerVersion: string | null,
    /** Where `record` writes the metrics of a turn that has no outbox entry to carry them. */
    private readonly db: D1Database,
  ) {}

  /** The metrics of a turn that started at `started` and ends now with `code` (null: it succeeded). */
  measure(origin: TurnOrigin, started: number, code: string | null, work: TurnWork = noWork): TurnMetrics {
    const endedAt = Date.now();
    const { stats } = work;
    return {
      id: crypto.randomUUID(),
      requestId: origin.requestId ?? null,
      channel: origin.channel,
      status: code === null ? "done" : "failed",
      code,
      latencyMs: endedAt - started,
      llmCalls: stats.llmCalls,
      modelMs: Math.round(stats.modelMs),
      inputTokens: stats.inputTokens,
      outputTokens: stats.outputTokens,
      model: work.model || null,
      riskLevel: highest(work.levels),
      safetyFlags: work.levels.length,
      referrals: work.referrals,
      guarded: work.guarded,
      endedAt,
      workerVersion: this.workerVersion,
    };
  }

  /** The turn's log line and data point. */
  emit(meta: Meta, turn: number, m: TurnMetrics): void {
    log({
      level: m.status === "done" ? "info" : "warn",
      msg: "turn",
      sessionId: meta.sessionId,
      requestId: m.requestId ?? undefined,
      projectId: meta.projectId ?? undefined,
      versionId: meta.versionId,
      scriptId: meta.scriptId,
      workerVersion: m.workerVersion,
      turn,
      channel: m.channel,
      status: m.status,
      code: m.code ?? undefined,
      durationMs: m.latencyMs,
      llmCalls: m.llmCalls,
      modelMs: m.modelMs,
      inputTokens: m.inputTokens,
      outputTokens: m.outputTokens,
      model: m.model,
      riskLevel: m.riskLevel,
      safetyFlags: m.safetyFlags,
      referrals: m.referrals,
      guarded: m.guarded,
    });
    this.sink.writeDataPoint({
      indexes: [meta.projectId ?? "inline"],
      blobs: [
        meta.sessionId,
        m.requestId ?? "",
        m.workerVersion ?? "",
        meta.projectId ?? "",
        meta.versionId ?? "",
        meta.scriptId,
        m.channel,
        m.status,
        m.code ?? "",
        m.model ?? "",
        m.riskLevel,
      ],
      doubles: [m.latencyMs, m.llmCalls, m.modelMs, m.inputTokens, m.outputTokens, m.safetyFlags, m.referrals, m.guarded, turn],
    });
  }

  /**
   * `emit`, and the turn_metrics row written to D1 at once: for a turn that failed before anything
   * was committed for the mirror (no model, a session that ended meanwhile, a failed opening turn,
   * whose session is dropped), so errors that keep sessions from starting are counted too.
   */
  record(meta: Meta, turn: number, m: TurnMetrics): void {
    this.emit(meta, turn, m);
    void writeTurnMetrics(this.db, metricsRow(meta, turn, m)).catch((err) =>
      log({ level: "warn", msg: "turn metrics not written", sessionId: meta.sessionId, turn, error: err instanceof Error ? err.name : "unknown" }),
    );
  }
}

/** The D1 row of a turn's metrics. */
export function metricsRow(meta: Meta, turn: number, m: TurnMetrics): TurnMetricsRow {
  const { endedAt, ...rest } = m;
  return {
    ...rest,
    sessionId: meta.sessionId,
    turn,
    projectId: meta.projectId,
    versionId: meta.versionId,
    scriptId: meta.scriptId,
    endedAt: new Date(endedAt),
  };
}
