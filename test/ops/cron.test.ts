/**
 * The Worker's scheduled handler: the canary runs the sample session through the app and
 * records it; the alert checks open one incident per crossing, keep it while the check
 * stays over its threshold, and resolve it when it is back under.
 */
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { checkAlerts } from "../../src/ops/alerts";
import { CANARY_USER } from "../../src/ops/canary";
import { pruneOpsTables } from "../../src/ops/retention";

function captureLogs() {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
  return () => lines.map((l) => JSON.parse(l));
}
afterEach(() => vi.restoreAllMocks());

const runCron = (bindings = env) => worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: Date.now() }), bindings);

const canaryRuns = async () => (await env.DB.prepare("SELECT ok, turns, code, mirror_lag_ms FROM canary_runs ORDER BY started_at").all()).results;
const incidents = async () =>
  (await env.DB.prepare("SELECT kind, resolved_at, notified_at, value, threshold FROM alert_incidents ORDER BY opened_at").all()).results;

describe("the scheduled handler", () => {
  it("runs the canary: a whole sample session through the API, its outcome and mirror lag recorded, its session erased", async () => {
    const logs = captureLogs();
    await runCron();
    const [run] = await canaryRuns();
    expect(run).toEqual({ ok: 1, turns: 7, code: null, mirror_lag_ms: expect.any(Number) });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM sessions WHERE user_id = ?").bind(CANARY_USER).first("n")).toBe(0);
    const lines = logs();
    expect(lines.filter((l) => l.msg === "scheduled job").map((l) => [l.job, l.ok])).toEqual([
      ["canary", true],
      ["alerts", true],
      ["retention", true],
    ]);
    expect(lines.find((l) => l.msg === "canary")).toMatchObject({ ok: true, turns: 7 });
    // Its turns are real turns (the opening one and six answers): each wrote its event.
    expect(lines.filter((l) => l.msg === "turn" && l.channel === "rest")).toHaveLength(7);
    // Nothing crossed a default threshold.
    expect(await incidents()).toEqual([]);
  });

  it("records a canary that fails with the code the API answered, which opens a canary incident", async () => {
    await runCron({ ...env, CANARY_PROJECT_ID: crypto.randomUUID() });
    expect((await canaryRuns()).at(-1)).toMatchObject({ ok: 0, turns: 0, code: "NOT_FOUND" });
    expect(await incidents()).toContainEqual({ kind: "canary_failed", resolved_at: null, notified_at: null, value: 1, threshold: 1 });
    // The next canary succeeds: the incident is resolved.
    await runCron();
    expect((await incidents()).find((i) => i.kind === "canary_failed")?.resolved_at).toEqual(expect.any(Number));
  });

  it("opens one incident while a check stays over its threshold, resolves it, and opens a new one when it crosses again", async () => {
    const strict = { ...env, ALERT_P95_MS: "1" };
    const p95 = async () => (await incidents()).filter((i) => i.kind === "p95_latency");
    await checkAlerts(strict);
    await checkAlerts(strict);
    expect(await p95()).toEqual([{ kind: "p95_latency", resolved_at: null, notified_at: null, value: expect.any(Number), threshold: 1 }]);
    await checkAlerts(env);
    expect((await p95())[0]!.resolved_at).toEqual(expect.any(Number));
    await checkAlerts(strict);
    expect((await p95()).map((i) => i.resolved_at === null)).toEqual([false, true]);
  });

  it("keeps an alert the receiver did not take for the next run, under the same incident", async () => {
    const logs = captureLogs();
    // Nothing listens there: the delivery fails.
    const unreachable = {
      ...env,
      ALERT_P95_MS: "1",
      ALERT_WEBHOOK_URL: "http://127.0.0.1:9/alerts",
      ALERT_WEBHOOK_SECRET: "alert-secret-0123456789",
    };
    await checkAlerts(unreachable);
    await checkAlerts(unreachable);
    const open = (await incidents()).filter((i) => i.kind === "p95_latency" && i.resolved_at === null);
    expect(open).toEqual([expect.objectContaining({ notified_at: null })]);
    expect(
      logs()
        .filter((l) => l.msg === "alert delivery failed")
        .map((l) => l.code),
    ).toEqual(["p95_latency", "p95_latency"]);
  });

  it("deletes turn metrics, canary runs and resolved incidents past METRICS_RETENTION_DAYS, and keeps the rest", async () => {
    const now = Date.now();
    const old = now - 31 * 86_400_000;
    const recent = now - 86_400_000;
    const run = (id: string, at: number) =>
      env.DB.prepare("INSERT INTO canary_runs (id, started_at, ok, latency_ms, turns, code, mirror_lag_ms) VALUES (?, ?, 1, 10, 7, NULL, 5)").bind(
        id,
        at,
      );
    const incident = (id: string, at: number, resolved: number | null) =>
      env.DB.prepare(
        "INSERT INTO alert_incidents (id, kind, opened_at, resolved_at, notified_at, value, threshold) VALUES (?, 'mirror_lag', ?, ?, NULL, 1, 1)",
      ).bind(id, at, resolved);
    await env.DB.batch([
      run("old-run", old),
      run("recent-run", recent),
      incident("old-resolved", old, old + 1000),
      incident("recent-resolved", recent, recent + 1000),
    ]);
    const metrics = (id: string, at: number) =>
      env.DB.prepare(
        `INSERT INTO turn_metrics (id, session_id, turn, request_id, project_id, version_id, script_id, worker_version, channel, status, code,
          latency_ms, llm_calls, model_ms, input_tokens, output_tokens, model, risk_level, safety_flags, referrals, guarded, ended_at, mirrored_at)
        VALUES (?, NULL, 1, NULL, NULL, NULL, 's', NULL, 'rest', 'done', NULL, 5, 1, 2, 0, 0, 'offline', 'none', 0, 0, 0, ?, ?)`,
      ).bind(id, at, at);
    await env.DB.batch([metrics("old-row", old), metrics("recent-row", recent)]);
    await pruneOpsTables({ ...env, METRICS_RETENTION_DAYS: "30" }, now);
    const ids = async (table: string) => (await env.DB.prepare(`SELECT id FROM ${table} WHERE id LIKE '%-r%'`).all()).results.map((r) => r.id);
    expect(await ids("turn_metrics")).toEqual(["recent-row"]);
    expect(await ids("canary_runs")).toEqual(["recent-run"]);
    expect(await ids("alert_incidents")).toEqual(["recent-resolved"]);
  });
});
