import { createRoute, z } from "@hono/zod-openapi";
import { LanguageSchema } from "../../engine/script/schema";
import { bearerSecurity, currentUser } from "../../http/auth";
import { problemResponses } from "../../http/problem";
import { messageLanguage } from "../../http/language";
import { createRouter } from "../../http/router";
import { database } from "../../store/db";
import { listAudit } from "../../authoring/audit";
import { AuditEventSchema, ProjectDetailSchema, ProjectSchema, ProjectStatusSchema } from "../../authoring/models";
import { changeStatus, copyProject, createProject, getProject, listProjects, updateProject } from "../../authoring/projects";
import { starterNames } from "../../authoring/starters";
import { ProjectParams, authorsOnly } from "./params";
import { listOf, PageQuery, jsonBody, jsonResponse } from "../../http/openapi";

const tags = ["projects"];
const common = { tags, security: bearerSecurity, middleware: authorsOnly };

const ProjectName = z.string().trim().min(1).max(200);
const Description = z.string().max(2000);
const Tags = z.array(z.string().trim().min(1).max(50)).max(20);

const CreateProjectBody = z
  .object({
    projectName: ProjectName.openapi({ example: "Intake interviews" }),
    description: Description.default(""),
    tags: Tags.default([]),
    language: LanguageSchema.default("zh-CN"),
    template: z.enum(starterNames).default("blank").openapi({
      description: "blank: a globals file and a hello-world session; sample: the bundled sample scripts (scripts/sessions/)",
    }),
  })
  .strict()
  .openapi("CreateProject");

const UpdateProjectBody = z
  .object({ projectName: ProjectName, description: Description, tags: Tags, language: LanguageSchema })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, "send at least one field to change")
  .openapi("UpdateProject");

const StatusChangeBody = z
  .object({ reason: z.string().max(1000).default("") })
  .strict()
  .openapi("StatusChangeRequest");

const CopyBody = z
  .object({ projectName: ProjectName.optional().openapi({ description: 'Default: "<name> (copy)"' }) })
  .strict()
  .openapi("CopyProject");

const ListQuery = PageQuery.extend({
  status: z
    .union([ProjectStatusSchema, z.literal("all")])
    .optional()
    .openapi({
      description: "One status, or `all`. Default: draft and published (archived and deprecated are left out).",
    }),
  search: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .openapi({ description: "Text in the name or description (case-insensitive for ASCII; `%` and `_` are literal)" }),
  ownerId: z.string().min(1).max(200).optional().openapi({ description: "Admins: one owner's projects. Authors only ever see their own." }),
});

const list = createRoute({
  method: "get",
  operationId: "listProjects",
  path: "/api/projects",
  ...common,
  summary: "List projects",
  description: "Authors see their own projects, admins everyone's. Most recently changed first, with file counts.",
  request: { query: ListQuery },
  responses: { 200: jsonResponse(listOf(ProjectSchema, "ProjectList"), "A page of projects"), ...problemResponses(400, 401, 403) },
});

const create = createRoute({
  method: "post",
  operationId: "createProject",
  path: "/api/projects",
  ...common,
  summary: "Create a project",
  description: "Owned by the caller, in draft, with the starter files of `template`.",
  request: { body: jsonBody(CreateProjectBody) },
  responses: { 201: jsonResponse(ProjectSchema, "The new project"), ...problemResponses(400, 401, 403) },
});

const get = createRoute({
  method: "get",
  operationId: "getProject",
  path: "/api/projects/{id}",
  ...common,
  summary: "Get a project",
  description: "With its files (without contents) and status history.",
  request: { params: ProjectParams },
  responses: { 200: jsonResponse(ProjectDetailSchema, "The project"), ...problemResponses(400, 401, 403, 404) },
});

const update = createRoute({
  method: "put",
  operationId: "updateProject",
  path: "/api/projects/{id}",
  ...common,
  summary: "Change a project's name, description, tags or language",
  request: { params: ProjectParams, body: jsonBody(UpdateProjectBody) },
  responses: { 200: jsonResponse(ProjectSchema, "The updated project"), ...problemResponses(400, 401, 403, 404, 409) },
});

const archive = createRoute({
  method: "delete",
  operationId: "archiveProject",
  path: "/api/projects/{id}",
  ...common,
  summary: "Archive a project",
  description: "Not a deletion: the project becomes read-only, leaves the default list and starts no new sessions. Restore undoes it.",
  request: { params: ProjectParams },
  responses: { 200: jsonResponse(ProjectSchema, "The archived project"), ...problemResponses(400, 401, 403, 404, 409) },
});

const statusRoute = (action: "deprecate" | "restore", summary: string, description: string) =>
  createRoute({
    method: "post",
    operationId: `${action}Project`,
    path: `/api/projects/{id}/${action}`,
    ...common,
    summary,
    description,
    request: { params: ProjectParams, body: { ...jsonBody(StatusChangeBody), required: false } },
    responses: { 200: jsonResponse(ProjectSchema, "The project"), ...problemResponses(400, 401, 403, 404, 409) },
  });

const deprecate = statusRoute(
  "deprecate",
  "Deprecate a project",
  "A soft delete with a reason: read-only, hidden from the default list, no new sessions. Recorded in the status history.",
);
const restore = statusRoute(
  "restore",
  "Restore an archived or deprecated project",
  "Back to `published` if it has a current version, otherwise `draft`. Recorded in the status history.",
);

const copy = createRoute({
  method: "post",
  operationId: "copyProject",
  path: "/api/projects/{id}/copy",
  ...common,
  summary: "Copy a project",
  description: "A new draft owned by the caller with every file (paths, templates and schemes included); versions are not copied.",
  request: { params: ProjectParams, body: { ...jsonBody(CopyBody), required: false } },
  responses: { 201: jsonResponse(ProjectSchema, "The copy"), ...problemResponses(400, 401, 403, 404) },
});

const audit = createRoute({
  method: "get",
  operationId: "getProjectAudit",
  path: "/api/projects/{id}/audit",
  ...common,
  summary: "Who changed what in a project",
  description: "Newest first. Details never include file contents.",
  request: { params: ProjectParams, query: PageQuery },
  responses: { 200: jsonResponse(listOf(AuditEventSchema, "AuditEventList"), "A page of changes"), ...problemResponses(400, 401, 403, 404) },
});

export const projectRoutes = createRouter()
  .openapi(list, async (c) => c.json(await listProjects(database(c.env.DB), currentUser(c), c.req.valid("query")), 200))
  .openapi(create, async (c) => {
    const project = await createProject(database(c.env.DB), currentUser(c), c.req.valid("json"), messageLanguage(c));
    c.header("Location", `/api/projects/${project.id}`);
    return c.json(project, 201);
  })
  .openapi(get, async (c) => c.json(await getProject(database(c.env.DB), c.req.valid("param").id, currentUser(c)), 200))
  .openapi(update, async (c) => c.json(await updateProject(database(c.env.DB), c.req.valid("param").id, currentUser(c), c.req.valid("json")), 200))
  .openapi(archive, async (c) => c.json(await changeStatus(c.env, c.req.valid("param").id, currentUser(c), "archive", ""), 200))
  .openapi(deprecate, async (c) =>
    c.json(await changeStatus(c.env, c.req.valid("param").id, currentUser(c), "deprecate", c.req.valid("json")?.reason ?? ""), 200),
  )
  .openapi(restore, async (c) =>
    c.json(await changeStatus(c.env, c.req.valid("param").id, currentUser(c), "restore", c.req.valid("json")?.reason ?? ""), 200),
  )
  .openapi(copy, async (c) => {
    const project = await copyProject(database(c.env.DB), c.req.valid("param").id, currentUser(c), c.req.valid("json")?.projectName);
    c.header("Location", `/api/projects/${project.id}`);
    return c.json(project, 201);
  })
  .openapi(audit, async (c) => c.json(await listAudit(database(c.env.DB), c.req.valid("param").id, currentUser(c), c.req.valid("query")), 200));
