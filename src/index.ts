import { createApp } from "./app";
import type { Env } from "./config";

export { BenchEcho } from "./bench/echo";
export { Dispatch } from "./dispatch/dispatch";
export { SessionActor } from "./session/actor";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
