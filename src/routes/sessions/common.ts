/** Shared by the session route modules: params, the actor stub, the verified caller. */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bearerSecurity, currentUser, requireAuth } from "../../http/auth";
import type { AppEnv } from "../../http/types";
import type { Caller } from "../../session/requests";

export const SessionParams = z.object({
  id: z.uuid().openapi({ param: { name: "id", in: "path" }, description: "Session id", example: "6f1c2a8e-8c1b-4e8f-9d3a-2b7c5e9a1d40" }),
});

export const common = { tags: ["sessions"], security: bearerSecurity, middleware: [requireAuth()] };

/** The actor's stub, in the namespace the session's id names (session/placement.ts). */
export { sessionActor } from "../../session/placement";

export function callerOf(c: Context<AppEnv>, sessionId: string): Caller {
  return { sessionId, user: currentUser(c), requestId: c.get("requestId") };
}
