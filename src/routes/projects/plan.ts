/** A project's plan for new sessions: retention and placement (data policy), and a canary split between two published versions. */
import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, currentUser } from "../../http/auth";
import { jsonBody, jsonResponse } from "../../http/openapi";
import { problemResponses } from "../../http/problem";
import { createRouter } from "../../http/router";
import { clearSplit, readPlan, sessionsByVersion, setDataPolicy, setSplit, type Plan } from "../../authoring/plan";
import { projectFor } from "../../authoring/access";
import { VersionNumberSchema } from "../../authoring/semver";
import { database, type Database } from "../../store/db";
import { jurisdictions, locationHints, projects } from "../../store/schema";
import { eq } from "drizzle-orm";
import { authorsOnly, ProjectParams } from "./params";

const common = { tags: ["projects"], security: bearerSecurity, middleware: authorsOnly };

const DataPolicySchema = z
  .object({
    retentionDays: z.number().int().min(1).max(36_500).nullable().openapi({
      description: "Days after its last activity a new session of the project erases itself; null: the deployment's SESSION_RETENTION_DAYS",
      example: 30,
    }),
    jurisdiction: z.enum(jurisdictions).nullable().openapi({
      description: "Create new sessions' Durable Objects in this jurisdiction (their storage never leaves it); null: anywhere",
    }),
    locationHint: z
      .enum(locationHints)
      .nullable()
      .openapi({ description: "Create new sessions' Durable Objects near this region; null: near the first caller" }),
  })
  .strict()
  .openapi("DataPolicy");

const SplitBody = z
  .object({
    versionNumber: VersionNumberSchema.openapi({ description: "The canary: another version of the project", example: "1.1.0" }),
    percent: z.number().int().min(1).max(99).openapi({ description: "Share of users (not sessions) whose new sessions start the canary" }),
  })
  .strict()
  .openapi("SplitRequest");

const PlanSchema = z
  .object({
    policy: DataPolicySchema,
    split: z
      .object({
        versionId: z.string(),
        versionNumber: z.string(),
        percent: z.number().int(),
        since: z.string(),
        active: z.boolean().openapi({ description: "False once another version was published than the one the split was set against" }),
        sessions: z
          .array(z.object({ versionNumber: z.string(), sessions: z.number().int() }))
          .openapi({ description: "The project's sessions started since the split was set, by version" }),
      })
      .nullable(),
  })
  .openapi("ProjectPlan");

async function planView(db: Database, projectId: string, plan: Plan) {
  if (!plan.split) return { policy: plan.policy, split: null };
  const { versionId, versionNumber, percent, since, baseVersionId } = plan.split;
  const [project, sessions] = await Promise.all([
    db.select({ currentVersionId: projects.currentVersionId }).from(projects).where(eq(projects.id, projectId)).get(),
    sessionsByVersion(db, projectId, since),
  ]);
  return {
    policy: plan.policy,
    split: { versionId, versionNumber, percent, since: since.toISOString(), active: project?.currentVersionId === baseVersionId, sessions },
  };
}

/** Every plan route answers the plan as it is after the call. */
function planRoute<M extends "get" | "put" | "delete", P extends string, B extends z.ZodType | undefined = undefined>(
  method: M,
  path: P,
  operationId: string,
  summary: string,
  description: string,
  body?: B,
) {
  return createRoute({
    method,
    path,
    operationId,
    ...common,
    summary,
    description,
    request: { params: ProjectParams, ...(body ? { body: jsonBody(body) } : {}) } as {
      params: typeof ProjectParams;
      body: B extends z.ZodType ? ReturnType<typeof jsonBody<B>> : never;
    },
    responses: { 200: jsonResponse(PlanSchema, "The project's plan"), ...problemResponses(400, 401, 403, 404, 409) },
  });
}

const getPlan = planRoute(
  "get",
  "/api/projects/{id}/plan",
  "getProjectPlan",
  "Retention, placement and version split of new sessions",
  "Authors of the project and admins.",
);

const putPolicy = planRoute(
  "put",
  "/api/projects/{id}/data-policy",
  "setProjectDataPolicy",
  "Set retention and placement of new sessions",
  "Applies to sessions started from now on; running sessions keep the retention and the place they started with. A jurisdiction needs a Cloudflare account where Durable Object jurisdictions are available: local workerd has none and answers 503 when such a session starts. Audited.",
  DataPolicySchema,
);

const putSplit = planRoute(
  "put",
  "/api/projects/{id}/split",
  "setVersionSplit",
  "Split new sessions between the published version and a canary",
  "`percent` of the project's users (by a hash of user and project id, so each user always lands on the same side) start new sessions on `versionNumber`; the rest on the published version. The split holds until cleared or until another version is published. Sessions record their version. Audited.",
  SplitBody,
);

const deleteSplit = planRoute(
  "delete",
  "/api/projects/{id}/split",
  "clearVersionSplit",
  "End the split",
  "Every new session starts the published version again. Audited.",
);

export const planRoutes = createRouter()
  .openapi(getPlan, async (c) => {
    const db = database(c.env.DB);
    const { id } = c.req.valid("param");
    await projectFor(db, id, currentUser(c));
    return c.json(await planView(db, id, await readPlan(db, id)), 200);
  })
  .openapi(putPolicy, async (c) => {
    const db = database(c.env.DB);
    const { id } = c.req.valid("param");
    return c.json(await planView(db, id, await setDataPolicy(db, id, currentUser(c), c.req.valid("json"))), 200);
  })
  .openapi(putSplit, async (c) => {
    const db = database(c.env.DB);
    const { id } = c.req.valid("param");
    return c.json(await planView(db, id, await setSplit(db, id, currentUser(c), c.req.valid("json"))), 200);
  })
  .openapi(deleteSplit, async (c) => {
    const db = database(c.env.DB);
    const { id } = c.req.valid("param");
    return c.json(await planView(db, id, await clearSplit(db, id, currentUser(c))), 200);
  });
