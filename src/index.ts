import { createApp } from "./app";
import type { Env } from "./config";
import { sweep } from "./lifecycle/sweep";

export { BenchEcho } from "./bench/echo";
export { SessionActor } from "./session/actor";

const app = createApp();

export default {
  fetch: app.fetch,
  // The daily Cron (wrangler.toml [triggers]): retention and reconcile for what the sessions' alarms missed.
  scheduled: (_controller, env, ctx) => ctx.waitUntil(sweep(env).then(() => undefined)),
} satisfies ExportedHandler<Env>;
