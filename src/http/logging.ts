import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import { workerVersion } from "../ops/analytics";
import type { AppEnv } from "./types";
import { log } from "../log";

/** Routes whose `:id` is a session's. */
const SESSION_ROUTE = /^\/api\/sessions\/:id(\/|$)/;

/**
 * One structured line per request. Only metadata: the route pattern as registered
 * (never the raw URL, which may hold search terms), the session id when the route
 * names one, the Worker version; never bodies or headers, because requests carry
 * counseling content. A streamed body (SSE) is timed to its end, not to its first byte.
 */
export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  await next();
  // The handler that answered: routePath(c, -1) would be the last route matching the path,
  // which for /api/projects/published is /api/projects/:id, registered after it.
  const route = routePath(c);
  const line = {
    level: c.res.status >= 500 ? ("error" as const) : ("info" as const),
    msg: "request",
    method: c.req.method,
    route,
    status: c.res.status,
    requestId: c.get("requestId"),
    userId: c.get("user")?.id,
    sessionId: c.get("sessionId") ?? (SESSION_ROUTE.test(route) ? c.req.param("id") : undefined),
    workerVersion: workerVersion(c.env),
  };
  const body = c.res.body;
  if (!c.res.headers.get("content-type")?.startsWith("text/event-stream") || !body) {
    log({ ...line, durationMs: Date.now() - started });
    return;
  }
  c.res = new Response(
    timed(body, () => log({ ...line, durationMs: Date.now() - started })),
    c.res,
  );
});

/** The same stream, calling `ended` once when it ends, fails or its reader cancels it. */
function timed(body: ReadableStream<Uint8Array>, ended: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let called = false;
  const once = () => {
    if (called) return;
    called = true;
    ended();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          once();
          controller.close();
        } else controller.enqueue(value);
      } catch (err) {
        once();
        controller.error(err);
      }
    },
    cancel(reason) {
      once();
      return reader.cancel(reason);
    },
  });
}
