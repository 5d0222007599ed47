/**
 * The admin metrics, aggregated by D1 from the mirror: sessions, the turn_metrics rows the
 * actors write with each turn, the safety records, the canary runs. One batch, one round
 * trip. Percentiles use SQLite's cume_dist() window, so no latency list leaves D1.
 */
import type { ModelPrices } from "../config";
import { statusOf } from "../errors";
import type { Metrics, MetricsRange } from "./metrics-schema";

/** Where the numbers come from: D1 here; another source (the Analytics Engine SQL API) can answer the same shape. */
export interface MetricsSource {
  read(range: MetricsRange): Promise<Metrics>;
}

type Row = Record<string, number | string | null>;

const num = (v: unknown) => (typeof v === "number" ? v : 0);
const msOrNull = (v: unknown) => (typeof v === "number" ? Math.round(v) : null);
const iso = (ms: number) => new Date(ms).toISOString();

/** p50 and p95 of `column` over `rows` (a SELECT with `b` as the group), per group. */
function percentiles(rows: string, column: string): string {
  return `SELECT b, min(CASE WHEN c >= 0.5 THEN v END) AS p50, min(CASE WHEN c >= 0.95 THEN v END) AS p95
    FROM (SELECT b, ${column} AS v, cume_dist() OVER (PARTITION BY b ORDER BY ${column}) AS c FROM (${rows})) GROUP BY b`;
}

const IN_RANGE = "ended_at >= ?1 AND ended_at < ?2";
/** Turns in the range with their interval's index (`b`) and, for totals, group -1. */
const bucketed = `SELECT CAST((ended_at - ?1) / ?3 AS INTEGER) AS b, * FROM turn_metrics WHERE ${IN_RANGE}`;
const whole = `SELECT -1 AS b, * FROM turn_metrics WHERE ${IN_RANGE}`;

export class D1Metrics implements MetricsSource {
  constructor(
    private readonly db: D1Database,
    private readonly prices: ModelPrices,
  ) {}

  async read(range: MetricsRange): Promise<Metrics> {
    const { from, to, intervalMs } = range;
    // SQLite refuses a binding past the highest parameter a statement names.
    const q = (text: string) => (text.includes("?3") ? this.db.prepare(text).bind(from, to, intervalMs) : this.db.prepare(text).bind(from, to));
    const [
      sessions,
      active,
      totals,
      latency,
      modelLatency,
      series,
      seriesLatency,
      seriesModel,
      errors,
      recent,
      usage,
      sessionsByVersion,
      flags,
      referrals,
      mirror,
      mirrorP95,
      canary,
      canaryLatency,
      canaryRecent,
    ] = await this.db.batch<Row>([
      q(`SELECT
            sum(created_at >= ?1 AND created_at < ?2) AS started,
            sum(completed_at >= ?1 AND completed_at < ?2) AS completed,
            sum(created_at >= ?1 AND created_at < ?2 AND completed_at IS NULL AND status IN ('paused', 'archived')) AS abandoned
          FROM sessions WHERE created_at < ?2 AND (created_at >= ?1 OR completed_at >= ?1)`),
      this.db.prepare("SELECT count(*) AS n FROM sessions WHERE status = 'active'"),
      q(`SELECT count(*) AS total, sum(status = 'failed') AS failed, sum(input_tokens) AS input, sum(output_tokens) AS output,
            sum(guarded) AS guarded FROM turn_metrics WHERE ${IN_RANGE}`),
      q(percentiles(whole, "latency_ms")),
      q(percentiles(`${whole} AND llm_calls > 0`, "model_ms")),
      q(`SELECT b, count(*) AS turns, sum(status = 'failed') AS failed, sum(input_tokens) AS input, sum(output_tokens) AS output
          FROM (${bucketed}) GROUP BY b`),
      q(percentiles(bucketed, "latency_ms")),
      q(percentiles(`${bucketed} AND llm_calls > 0`, "model_ms")),
      q(`SELECT code, count(*) AS n FROM turn_metrics WHERE ${IN_RANGE} AND status = 'failed' GROUP BY code ORDER BY n DESC, code`),
      q(`SELECT ended_at, code, channel, request_id, session_id FROM turn_metrics WHERE ${IN_RANGE} AND status = 'failed'
          ORDER BY ended_at DESC LIMIT 20`),
      q(`SELECT project_id, version_id, model, count(*) AS turns, sum(input_tokens) AS input, sum(output_tokens) AS output
          FROM turn_metrics WHERE ${IN_RANGE} GROUP BY project_id, version_id, model`),
      q("SELECT project_id, version_id, count(*) AS n FROM sessions WHERE created_at >= ?1 AND created_at < ?2 GROUP BY project_id, version_id"),
      q("SELECT level, count(*) AS n FROM safety_flags WHERE created_at >= ?1 AND created_at < ?2 GROUP BY level"),
      q("SELECT count(*) AS n FROM crisis_referrals WHERE created_at >= ?1 AND created_at < ?2"),
      q(`SELECT max(mirrored_at - ended_at) AS lag FROM turn_metrics WHERE ${IN_RANGE}`),
      q(percentiles(`SELECT -1 AS b, mirrored_at - ended_at AS lag FROM turn_metrics WHERE ${IN_RANGE}`, "lag")),
      q("SELECT count(*) AS runs, sum(NOT ok) AS failed FROM canary_runs WHERE started_at >= ?1 AND started_at < ?2"),
      q(percentiles("SELECT -1 AS b, latency_ms FROM canary_runs WHERE started_at >= ?1 AND started_at < ?2", "latency_ms")),
      q(`SELECT * FROM (SELECT * FROM canary_runs WHERE started_at >= ?1 AND started_at < ?2 ORDER BY started_at DESC LIMIT 50)
          ORDER BY started_at`),
    ]);

    const byBucket = (rows: Row[]) => new Map(rows.map((r) => [num(r.b), r]));
    const pct = (r: Row | undefined) => ({ p50: msOrNull(r?.p50), p95: msOrNull(r?.p95) });
    const counts = byBucket(series!.results);
    const lat = byBucket(seriesLatency!.results);
    const model = byBucket(seriesModel!.results);
    const buckets = Math.ceil((to - from) / intervalMs);

    const t = totals!.results[0] ?? {};
    const errorRows = errors!.results.map((r) => ({ code: String(r.code ?? "INTERNAL"), count: num(r.n) }));
    const serverFailures = errorRows.filter((e) => statusOf(e.code) >= 500).reduce((n, e) => n + e.count, 0);
    const total = num(t.total);
    const flagCounts = Object.fromEntries(flags!.results.map((r) => [String(r.level), num(r.n)]));
    const s = sessions!.results[0] ?? {};
    const c = canary!.results[0] ?? {};

    return {
      from: iso(from),
      to: iso(to),
      intervalSeconds: intervalMs / 1000,
      sessions: { started: num(s.started), completed: num(s.completed), abandoned: num(s.abandoned), active: num(active!.results[0]?.n) },
      turns: {
        total,
        failed: num(t.failed),
        errorRate: total ? serverFailures / total : 0,
        latencyMs: pct(latency!.results[0]),
        modelLatencyMs: pct(modelLatency!.results[0]),
        inputTokens: num(t.input),
        outputTokens: num(t.output),
      },
      errors: errorRows.map((e) => ({ ...e, status: statusOf(e.code) })),
      recentErrors: recent!.results.map((r) => ({
        at: iso(num(r.ended_at)),
        code: String(r.code ?? "INTERNAL"),
        channel: String(r.channel),
        requestId: (r.request_id as string | null) ?? null,
        sessionId: (r.session_id as string | null) ?? null,
      })),
      series: Array.from({ length: buckets }, (_, b) => ({
        at: iso(from + b * intervalMs),
        turns: num(counts.get(b)?.turns),
        failed: num(counts.get(b)?.failed),
        latencyMs: pct(lat.get(b)),
        modelLatencyMs: pct(model.get(b)),
        inputTokens: num(counts.get(b)?.input),
        outputTokens: num(counts.get(b)?.output),
      })),
      ...this.usage(usage!.results, sessionsByVersion!.results),
      safety: {
        crisisDetections: num(flagCounts.high) + num(flagCounts.imminent),
        flags: flagCounts,
        referrals: num(referrals!.results[0]?.n),
        guardedLines: num(t.guarded),
      },
      mirror: { maxLagMs: msOrNull(mirror!.results[0]?.lag), p95LagMs: msOrNull(mirrorP95!.results[0]?.p95) },
      canary: {
        runs: num(c.runs),
        failed: num(c.failed),
        latencyMs: pct(canaryLatency!.results[0]),
        recent: canaryRecent!.results.map((r) => ({
          at: iso(num(r.started_at)),
          ok: r.ok === 1,
          latencyMs: num(r.latency_ms),
          turns: num(r.turns),
          code: (r.code as string | null) ?? null,
          mirrorLagMs: msOrNull(r.mirror_lag_ms),
        })),
      },
    };
  }

  /** Turns, tokens and cost per project and script version; sessions started per version. */
  private usage(rows: Row[], sessionRows: Row[]): Pick<Metrics, "projects" | "unpricedModels"> {
    const unpriced = new Set<string>();
    const projects = new Map<string | null, Metrics["projects"][number]>();
    const entry = (projectId: string | null, versionId: string | null) => {
      let p = projects.get(projectId);
      if (!p) projects.set(projectId, (p = { projectId, versions: [], turns: 0, sessions: 0, inputTokens: 0, outputTokens: 0, estimatedCostUsd: 0 }));
      let v = p.versions.find((x) => x.versionId === versionId);
      if (!v) p.versions.push((v = { versionId, turns: 0, sessions: 0, inputTokens: 0, outputTokens: 0, estimatedCostUsd: 0 }));
      return { p, v };
    };
    for (const r of rows) {
      const { p, v } = entry(r.project_id as string | null, r.version_id as string | null);
      const model = r.model as string | null;
      const price = model ? this.prices[model] : undefined;
      // The offline model costs nothing; a model that used no tokens costs nothing either.
      if (model && !price && model !== "offline" && num(r.input) + num(r.output) > 0) unpriced.add(model);
      const cost = price ? (num(r.input) * price.input + num(r.output) * price.output) / 1e6 : 0;
      for (const u of [p, v]) {
        u.turns += num(r.turns);
        u.inputTokens += num(r.input);
        u.outputTokens += num(r.output);
        u.estimatedCostUsd += cost;
      }
    }
    for (const r of sessionRows) {
      const { p, v } = entry(r.project_id as string | null, r.version_id as string | null);
      p.sessions += num(r.n);
      v.sessions += num(r.n);
    }
    return { projects: [...projects.values()].sort((a, b) => b.turns - a.turns), unpricedModels: [...unpriced].sort() };
  }
}
