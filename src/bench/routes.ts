/**
 * Routes the benchmark needs and nobody else: they exist only when
 * ENVIRONMENT is `development` or `bench`, and answer 404 everywhere else,
 * before any other check, like an unknown address. They are left out of the
 * OpenAPI document because they are not part of the API.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { getConfig } from "../config";
import { ProblemError } from "../http/problem";
import { createRouter } from "../http/router";
import type { AppEnv } from "../http/types";

const benchEnvironments: readonly string[] = ["development", "bench"];

export const benchOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (!benchEnvironments.includes(getConfig(c.env).ENVIRONMENT)) {
    throw new ProblemError(404, "NOT_FOUND", "There is nothing at this address.");
  }
  await next();
});

const echoSocket = createRoute({
  method: "get",
  path: "/api/bench/echo/{name}/ws",
  hide: true,
  middleware: [benchOnly] as const,
  request: {
    params: z.object({ name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
  },
  responses: {
    101: { description: "The WebSocket of the echo object called `name`; every frame comes straight back" },
  },
});

export const benchRoutes = createRouter().openapi(echoSocket, (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new ProblemError(400, "BAD_REQUEST", "Open this address as a WebSocket.");
  }
  const namespace = c.env.BENCH_ECHO;
  return namespace.get(namespace.idFromName(c.req.valid("param").name)).fetch(c.req.raw);
});
