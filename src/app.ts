import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { methodNotAllowed } from "hono/method-not-allowed";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import pkg from "../package.json";
import { benchRoutes, benchTag } from "./bench/routes";
import { ConfigError, getConfig, isLocal } from "./config";
import { DomainError, type ErrorCode } from "./errors";
import { noStore } from "./http/cache";
import { asyncApiDocument } from "./http/asyncapi";
import { withoutLocalOnly } from "./http/openapi";
import { docsContentSecurityPolicy, docsPageHtml } from "./http/docs-page";
import { requestLog } from "./http/logging";
import { domainErrorResponse, problemResponse } from "./http/problem";
import type { AppEnv } from "./http/types";
import { adminTag, metricsRoutes } from "./routes/admin/metrics";
import { authRoutes } from "./routes/auth";
import { counselorRoutes, counselorTag } from "./routes/counselor";
import { crisisResourceRoutes } from "./routes/crisis-resources";
import { healthRoutes } from "./routes/health";
import { authoringRoutes, authoringTags } from "./routes/projects";
import { scriptRoutes } from "./routes/scripts";
import { sessionRoutes, sessionTag } from "./routes/sessions";
import { mirrorRoutes } from "./routes/admin/mirror";
import { userDataRoutes } from "./routes/users/data";
import { log } from "./log";

/** JSON bodies above this are refused before parsing; routes may set lower limits. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Hono raises these itself (malformed JSON, a body over the limit, …): the code each status stands for. */
const statusCodes: Record<number, ErrorCode> = {
  400: "BAD_REQUEST",
  401: "UNAUTHENTICATED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  503: "SERVICE_UNAVAILABLE",
};

const commonSecurityHeaders = {
  strictTransportSecurity: "max-age=31536000; includeSubDomains",
  referrerPolicy: "no-referrer",
  crossOriginResourcePolicy: false,
} as const;

/** What the OpenAPI document says beside its operations. */
function documentConfig(origin: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "HeartRule API",
      version: pkg.version,
      description:
        "Script-driven AI counseling sessions: authoring, sessions over REST, SSE and WebSocket (its frames and the SSE events: `/asyncapi.json`). Errors are RFC 9457 problem details with a stable `code`.",
    },
    servers: [{ url: origin }],
    tags: [
      { name: "health", description: "Liveness and readiness" },
      { name: "auth", description: "Tokens for local development" },
      { name: "safety", description: "Crisis lines for the clients, without a token" },
      ...authoringTags,
      { name: "scripts", description: "Check counseling scripts; the JSON Schema of the script language" },
      sessionTag,
      counselorTag,
      { name: "operations", description: "Data lifecycle: erasure of a user's data, the D1 mirror's lag and reconcile" },
      benchTag,
      adminTag,
    ],
  };
}

export function createApp() {
  const app = new OpenAPIHono<AppEnv>();

  app.use(requestId({ headerName: "X-Request-Id", limitLength: 128 }));
  app.use(requestLog);
  // Fail fast and loudly on a misconfigured deploy, before any route runs.
  app.use(async (c, next) => {
    getConfig(c.env);
    await next();
  });
  const apiHeaders = secureHeaders({
    // The API answers JSON only: nothing in a response may load or run anything.
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    ...commonSecurityHeaders,
  });
  // The docs UI is the one HTML page the Worker renders; its viewer is one of this Worker's static assets.
  const docsHeaders = secureHeaders({ contentSecurityPolicy: docsContentSecurityPolicy, ...commonSecurityHeaders });
  app.use((c, next) => (c.req.path === "/docs" ? docsHeaders(c, next) : apiHeaders(c, next)));
  app.use("/api/*", noStore);
  app.use(
    "/api/*",
    cors({
      origin: (origin, c) => (getConfig(c.env).CORS_ORIGINS.includes(origin) ? origin : null),
      allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
      allowHeaders: ["Authorization", "Content-Type", "X-Request-Id", "Last-Event-ID", "Accept-Language"],
      exposeHeaders: ["X-Request-Id", "Location"],
      maxAge: 600,
    }),
  );
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new DomainError("PAYLOAD_TOO_LARGE", `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
      },
    }),
  );
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, allowed) =>
        problemResponse(c, "METHOD_NOT_ALLOWED", `Use one of: ${allowed.join(", ")}.`, {}, { Allow: allowed.join(", ") }),
    }),
  );

  app.route("/", healthRoutes);
  app.route("/", authRoutes);
  app.route("/", crisisResourceRoutes);
  app.route("/", authoringRoutes);
  app.route("/", scriptRoutes);
  app.route("/", sessionRoutes);
  app.route("/", mirrorRoutes);
  app.route("/", userDataRoutes);
  app.route("/", counselorRoutes);
  app.route("/", benchRoutes);
  app.route("/", metricsRoutes);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "HS256 with JWT_SECRET, or the identity provider's keys when JWKS_URL is set. Claims: `sub` (user id) and `role` (client, author, admin or counselor).",
  });
  // Generated per request (the server is the caller's origin); outside development without the local-only routes.
  app.get("/openapi.json", (c) => {
    const doc = app.getOpenAPI31Document(documentConfig(new URL(c.req.url).origin));
    return c.json(isLocal(getConfig(c.env)) ? doc : withoutLocalOnly(doc));
  });
  app.get("/asyncapi.json", (c) => c.json(asyncApiDocument(new URL(c.req.url).origin)));
  app.get("/docs", (c) => c.html(docsPageHtml));

  app.notFound((c) => problemResponse(c, "NOT_FOUND", "There is nothing at this address."));

  app.onError((err, c) => {
    if (err instanceof DomainError) {
      return domainErrorResponse(c, err);
    }
    if (err instanceof HTTPException) {
      const code = statusCodes[err.status] ?? (err.status < 500 ? "BAD_REQUEST" : "INTERNAL_ERROR");
      return problemResponse(c, code, err.status < 500 ? err.message || undefined : undefined);
    }
    if (err instanceof ConfigError) {
      log({ level: "error", msg: "invalid configuration", fields: err.fields, requestId: c.get("requestId") });
      return problemResponse(c, "CONFIG_INVALID", `Check these settings: ${err.fields.join(", ")}.`);
    }
    // Messages of unexpected errors may quote user content: only local runs log them.
    let local = false;
    try {
      local = isLocal(getConfig(c.env));
    } catch {
      local = false;
    }
    log({
      level: "error",
      msg: "unhandled error",
      requestId: c.get("requestId"),
      error: err instanceof Error ? err.name : typeof err,
      ...(local && err instanceof Error ? { message: err.message, stack: err.stack } : {}),
    });
    return problemResponse(c, "INTERNAL_ERROR", "Something went wrong on our side. Quote the request id if you report it.");
  });

  return app;
}
