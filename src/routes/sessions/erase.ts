import { createRoute } from "@hono/zod-openapi";
import { problemResponses } from "../../http/problem";
import { createRouter } from "../../http/router";
import { unwrap } from "../../session/result";
import { callerOf, common, SessionParams, sessionActor } from "./common";

const erase = createRoute({
  method: "delete",
  operationId: "deleteSession",
  path: "/api/sessions/{id}",
  ...common,
  summary: "Delete a session for good",
  description:
    "Erases the session's storage, its database rows and its cache entries, and closes its connections. The owner or an admin may do it. 503 means the database copy could not be removed yet: it is retried automatically, and the session is already gone for every reader.",
  request: { params: SessionParams },
  responses: { 204: { description: "Deleted" }, ...problemResponses(400, 401, 403, 404, 503) },
});

export const eraseRoutes = createRouter().openapi(erase, async (c) => {
  const { id } = c.req.valid("param");
  await unwrap(sessionActor(c.env, id).erase(callerOf(c, id)));
  return c.body(null, 204);
});
