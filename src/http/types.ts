import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Env } from "../config";
import type { AuthUser } from "./user";

/** Hono generics for every route module: bindings plus per-request variables. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    user?: AuthUser;
    /** The session a request made (POST /api/sessions), for its log line; routes with a session id in the path need none. */
    sessionId?: string;
  };
}

export type App = OpenAPIHono<AppEnv>;
