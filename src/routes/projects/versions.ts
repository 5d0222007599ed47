import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, currentUser } from "../../http/auth";
import { problemResponses } from "../../http/problem";
import { messageLanguage } from "../../http/language";
import { createRouter } from "../../http/router";
import { database } from "../../store/db";
import { DraftStatusSchema, FileProblemsSchema, VersionDiffSchema, VersionSchema, VersionSummarySchema } from "../../authoring/models";
import { VersionNumberSchema } from "../../authoring/semver";
import { TestReportSchema } from "../../authoring/testing/report";
import { diffVersions, draftStatus, getVersion, listVersions, publish, rollback } from "../../authoring/versions";
import { ProjectParams, VersionParams, authorsOnly } from "./params";
import { listOf, PageQuery, jsonBody, jsonResponse } from "../../http/openapi";

const common = { tags: ["versions"], security: bearerSecurity, middleware: authorsOnly };

const ReleaseNote = z.string().max(5000);

const PublishBody = z
  .object({
    versionNumber: VersionNumberSchema.openapi({
      description: "MAJOR.MINOR.PATCH (a leading v is dropped), greater than every existing version of the project",
    }),
    releaseNote: ReleaseNote.default(""),
    force: z.boolean().optional().openapi({ description: "Admins only: publish even though conversation tests fail (audited with how many failed)" }),
  })
  .strict()
  .openapi("PublishRequest");

const RollbackBody = z
  .object({
    targetVersionId: z.uuid().openapi({ description: "The version whose files come back" }),
    releaseNote: ReleaseNote.optional().openapi({ description: 'Default: "Rolled back to version <n>"' }),
  })
  .strict()
  .openapi("RollbackRequest");

const DraftInvalidSchema = z
  .object({ code: z.literal("DRAFT_INVALID"), files: FileProblemsSchema })
  .catchall(z.unknown())
  .openapi("DraftInvalidProblem");

const TestsFailedSchema = z
  .object({ code: z.literal("TESTS_FAILED"), report: TestReportSchema })
  .catchall(z.unknown())
  .openapi("TestsFailedProblem");

const draft = createRoute({
  method: "get",
  operationId: "getDraft",
  path: "/api/projects/{id}/draft",
  ...common,
  summary: "What is unpublished, and can it be published",
  description: "The workspace compared with the current version, with error and warning counts per file.",
  request: { params: ProjectParams },
  responses: { 200: jsonResponse(DraftStatusSchema, "The draft status"), ...problemResponses(400, 401, 403, 404) },
});

const publishRoute = createRoute({
  method: "post",
  operationId: "publishVersion",
  path: "/api/projects/{id}/publish",
  ...common,
  summary: "Publish the workspace as a new version",
  description:
    "Snapshots every file atomically. Refused (422 DRAFT_INVALID, with each file's errors) while any file has errors; (422 TESTS_FAILED, with the test `report`) while a conversation test fails, unless an admin sends `force: true` (403 FORCE_NOT_ALLOWED for anyone else; the audit entry records the forced publish and how many tests failed); and (409) when the number exists (VERSION_EXISTS) or is not greater than every existing version (VERSION_NOT_INCREASING). New client sessions start on it; running sessions keep the version they started on.",
  request: { params: ProjectParams, body: jsonBody(PublishBody) },
  responses: {
    201: jsonResponse(VersionSummarySchema, "The new version"),
    422: {
      description: "Some files have errors, or some tests fail",
      content: { "application/problem+json": { schema: z.union([DraftInvalidSchema, TestsFailedSchema]) } },
    },
    ...problemResponses(400, 401, 403, 404, 409),
  },
});

const list = createRoute({
  method: "get",
  operationId: "listVersions",
  path: "/api/projects/{id}/versions",
  ...common,
  summary: "Version history",
  description: "Highest version number first.",
  request: { params: ProjectParams, query: PageQuery },
  responses: { 200: jsonResponse(listOf(VersionSummarySchema, "VersionList"), "A page of versions"), ...problemResponses(400, 401, 403, 404) },
});

const get = createRoute({
  method: "get",
  operationId: "getVersion",
  path: "/api/projects/{id}/versions/{versionId}",
  ...common,
  summary: "A version with its files and their contents",
  request: { params: VersionParams },
  responses: { 200: jsonResponse(VersionSchema, "The version"), ...problemResponses(400, 401, 403, 404) },
});

const diff = createRoute({
  method: "get",
  operationId: "diffVersion",
  path: "/api/projects/{id}/versions/{versionId}/diff",
  ...common,
  summary: "Compare two versions",
  description:
    "Files added, removed and modified from `compareWith` (default: the previous version number) to this version, each with a unified line diff.",
  request: {
    params: VersionParams,
    query: z.object({ compareWith: z.uuid().optional().openapi({ description: "The version to compare against" }) }),
  },
  responses: { 200: jsonResponse(VersionDiffSchema, "The differences"), ...problemResponses(400, 401, 403, 404) },
});

const rollbackRoute = createRoute({
  method: "post",
  operationId: "rollbackVersion",
  path: "/api/projects/{id}/rollback",
  ...common,
  summary: "Roll back to an earlier version",
  description:
    "Restores the workspace to that version's files and publishes them as the next patch version (`isRollback: true`), atomically. Unpublished edits in the workspace are replaced.",
  request: { params: ProjectParams, body: jsonBody(RollbackBody) },
  responses: { 201: jsonResponse(VersionSummarySchema, "The new version"), ...problemResponses(400, 401, 403, 404, 409) },
});

export const versionRoutes = createRouter()
  .openapi(draft, async (c) => c.json(await draftStatus(database(c.env.DB), c.req.valid("param").id, currentUser(c), messageLanguage(c)), 200))
  .openapi(publishRoute, async (c) => {
    const { id } = c.req.valid("param");
    const version = await publish(c.env, id, currentUser(c), c.req.valid("json"), messageLanguage(c));
    c.header("Location", `/api/projects/${id}/versions/${version.id}`);
    return c.json(version, 201);
  })
  .openapi(list, async (c) => c.json(await listVersions(database(c.env.DB), c.req.valid("param").id, currentUser(c), c.req.valid("query")), 200))
  .openapi(get, async (c) => {
    const { id, versionId } = c.req.valid("param");
    return c.json(await getVersion(database(c.env.DB), id, versionId, currentUser(c)), 200);
  })
  .openapi(diff, async (c) => {
    const { id, versionId } = c.req.valid("param");
    return c.json(await diffVersions(database(c.env.DB), id, versionId, c.req.valid("query").compareWith, currentUser(c)), 200);
  })
  .openapi(rollbackRoute, async (c) => {
    const { id } = c.req.valid("param");
    const version = await rollback(c.env, id, currentUser(c), c.req.valid("json"));
    c.header("Location", `/api/projects/${id}/versions/${version.id}`);
    return c.json(version, 201);
  });
