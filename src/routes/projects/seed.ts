import { createRoute, z } from "@hono/zod-openapi";
import { problemResponses } from "../../http/problem";
import { createRouter } from "../../http/router";
import { seedSampleProject } from "../../authoring/seed";
import { developmentOnly } from "../auth";
import { jsonResponse, LOCAL_ONLY } from "../../http/openapi";
import { publicSecurity } from "../../http/auth";
import { limitPublicRoute } from "../../limits/rate-limit";

const SeedResultSchema = z
  .object({
    seeded: z.boolean().openapi({ description: "False when the database already had projects" }),
    projectId: z.uuid().nullable(),
    versionNumber: z.string().nullable(),
  })
  .openapi("SeedResult");

const seed = createRoute({
  method: "post",
  operationId: "seedSampleProject",
  middleware: [developmentOnly, limitPublicRoute] as const,
  security: publicSecurity,
  ...LOCAL_ONLY,
  path: "/api/dev/seed",
  tags: ["projects"],
  summary: "Create and publish the sample project when there are no projects",
  description: "Exists only when `ENVIRONMENT=development` (`npm run dev` calls it); answers 404 everywhere else. Idempotent.",
  responses: { 200: jsonResponse(SeedResultSchema, "What was done"), ...problemResponses(404, 429) },
});

export const seedRoutes = createRouter().openapi(seed, async (c) => c.json(await seedSampleProject(c.env), 200));
