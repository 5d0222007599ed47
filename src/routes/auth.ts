import { createRoute, z } from "@hono/zod-openapi";
import { getConfig } from "../config";
import { bearerSecurity, currentUser, mintToken, publicSecurity, requireAuth } from "../http/auth";
import { LOCAL_ONLY } from "../http/openapi";
import { limitPublicRoute } from "../limits/rate-limit";
import { RoleSchema } from "../http/user";
import { problemResponses } from "../http/problem";
import { DomainError } from "../errors";
import { createRouter } from "../http/router";
import type { AppEnv } from "../http/types";
import { createMiddleware } from "hono/factory";
import { seedSampleForAuthor } from "../authoring/seed";
import { database } from "../store/db";

const DevTokenRequest = z
  .object({
    userId: z.string().trim().min(1).max(200).openapi({ example: "counselor-1" }),
    role: RoleSchema,
  })
  .strict()
  .openapi("DevTokenRequest");

const DevTokenResponse = z
  .object({
    token: z.string(),
    tokenType: z.literal("Bearer"),
    expiresAt: z.iso.datetime(),
    user: z.object({ id: z.string(), role: RoleSchema }),
  })
  .openapi("DevTokenResponse");

// Runs before body validation, so outside development the route looks like any unknown address.
export const developmentOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (getConfig(c.env).ENVIRONMENT !== "development") {
    throw new DomainError("NOT_FOUND", "There is nothing at this address.");
  }
  await next();
});

const devToken = createRoute({
  method: "post",
  operationId: "mintDevToken",
  middleware: [developmentOnly, limitPublicRoute] as const,
  security: publicSecurity,
  ...LOCAL_ONLY,
  path: "/api/auth/dev-token",
  tags: ["auth"],
  summary: "Mint a token for local development",
  description:
    'Exists only when `ENVIRONMENT=development`; answers 404 everywhere else. An `author` who owns no project yet gets a draft copy of the sample project ("HeartRule samples").',
  request: { body: { required: true, content: { "application/json": { schema: DevTokenRequest } } } },
  responses: {
    200: {
      description: "A signed HS256 token valid for 15 minutes; mint another before it runs out",
      content: { "application/json": { schema: DevTokenResponse } },
    },
    ...problemResponses(400, 404),
  },
});

const UserSchema = z.object({ id: z.string(), role: RoleSchema }).openapi("User");

const me = createRoute({
  method: "get",
  operationId: "getCurrentUser",
  path: "/api/auth/me",
  tags: ["auth"],
  summary: "Who the bearer token says you are",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  responses: {
    200: { description: "The verified user", content: { "application/json": { schema: UserSchema } } },
    ...problemResponses(401),
  },
});

export const authRoutes = createRouter()
  .openapi(me, (c) => {
    const user = currentUser(c);
    return c.json({ id: user.id, role: user.role }, 200);
  })
  .openapi(devToken, async (c) => {
    const { userId, role } = c.req.valid("json");
    const secret = getConfig(c.env).JWT_SECRET;
    if (!secret) {
      throw new DomainError("CONFIG_INVALID", "JWT_SECRET is not set; copy .dev.vars.example to .dev.vars.");
    }
    const { token, expiresAt } = await mintToken({ id: userId, role }, secret);
    await seedSampleForAuthor(database(c.env.DB), { id: userId, role });
    return c.json({ token, tokenType: "Bearer" as const, expiresAt, user: { id: userId, role } }, 200);
  });
