/** Shared by the session route modules: params, the actor stub, the verified caller. */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Env } from "../../config";
import { bearerSecurity, currentUser, requireAuth } from "../../http/auth";
import type { AppEnv } from "../../http/types";
import type { Caller } from "../../session/requests";
import type { SessionActorRpc } from "../../session/rpc";

export const SessionParams = z.object({
  id: z.uuid().openapi({ param: { name: "id", in: "path" }, description: "Session id", example: "6f1c2a8e-8c1b-4e8f-9d3a-2b7c5e9a1d40" }),
});

export const common = { tags: ["sessions"], security: bearerSecurity, middleware: [requireAuth()] };

/** The actor's stub as its RPC surface. The stub's generated types recurse too deeply on JSON-valued results, and RPC returns these values unchanged. */
export function sessionActor(env: Env, sessionId: string): SessionActorRpc {
  return env.SESSION_ACTOR.get(env.SESSION_ACTOR.idFromName(sessionId)) as unknown as SessionActorRpc;
}

export function callerOf(c: Context<AppEnv>, sessionId: string): Caller {
  return { sessionId, user: currentUser(c), requestId: c.get("requestId") };
}
