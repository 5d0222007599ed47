import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./types";

/**
 * API responses carry a person's session content or a token, or a problem
 * about them: no cache (browser, proxy, CDN) may keep a copy. A route whose
 * answer is the same for everyone opts out by setting a `public` Cache-Control
 * itself; `no-transform` (the event stream's, so no proxy buffers it) is kept.
 */
export const noStore = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const current = c.res.headers.get("cache-control") ?? "";
  if (/\bpublic\b/i.test(current)) return;
  c.res.headers.set("Cache-Control", /\bno-transform\b/i.test(current) ? "no-store, no-transform" : "no-store");
});
