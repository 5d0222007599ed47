import { createRoute } from "@hono/zod-openapi";
import { LanguageSchema } from "../../engine/script/schema";
import { bearerSecurity, requireAuth } from "../../http/auth";
import { problemResponses } from "../../http/problem";
import { createRouter } from "../../http/router";
import { database } from "../../store/db";
import { PublishedScriptSchema } from "../../authoring/models";
import { listPublishedScripts } from "../../authoring/published";
import { listOf, PageQuery, jsonResponse } from "../../http/openapi";

const published = createRoute({
  method: "get",
  operationId: "listPublishedProjects",
  path: "/api/projects/published",
  tags: ["projects"],
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  summary: "Session scripts you can start",
  description:
    "Every role. One item per session script of each published project's current version; pass `projectId` and `path` (or `sessionId`) to `POST /api/sessions`.",
  request: { query: PageQuery.extend({ language: LanguageSchema.optional() }) },
  responses: { 200: jsonResponse(listOf(PublishedScriptSchema, "PublishedScriptList"), "A page of scripts"), ...problemResponses(400, 401) },
});

export const publishedRoutes = createRouter().openapi(published, async (c) =>
  c.json(await listPublishedScripts(database(c.env.DB), c.req.valid("query")), 200),
);
