/**
 * Who a verified token says the caller is. Kept apart from auth.ts (which
 * reads the config to verify tokens) so the types the actor's RPC carries
 * do not import the config, which imports the RPC surface back.
 */
import { z } from "@hono/zod-openapi";

export const roles = ["client", "author", "admin", "counselor"] as const;
export const RoleSchema = z.enum(roles).openapi({
  description:
    "client talks to scripts; author writes them; admin does both for everyone; counselor reads the sessions flagged for attention and the safety report",
});
export type Role = z.infer<typeof RoleSchema>;

export interface AuthUser {
  id: string;
  role: Role;
}
