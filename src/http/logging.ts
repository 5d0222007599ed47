import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { AppEnv } from "./types";
import { log } from "../log";

/**
 * One structured line per request. Only metadata: the matched route pattern
 * (never the raw URL, which may hold search terms), never bodies or headers,
 * because requests carry counseling content.
 */
export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  await next();
  const line = {
    level: c.res.status >= 500 ? ("error" as const) : ("info" as const),
    msg: "request",
    method: c.req.method,
    route: routePath(c, -1),
    status: c.res.status,
    durationMs: Date.now() - started,
    requestId: c.get("requestId"),
    userId: c.get("user")?.id,
  };
  log(line);
});
