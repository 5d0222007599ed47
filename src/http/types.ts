import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Env } from "../config";
import type { AuthUser } from "./user";

/** Hono generics for every route module: bindings plus per-request variables. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    user?: AuthUser;
  };
}

export type App = OpenAPIHono<AppEnv>;
