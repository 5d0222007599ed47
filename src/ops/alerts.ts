/**
 * The alert checks, after each canary: over the last ALERT_WINDOW_MINUTES, the canary's
 * newest run, the share of turns failing with a server-side code, the p95 turn latency
 * and the D1 mirror's lag, each against its threshold. A check that crosses opens an
 * incident (at most one open per kind, in D1's `alert_incidents`), and the incident is
 * sent once to ALERT_WEBHOOK_URL, signed like every HeartRule webhook (src/notify/signature.ts)
 * with its id as `HeartRule-Event-Id`; a delivery that fails is tried again by the next run
 * with the same id. A check back under its threshold resolves the incident; crossing again
 * later is a new incident. The payload holds ids, numbers and names, never content.
 */
import { and, eq, isNull } from "drizzle-orm";
import { getConfig, type Config, type Env } from "../config";
import { statusOf } from "../errors";
import { log } from "../log";
import { sendSigned } from "../notify/delivery";
import { database } from "../store/db";
import { alertIncidents, type AlertKind } from "../store/schema";

export interface Check {
  kind: AlertKind;
  /** What was measured, in the threshold's unit (a share, or ms); null: nothing to measure. */
  value: number | null;
  threshold: number;
}

const firing = (c: Check) => c.value !== null && c.value >= c.threshold;

/** What the checks measure now, from D1. */
export async function measure(db: D1Database, config: Config, now: number): Promise<Check[]> {
  const since = now - config.ALERT_WINDOW_MINUTES * 60_000;
  const [canary, codes, p95, lag] = await db.batch<Record<string, number | string | null>>([
    db.prepare("SELECT ok, mirror_lag_ms FROM canary_runs WHERE started_at >= ? ORDER BY started_at DESC LIMIT 1").bind(since),
    db.prepare("SELECT code, count(*) AS n FROM turn_metrics WHERE ended_at >= ? GROUP BY code").bind(since),
    db
      .prepare(
        `SELECT min(CASE WHEN c >= 0.95 THEN latency_ms END) AS p95
         FROM (SELECT latency_ms, cume_dist() OVER (ORDER BY latency_ms) AS c FROM turn_metrics WHERE ended_at >= ?)`,
      )
      .bind(since),
    db.prepare("SELECT max(mirrored_at - ended_at) AS lag FROM turn_metrics WHERE ended_at >= ?").bind(since),
  ]);
  const run = canary!.results[0];
  let total = 0;
  let serverFailures = 0;
  for (const r of codes!.results) {
    total += Number(r.n);
    if (r.code !== null && statusOf(String(r.code)) >= 500) serverFailures += Number(r.n);
  }
  // A canary that saw no mirror within the threshold counts as lagging by the whole threshold.
  const canaryLag = run ? (run.mirror_lag_ms === null && run.ok === 1 ? config.ALERT_MIRROR_LAG_MS : Number(run.mirror_lag_ms ?? 0)) : null;
  const rowLag = lag!.results[0]?.lag;
  const lags = [canaryLag, typeof rowLag === "number" ? rowLag : null].filter((v): v is number => v !== null);
  const latency = p95!.results[0]?.p95;
  return [
    { kind: "canary_failed", value: run ? (run.ok === 1 ? 0 : 1) : null, threshold: 1 },
    { kind: "error_rate", value: total ? serverFailures / total : null, threshold: config.ALERT_ERROR_RATE },
    { kind: "p95_latency", value: typeof latency === "number" ? latency : null, threshold: config.ALERT_P95_MS },
    { kind: "mirror_lag", value: lags.length ? Math.max(...lags) : null, threshold: config.ALERT_MIRROR_LAG_MS },
  ];
}

export async function checkAlerts(env: Env, now = Date.now()): Promise<void> {
  const config = getConfig(env);
  const db = database(env.DB);
  for (const check of await measure(env.DB, config, now)) {
    const open = () =>
      db
        .select()
        .from(alertIncidents)
        .where(and(eq(alertIncidents.kind, check.kind), isNull(alertIncidents.resolvedAt)))
        .get();
    if (!firing(check)) {
      await db
        .update(alertIncidents)
        .set({ resolvedAt: new Date(now) })
        .where(and(eq(alertIncidents.kind, check.kind), isNull(alertIncidents.resolvedAt)));
      continue;
    }
    // The unique index on open incidents keeps a second, concurrent run from opening another.
    await db
      .insert(alertIncidents)
      .values({ id: `${check.kind}:${now}`, kind: check.kind, openedAt: new Date(now), value: check.value!, threshold: check.threshold })
      .onConflictDoNothing();
    const incident = await open();
    if (incident && !incident.notifiedAt) await notify(env, config, incident, now);
  }
}

type Incident = typeof alertIncidents.$inferSelect;

/** Claims the incident's one delivery, sends it, and gives the claim back if the receiver did not take it. */
async function notify(env: Env, config: Config, incident: Incident, now: number): Promise<void> {
  if (!config.ALERT_WEBHOOK_URL || !config.ALERT_WEBHOOK_SECRET) {
    log({
      level: "warn",
      msg: "alert not sent: set ALERT_WEBHOOK_URL and ALERT_WEBHOOK_SECRET",
      code: incident.kind,
      fields: ["ALERT_WEBHOOK_URL", "ALERT_WEBHOOK_SECRET"],
    });
    return;
  }
  const db = database(env.DB);
  const claimed = await db
    .update(alertIncidents)
    .set({ notifiedAt: new Date(now) })
    .where(and(eq(alertIncidents.id, incident.id), isNull(alertIncidents.notifiedAt)))
    .returning({ id: alertIncidents.id });
  if (!claimed.length) return;
  const body = JSON.stringify({
    type: "alert",
    incidentId: incident.id,
    kind: incident.kind,
    openedAt: incident.openedAt.toISOString(),
    value: incident.value,
    threshold: incident.threshold,
    environment: config.ENVIRONMENT,
    workerVersion: env.CF_VERSION_METADATA?.id ?? null,
  });
  const status = await sendSigned({ url: config.ALERT_WEBHOOK_URL, secret: config.ALERT_WEBHOOK_SECRET }, incident.id, body);
  const delivered = status !== null && status >= 200 && status < 300;
  log({ level: delivered ? "info" : "warn", msg: delivered ? "alert sent" : "alert delivery failed", code: incident.kind });
  if (!delivered) await db.update(alertIncidents).set({ notifiedAt: null }).where(eq(alertIncidents.id, incident.id));
}
