/**
 * The Worker's scheduled handler: a small dispatcher. Each Cron Trigger in wrangler.toml
 * runs the jobs that list its expression (or every job without `crons`), one after the
 * other, each with its own log line; one failing job does not stop the next. Add a job by
 * appending it to `scheduledJobs` (and, for a new schedule, its expression to `[triggers]`).
 */
import type { Env } from "../config";
import { log } from "../log";
import { checkAlerts } from "./alerts";
import { runCanary, type AppFetch } from "./canary";
import { sweep } from "../lifecycle/sweep";
import { pruneOpsTables } from "./retention";

export interface ScheduledJob {
  name: string;
  /** The cron expressions that run it; absent: every trigger. */
  crons?: readonly string[];
  run(env: Env, app: AppFetch, controller: ScheduledController): Promise<unknown>;
}

/** The schedules of wrangler.toml [triggers]: every five minutes, and once a day at a quiet hour. */
export const FREQUENT_CRON = "*/5 * * * *";
export const DAILY_CRON = "17 3 * * *";

/** In order: the alert checks read the canary run the job before them recorded. */
export const scheduledJobs: readonly ScheduledJob[] = [
  { name: "canary", crons: [FREQUENT_CRON], run: (env, app) => runCanary(env, app) },
  { name: "alerts", crons: [FREQUENT_CRON], run: (env) => checkAlerts(env) },
  { name: "retention", run: (env) => pruneOpsTables(env) },
  // Retention and reconcile for what the sessions' own alarms missed (src/lifecycle/sweep.ts).
  { name: "data-sweep", crons: [DAILY_CRON], run: (env) => sweep(env) },
];

export async function dispatchScheduled(controller: ScheduledController, env: Env, app: AppFetch, jobs = scheduledJobs): Promise<void> {
  for (const job of jobs) {
    if (job.crons && !job.crons.includes(controller.cron)) continue;
    const started = Date.now();
    try {
      await job.run(env, app, controller);
      log({
        level: "info",
        msg: "scheduled job",
        job: job.name,
        ok: true,
        durationMs: Date.now() - started,
        workerVersion: env.CF_VERSION_METADATA?.id,
      });
    } catch (err) {
      log({
        level: "error",
        msg: "scheduled job",
        job: job.name,
        ok: false,
        durationMs: Date.now() - started,
        error: err instanceof Error ? err.name : typeof err,
        workerVersion: env.CF_VERSION_METADATA?.id,
      });
    }
  }
}
