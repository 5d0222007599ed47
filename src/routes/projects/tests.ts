import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, currentUser } from "../../http/auth";
import { messageLanguage } from "../../http/language";
import { jsonBody, jsonResponse } from "../../http/openapi";
import { problemResponses } from "../../http/problem";
import { createRouter } from "../../http/router";
import { database } from "../../store/db";
import { FilePathSchema } from "../../authoring/paths";
import { TestReportSchema } from "../../authoring/testing/report";
import { runTestsOf } from "../../authoring/tests";
import { ProjectParams, authorsOnly } from "./params";

const RunTestsBody = z
  .object({
    versionId: z.uuid().optional().openapi({ description: "Run on this version's files; default: the draft (the workspace)" }),
    paths: z
      .array(FilePathSchema)
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: "Only these test files (tests/<name>.test.yaml); default: every test of the project" }),
  })
  .strict()
  .openapi("RunTestsRequest");

const run = createRoute({
  method: "post",
  operationId: "runProjectTests",
  path: "/api/projects/{id}/tests/run",
  tags: ["versions"],
  security: bearerSecurity,
  middleware: authorsOnly,
  summary: "Run the project's conversation tests",
  description:
    "Runs the test files (tests/<name>.test.yaml) of the draft or of a version against that same set of files, in-process with the offline model or each case's scripted replies. Answers 200 whether or not the tests pass; a test file that cannot run is reported with its error. Publishing runs the same tests.",
  request: { params: ProjectParams, body: { ...jsonBody(RunTestsBody), required: false } },
  responses: { 200: jsonResponse(TestReportSchema, "The test report"), ...problemResponses(400, 401, 403, 404) },
});

export const testRoutes = createRouter().openapi(run, async (c) => {
  const body = c.req.valid("json") ?? {};
  return c.json(await runTestsOf(database(c.env.DB), c.req.valid("param").id, currentUser(c), body, messageLanguage(c)), 200);
});
