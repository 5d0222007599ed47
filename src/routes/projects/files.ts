import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, currentUser } from "../../http/auth";
import { problemResponses } from "../../http/problem";
import { messageLanguage } from "../../http/language";
import { createRouter } from "../../http/router";
import { database } from "../../store/db";
import { createFile, deleteFile, getFile, listFiles, updateFile } from "../../authoring/files";
import { FileKindSchema, FileSummarySchema, ValidatedFileSchema } from "../../authoring/models";
import { FilePathSchema } from "../../authoring/paths";
import { FileParams, ProjectParams, authorsOnly } from "./params";
import { listOf, PageQuery, jsonBody, jsonResponse } from "../../http/openapi";

const common = { tags: ["files"], security: bearerSecurity, middleware: authorsOnly };

const Content = z.string().openapi({ description: "UTF-8 text, at most 128 KiB" });

const CreateFileBody = z
  .object({
    path: FilePathSchema,
    content: Content,
  })
  .strict()
  .openapi("CreateFile");

const UpdateFileBody = z
  .object({ path: FilePathSchema, content: Content })
  .partial()
  .strict()
  .refine((b) => b.path !== undefined || b.content !== undefined, "send `path` (to rename), `content`, or both")
  .openapi("UpdateFile");

const written = "The saved file and its diagnostics. Files with errors are saved too; they only block publishing.";

const list = createRoute({
  method: "get",
  operationId: "listFiles",
  path: "/api/projects/{id}/files",
  ...common,
  summary: "List a project's workspace files",
  description: "Ordered by path, without contents.",
  request: { params: ProjectParams, query: PageQuery.extend({ kind: FileKindSchema.optional() }) },
  responses: { 200: jsonResponse(listOf(FileSummarySchema, "FileList"), "A page of files"), ...problemResponses(400, 401, 403, 404) },
});

const create = createRoute({
  method: "post",
  operationId: "createFile",
  path: "/api/projects/{id}/files",
  ...common,
  summary: "Add a file",
  description:
    "The path decides what the file is: `globals.yaml` (variables every session starts with), `templates/<scheme>/<template>.md` (a prompt template), any other `.yaml`/`.yml` a script (session or technique, from its content).",
  request: { params: ProjectParams, body: jsonBody(CreateFileBody) },
  responses: { 201: jsonResponse(ValidatedFileSchema, written), ...problemResponses(400, 401, 403, 404, 409, 413) },
});

const get = createRoute({
  method: "get",
  operationId: "getFile",
  path: "/api/projects/{id}/files/{fileId}",
  ...common,
  summary: "Get a file with its content and current diagnostics",
  request: { params: FileParams },
  responses: { 200: jsonResponse(ValidatedFileSchema, "The file"), ...problemResponses(400, 401, 403, 404) },
});

const update = createRoute({
  method: "put",
  operationId: "updateFile",
  path: "/api/projects/{id}/files/{fileId}",
  ...common,
  summary: "Change a file's content or path",
  request: { params: FileParams, body: jsonBody(UpdateFileBody) },
  responses: { 200: jsonResponse(ValidatedFileSchema, written), ...problemResponses(400, 401, 403, 404, 409, 413) },
});

const remove = createRoute({
  method: "delete",
  operationId: "deleteFile",
  path: "/api/projects/{id}/files/{fileId}",
  ...common,
  summary: "Delete a file from the workspace",
  description: "Published versions keep their copy.",
  request: { params: FileParams },
  responses: { 204: { description: "Deleted" }, ...problemResponses(400, 401, 403, 404, 409) },
});

export const fileRoutes = createRouter()
  .openapi(list, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await listFiles(database(c.env.DB), id, currentUser(c), c.req.valid("query")), 200);
  })
  .openapi(create, async (c) => {
    const { id } = c.req.valid("param");
    const file = await createFile(database(c.env.DB), id, currentUser(c), c.req.valid("json"), messageLanguage(c));
    c.header("Location", `/api/projects/${id}/files/${file.id}`);
    return c.json(file, 201);
  })
  .openapi(get, async (c) => {
    const { id, fileId } = c.req.valid("param");
    return c.json(await getFile(database(c.env.DB), id, fileId, currentUser(c), messageLanguage(c)), 200);
  })
  .openapi(update, async (c) => {
    const { id, fileId } = c.req.valid("param");
    return c.json(await updateFile(database(c.env.DB), id, fileId, currentUser(c), c.req.valid("json"), messageLanguage(c)), 200);
  })
  .openapi(remove, async (c) => {
    const { id, fileId } = c.req.valid("param");
    await deleteFile(database(c.env.DB), id, fileId, currentUser(c));
    return c.body(null, 204);
  });
