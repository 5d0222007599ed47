import { createApp } from "./app";
import type { Env } from "./config";
import { dispatchScheduled } from "./ops/cron";
import { consumeMirror } from "./session/mirror/consumer";

export { BenchEcho } from "./bench/echo";
export { UsageCounter } from "./limits/usage-counter";
export { Dispatch } from "./dispatch/dispatch";
export { SessionActor } from "./session/actor";

const app = createApp();

export default {
  fetch: app.fetch,
  // Cron Triggers ([triggers] in wrangler.toml): the jobs of src/ops/cron.ts (canary, alerts, retention, the data sweep).
  scheduled: (controller, env) => dispatchScheduled(controller, env, (request, bindings) => app.fetch(request, bindings)),
  // The D1 mirror's queue (MIRROR_VIA_QUEUE): many sessions' batches per D1 batch.
  queue: (batch, env, ctx) => consumeMirror(batch, env, ctx),
} satisfies ExportedHandler<Env>;
