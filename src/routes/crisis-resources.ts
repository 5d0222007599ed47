/**
 * GET /api/crisis-resources: the crisis lines the clients show, from the
 * deployment's CRISIS_RESOURCES or the defaults, the same table the prompts
 * use. Public on purpose: a person in crisis must get them even when their
 * sign-in fails or has expired.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { getConfig } from "../config";
import {
  type CrisisResource,
  type CrisisResourceTable,
  crisisResourceSchema,
  crisisResourcesFor,
  defaultCrisisResources,
} from "../engine/safety/resources";
import { problemResponses } from "../http/problem";
import { publicSecurity } from "../http/auth";
import { limitPublicRoute } from "../limits/rate-limit";
import { jsonResponse } from "../http/openapi";
import { createRouter } from "../http/router";

/** How long a client or cache may keep an answer: short, so a changed configuration reaches clients soon. */
const MAX_AGE_SECONDS = 300;

const CrisisResourcesQuery = z.object({
  locale: z
    .string()
    .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "a BCP 47 tag such as en-US or zh-CN")
    .max(35)
    .default("en-US")
    .openapi({ description: "The session's language (BCP 47)", example: "zh-CN" }),
});

const CrisisResourceListSchema = z
  .object({
    locale: z.string().openapi({ description: "The locale whose lines these are (en-US when neither table has the language)", example: "zh-CN" }),
    source: z.enum(["configured", "default"]).openapi({ description: "`configured`: from CRISIS_RESOURCES; `default`: the built-in table" }),
    resources: z.array(crisisResourceSchema.openapi("CrisisResource")).min(1),
  })
  .openapi("CrisisResources");

const route = createRoute({
  method: "get",
  operationId: "listCrisisResources",
  path: "/api/crisis-resources",
  tags: ["safety"],
  summary: "Crisis lines for a locale",
  description: `No token needed. Cacheable for ${MAX_AGE_SECONDS} seconds.`,
  request: { query: CrisisResourcesQuery },
  security: publicSecurity,
  middleware: [limitPublicRoute] as const,
  responses: { 200: jsonResponse(CrisisResourceListSchema, "The lines to offer, in order"), ...problemResponses(400, 429) },
});

/**
 * Which table and key the chosen list came from: crisisResourcesFor answers
 * one of the tables' own arrays, so identity names its locale.
 */
function originOf(resources: CrisisResource[], configured: CrisisResourceTable | undefined) {
  for (const [source, table] of [
    ["configured", configured],
    ["default", defaultCrisisResources],
  ] as const) {
    const locale = Object.entries(table ?? {}).find(([, list]) => list === resources)?.[0];
    if (locale) return { locale, source };
  }
  return { locale: "en-US", source: "default" as const };
}

export const crisisResourceRoutes = createRouter().openapi(route, (c) => {
  const { locale } = c.req.valid("query");
  const configured = getConfig(c.env).CRISIS_RESOURCES;
  const resources = crisisResourcesFor(locale, configured);
  return c.json({ ...originOf(resources, configured), resources }, 200, { "Cache-Control": `public, max-age=${MAX_AGE_SECONDS}` });
});
