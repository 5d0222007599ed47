/**
 * The API's operations as the OpenAPI document lists them, with a valid
 * request for each, so tests that walk every route (bad ids, who may call
 * what, fuzzing) cover a new route the day it is added.
 */
import { body, call, json, person, type Person } from "../helpers";
import { startSession, tinyScript } from "../session/helpers";
import { newProject, publishVersion, scriptYaml } from "../projects/fixtures";
import { putFile } from "../lifecycle/helpers";
import type { Env } from "../../src/config";
import { app } from "../helpers";

export interface Parameter {
  in: string;
  name: string;
  schema: Record<string, unknown> & { format?: string };
}

export interface Operation {
  method: string;
  path: string;
  /** `METHOD /path`, as the bodies table and test names spell it. */
  name: string;
  params: Parameter[];
  query: Parameter[];
  /** The JSON Schema of the body, when the operation takes one. */
  bodySchema: Record<string, unknown> | undefined;
  secured: boolean;
}

interface DocOperation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> };
  security?: unknown[];
}

export const doc = app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "HeartRule API", version: "test" } }) as unknown as {
  paths: Record<string, Record<string, DocOperation>>;
  components: { schemas: Record<string, Record<string, unknown>> };
};

export const operations: Operation[] = Object.entries(doc.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({
    method: method.toUpperCase(),
    path,
    name: `${method.toUpperCase()} ${path}`,
    params: (op.parameters ?? []).filter((p) => p.in === "path"),
    query: (op.parameters ?? []).filter((p) => p.in === "query"),
    bodySchema: op.requestBody?.content?.["application/json"]?.schema,
    secured: (op.security ?? []).length > 0,
  })),
);

export interface Fixture {
  /** Owns the project. */
  author: Person;
  /** Owns the session, a session of the project's published version. */
  client: Person;
  admin: Person;
  projectId: string;
  sessionId: string;
  fileId: string;
  versionId: string;
}

/** A valid body for each operation that takes one, so only what a test changes can be wrong. */
export const bodies: Record<string, (f: Fixture) => unknown> = {
  "POST /api/auth/dev-token": () => ({ userId: "someone", role: "client" }),
  "POST /api/projects": () => ({ projectName: "walked" }),
  "PUT /api/projects/{id}": () => ({ description: "changed" }),
  "POST /api/projects/{id}/deprecate": () => ({ reason: "retired" }),
  "POST /api/projects/{id}/restore": () => ({}),
  "POST /api/projects/{id}/copy": () => ({}),
  "POST /api/projects/{id}/files": () => ({ path: "sessions/new.yaml", content: scriptYaml("new_one", [{ say: "New." }]) }),
  "PUT /api/projects/{id}/files/{fileId}": () => ({ content: scriptYaml("main", [{ say: "Edited." }]) }),
  "POST /api/projects/{id}/template-schemes": () => ({ name: "fresh" }),
  "PATCH /api/projects/{id}/template-schemes/{schemeName}": () => ({ description: "described" }),
  "PUT /api/projects/{id}/templates/{schemeName}/{templateName}": () => ({
    content: 'Say {{topic_content}} as JSON: "content", safety_risk, crisis_signal.',
  }),
  "POST /api/projects/{id}/publish": () => ({ versionNumber: "2.0.0" }),
  "POST /api/projects/{id}/rollback": (f) => ({ targetVersionId: f.versionId }),
  "POST /api/projects/{id}/tests/run": () => ({}),
  "POST /api/scripts/validate": () => ({ yaml: tinyScript("walked") }),
  "POST /api/sessions": () => ({ scriptYaml: tinyScript("walked") }),
  "POST /api/sessions/{id}/messages": () => ({ content: "hello" }),
  "POST /api/bench/cost": (f) => ({ sessionIds: [f.sessionId] }),
  "POST /api/bench/mirror": (f) => ({ sessionIds: [f.sessionId] }),
  "PUT /api/projects/{id}/data-policy": () => ({ retentionDays: 30, jurisdiction: null, locationHint: "weur" }),
  "PUT /api/projects/{id}/split": () => ({ versionNumber: "1.0.0", percent: 10 }),
  "POST /api/admin/reconcile": (f) => ({ sessionIds: [f.sessionId] }),
};

/** Bindings an operation needs to exist at all: the bench routes answer 404 outside `bench` and `development`. */
export function bindingsFor(path: string): Partial<Env> {
  if (path.startsWith("/api/bench/")) return { ENVIRONMENT: "bench" };
  if (path === "/api/auth/dev-token" || path === "/api/dev/seed") return { ENVIRONMENT: "development" };
  return {};
}

let shared: Promise<Fixture> | undefined;
/** One published project (a session file, the scheme `gentle`) and a client's session of it, shared by a test file. */
export function fixture(): Promise<Fixture> {
  shared ??= (async () => {
    const author = await person("author");
    const projectId = (await newProject(author)).id;
    await putFile(author, projectId, "sessions/main.yaml", scriptYaml("main", [{ say: "Hello." }]));
    await body(await call(`/api/projects/${projectId}/template-schemes`, json({ name: "gentle" }, author.headers)), 201);
    const version = await publishVersion(author, projectId, "1.0.0");
    const files = await body(await call(`/api/projects/${projectId}/files?limit=100`, { headers: author.headers }), 200);
    const fileId = files.items.find((f: { path: string }) => f.path === "sessions/main.yaml").id;
    const client = await person("client");
    const session = await startSession(client, { projectId, script: "main" });
    return { author, client, admin: await person("admin"), projectId, sessionId: session.sessionId, fileId, versionId: version.id };
  })();
  return shared;
}

/** The real value of a path parameter: what names the fixture's project, session, file, version, scheme or template. */
export function realValue(op: Pick<Operation, "path">, name: string, f: Fixture): string {
  const values: Record<string, string> = {
    id: op.path.startsWith("/api/sessions/") ? f.sessionId : f.projectId,
    fileId: f.fileId,
    versionId: f.versionId,
    schemeName: "gentle",
    templateName: "ai_say",
    name: "walked",
    // A user with no sessions: an erasure that reaches the handler erases nothing another test needs.
    userId: "nobody-with-data",
  };
  const value = values[name];
  if (value === undefined) throw new Error(`no real value for the path parameter "${name}"`);
  return value;
}

export function realValues(op: Pick<Operation, "path" | "params">, f: Fixture): Record<string, string> {
  return Object.fromEntries(op.params.map((p) => [p.name, realValue(op, p.name, f)]));
}

/** Sends `op` with these path values and headers, and its valid body (or `payload` instead). */
export function request(
  op: Operation,
  values: Record<string, string>,
  headers: Record<string, string>,
  f: Fixture,
  payload: { body: string } | undefined = undefined,
): Promise<Response> {
  const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(values[name]!));
  // The WebSocket routes answer only an upgrade; everything else ignores the header.
  const all = { ...headers, ...(op.path.endsWith("/ws") ? { upgrade: "websocket" } : {}) };
  const valid = bodies[op.name];
  const init: RequestInit = payload
    ? { method: op.method, headers: { "content-type": "application/json", ...all }, body: payload.body }
    : valid
      ? { ...json(valid(f), all), method: op.method }
      : { method: op.method, headers: all };
  return call(path, init, bindingsFor(op.path));
}
