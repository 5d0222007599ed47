import { createRoute, z } from "@hono/zod-openapi";
import { LanguageSchema } from "../../engine/script/schema";
import { bearerSecurity, currentUser } from "../../http/auth";
import { problemResponses } from "../../http/problem";
import { messageLanguage } from "../../http/language";
import { createRouter } from "../../http/router";
import { database } from "../../store/db";
import { DiagnosticSchema, SchemeSchema, TemplateSchema } from "../../authoring/models";
import { DEFAULT_SCHEME, SchemeNameSchema } from "../../authoring/paths";
import { createScheme, deleteScheme, getScheme, getTemplate, listSchemes, putTemplate, updateScheme } from "../../authoring/schemes";
import { ProjectParams, authorsOnly } from "./params";
import { listOf, jsonBody, jsonResponse } from "../../http/openapi";

const common = { tags: ["templates"], security: bearerSecurity, middleware: authorsOnly };

const SchemeParams = ProjectParams.extend({
  schemeName: SchemeNameSchema.openapi({ param: { name: "schemeName", in: "path" } }),
});
const TemplateParams = SchemeParams.extend({
  templateName: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,64}(\.md)?$/, "a template name such as ai_say (a trailing .md is accepted)")
    .transform((s) => s.replace(/\.md$/, ""))
    .openapi({ param: { name: "templateName", in: "path" }, example: "ai_say" }),
});

const CreateSchemeBody = z
  .object({
    name: SchemeNameSchema,
    description: z.string().max(500).default(""),
    copyFrom: SchemeNameSchema.default(DEFAULT_SCHEME).openapi({
      description: "The scheme whose templates are copied; default: the built-in templates",
    }),
    language: LanguageSchema.optional().openapi({ description: "When copying the built-in templates: their language (default: the project's)" }),
  })
  .strict()
  .openapi("CreateTemplateScheme");

const UpdateSchemeBody = z
  .object({ name: SchemeNameSchema, description: z.string().max(500) })
  .partial()
  .strict()
  .refine((b) => b.name !== undefined || b.description !== undefined, "send `name` (to rename), `description`, or both")
  .openapi("UpdateTemplateScheme");

const PutTemplateBody = z.object({ content: z.string() }).strict().openapi("PutTemplate");

const WrittenTemplateSchema = TemplateSchema.extend({ valid: z.boolean(), diagnostics: z.array(DiagnosticSchema) }).openapi("WrittenTemplate");

const list = createRoute({
  method: "get",
  operationId: "listTemplateSchemes",
  path: "/api/projects/{id}/template-schemes",
  ...common,
  summary: "List template schemes",
  description:
    "`default` (the engine's built-in templates, read-only) first, then the project's schemes. A script uses one with `session.template_scheme`.",
  request: { params: ProjectParams },
  responses: { 200: jsonResponse(listOf(SchemeSchema, "TemplateSchemeList"), "Every scheme (one page)"), ...problemResponses(400, 401, 403, 404) },
});

const create = createRoute({
  method: "post",
  operationId: "createTemplateScheme",
  path: "/api/projects/{id}/template-schemes",
  ...common,
  summary: "Create a template scheme by copying another",
  request: { params: ProjectParams, body: jsonBody(CreateSchemeBody) },
  responses: { 201: jsonResponse(SchemeSchema, "The new scheme"), ...problemResponses(400, 401, 403, 404, 409) },
});

const get = createRoute({
  method: "get",
  operationId: "getTemplateScheme",
  path: "/api/projects/{id}/template-schemes/{schemeName}",
  ...common,
  summary: "One template scheme",
  request: { params: SchemeParams },
  responses: { 200: jsonResponse(SchemeSchema, "The scheme"), ...problemResponses(400, 401, 403, 404) },
});

const update = createRoute({
  method: "patch",
  operationId: "updateTemplateScheme",
  path: "/api/projects/{id}/template-schemes/{schemeName}",
  ...common,
  summary: "Rename or describe a template scheme",
  description: "Renaming moves its files. A scheme that scripts use cannot be renamed (409 SCHEME_IN_USE); `default` cannot be changed.",
  request: { params: SchemeParams, body: jsonBody(UpdateSchemeBody) },
  responses: { 200: jsonResponse(SchemeSchema, "The scheme"), ...problemResponses(400, 401, 403, 404, 409) },
});

const remove = createRoute({
  method: "delete",
  operationId: "deleteTemplateScheme",
  path: "/api/projects/{id}/template-schemes/{schemeName}",
  ...common,
  summary: "Delete a template scheme and its templates",
  description: "Refused while scripts use it (409 SCHEME_IN_USE). Published versions keep their copy.",
  request: { params: SchemeParams },
  responses: { 204: { description: "Deleted" }, ...problemResponses(400, 401, 403, 404, 409) },
});

const getTemplateRoute = createRoute({
  method: "get",
  operationId: "getTemplate",
  path: "/api/projects/{id}/templates/{schemeName}/{templateName}",
  ...common,
  summary: "The template a scheme gives sessions",
  description: "The scheme's own file, or the built-in template (`isDefault: true`) where the scheme has none.",
  request: { params: TemplateParams, query: z.object({ language: LanguageSchema.optional() }) },
  responses: { 200: jsonResponse(TemplateSchema, "The template"), ...problemResponses(400, 401, 403, 404) },
});

const putTemplateRoute = createRoute({
  method: "put",
  operationId: "putTemplate",
  path: "/api/projects/{id}/templates/{schemeName}/{templateName}",
  ...common,
  summary: "Write a scheme's template",
  description: "Creates or replaces templates/<scheme>/<templateName>.md. The `default` scheme is read-only (409 SCHEME_READ_ONLY).",
  request: { params: TemplateParams, body: jsonBody(PutTemplateBody) },
  responses: {
    200: jsonResponse(WrittenTemplateSchema, "The saved template and its diagnostics"),
    ...problemResponses(400, 401, 403, 404, 409, 413),
  },
});

export const templateRoutes = createRouter()
  .openapi(list, async (c) =>
    c.json({ items: await listSchemes(database(c.env.DB), c.req.valid("param").id, currentUser(c)), nextCursor: null }, 200),
  )
  .openapi(create, async (c) => {
    const { id } = c.req.valid("param");
    const scheme = await createScheme(database(c.env.DB), id, currentUser(c), c.req.valid("json"), messageLanguage(c));
    c.header("Location", `/api/projects/${id}/template-schemes/${scheme.name}`);
    return c.json(scheme, 201);
  })
  .openapi(get, async (c) => {
    const { id, schemeName } = c.req.valid("param");
    return c.json(await getScheme(database(c.env.DB), id, schemeName, currentUser(c)), 200);
  })
  .openapi(update, async (c) => {
    const { id, schemeName } = c.req.valid("param");
    return c.json(await updateScheme(database(c.env.DB), id, schemeName, currentUser(c), c.req.valid("json")), 200);
  })
  .openapi(remove, async (c) => {
    const { id, schemeName } = c.req.valid("param");
    await deleteScheme(database(c.env.DB), id, schemeName, currentUser(c));
    return c.body(null, 204);
  })
  .openapi(getTemplateRoute, async (c) => {
    const { id, schemeName, templateName } = c.req.valid("param");
    return c.json(await getTemplate(database(c.env.DB), id, schemeName, templateName, currentUser(c), c.req.valid("query").language), 200);
  })
  .openapi(putTemplateRoute, async (c) => {
    const { id, schemeName, templateName } = c.req.valid("param");
    const { content } = c.req.valid("json");
    return c.json(await putTemplate(database(c.env.DB), id, schemeName, templateName, currentUser(c), content, messageLanguage(c)), 200);
  });
