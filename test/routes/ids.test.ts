/**
 * Bad ids on every project and session route with a path parameter, taken
 * from the OpenAPI document so a new route is covered the day it is added:
 * a malformed value of any parameter is 400 VALIDATION_FAILED, a well-formed
 * unknown one 404 NOT_FOUND, never a 500. The caller is an admin, who may
 * reach everything, so the answer is about the id and nothing else.
 */
import { describe, expect, it } from "vitest";
import { app, body, call, expectProblem, json, person, type Person } from "../helpers";
import { startSession } from "../session/helpers";
import { newProject, publishVersion, scriptYaml } from "../projects/fixtures";
import { putFile } from "../lifecycle/helpers";

interface Operation {
  method: string;
  path: string;
  params: { name: string; schema: { format?: string } }[];
  hasBody: boolean;
}

const doc = app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "HeartRule API", version: "test" } }) as unknown as {
  paths: Record<string, Record<string, { parameters?: { in: string; name: string; schema: { format?: string } }[]; requestBody?: unknown }>>;
};

const operations: Operation[] = Object.entries(doc.paths)
  .filter(([path]) => /^\/api\/(projects|sessions)\/.*\{/.test(path))
  .flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      params: (op.parameters ?? []).filter((p) => p.in === "path"),
      hasBody: op.requestBody !== undefined,
    })),
  );

/** Parameters that are not UUIDs: a value the route refuses as malformed, and a well-formed one that names nothing. */
const namedParams: Record<string, { malformed: string; unknown: string }> = {
  schemeName: { malformed: "no spaces!", unknown: "no_such_scheme" },
  templateName: { malformed: "not-a-template", unknown: "no_such_template" },
};

function badValues(param: Operation["params"][number]) {
  if (param.schema.format === "uuid") return { malformed: "not-a-uuid", unknown: crypto.randomUUID() };
  const values = namedParams[param.name];
  if (!values) throw new Error(`no bad values for the path parameter "${param.name}": add them to namedParams`);
  return values;
}

interface Fixture {
  projectId: string;
  sessionId: string;
  fileId: string;
  versionId: string;
}

/** A valid body for each operation that takes one, so only the id can be wrong. */
const bodies: Record<string, (f: Fixture) => unknown> = {
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
  "POST /api/sessions/{id}/messages": () => ({ content: "hello" }),
};

let shared: Promise<{ admin: Person; fixture: Fixture }> | undefined;
/** One published project (a session file, the scheme `gentle`) and a session of it, for the whole file: no request here changes them. */
function setup() {
  shared ??= (async () => {
    const author = await person("author");
    const projectId = (await newProject(author)).id;
    await putFile(author, projectId, "sessions/main.yaml", scriptYaml("main", [{ say: "Hello." }]));
    await body(await call(`/api/projects/${projectId}/template-schemes`, json({ name: "gentle" }, author.headers)), 201);
    const version = await publishVersion(author, projectId, "1.0.0");
    const files = await body(await call(`/api/projects/${projectId}/files?limit=100`, { headers: author.headers }), 200);
    const fileId = files.items.find((f: { path: string }) => f.path === "sessions/main.yaml").id;
    const session = await startSession(await person("client"), { projectId, script: "main" });
    return { admin: await person("admin"), fixture: { projectId, sessionId: session.sessionId, fileId, versionId: version.id } };
  })();
  return shared;
}

function realValue(op: Operation, name: string, f: Fixture): string {
  const values: Record<string, string> = {
    id: op.path.startsWith("/api/sessions/") ? f.sessionId : f.projectId,
    fileId: f.fileId,
    versionId: f.versionId,
    schemeName: "gentle",
    templateName: "ai_say",
  };
  const value = values[name];
  if (value === undefined) throw new Error(`no real value for the path parameter "${name}"`);
  return value;
}

function request(op: Operation, values: Record<string, string>, admin: Person, f: Fixture) {
  const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(values[name]!));
  // The WebSocket route answers only an upgrade; everything else ignores the header.
  const headers = { ...admin.headers, ...(op.path.endsWith("/ws") ? { upgrade: "websocket" } : {}) };
  const payload = bodies[`${op.method} ${op.path}`];
  return call(path, payload ? { ...json(payload(f), headers), method: op.method } : { method: op.method, headers });
}

describe("bad ids on project and session routes", () => {
  it("reads every such route from the OpenAPI document, with a body for each that takes one", () => {
    const names = operations.map((op) => `${op.method} ${op.path}`);
    expect(names).toEqual(
      expect.arrayContaining([
        "GET /api/sessions/{id}/ws",
        "DELETE /api/sessions/{id}",
        "PUT /api/projects/{id}/templates/{schemeName}/{templateName}",
      ]),
    );
    expect(operations.length).toBeGreaterThanOrEqual(30);
    const withBody = operations.filter((op) => op.hasBody).map((op) => `${op.method} ${op.path}`);
    expect(withBody.sort()).toEqual(Object.keys(bodies).sort());
    expect(operations.every((op) => op.params.length > 0)).toBe(true);
  });

  it.each(operations.map((op) => [`${op.method} ${op.path}`, op] as const))("%s: malformed → 400, unknown → 404", async (_name, op) => {
    const { admin, fixture } = await setup();
    const real = Object.fromEntries(op.params.map((p) => [p.name, realValue(op, p.name, fixture)]));
    for (const param of op.params) {
      const bad = badValues(param);
      const malformed = await request(op, { ...real, [param.name]: bad.malformed }, admin, fixture);
      expect([param.name, "malformed", malformed.status]).toEqual([param.name, "malformed", 400]);
      await expectProblem(malformed, 400, "VALIDATION_FAILED");
      const unknown = await request(op, { ...real, [param.name]: bad.unknown }, admin, fixture);
      expect([param.name, "unknown", unknown.status, unknown.status === 404 ? "" : await unknown.clone().text()]).toEqual([
        param.name,
        "unknown",
        404,
        "",
      ]);
      await expectProblem(unknown, 404, "NOT_FOUND");
    }
  });
});

describe("ids outside the path", () => {
  it("compareWith of a diff: malformed → 400, unknown → 404", async () => {
    const { admin, fixture: f } = await setup();
    const diff = (compareWith: string) =>
      call(`/api/projects/${f.projectId}/versions/${f.versionId}/diff?compareWith=${compareWith}`, { headers: admin.headers });
    await expectProblem(await diff("not-a-uuid"), 400, "VALIDATION_FAILED");
    await expectProblem(await diff(crypto.randomUUID()), 404, "NOT_FOUND");
  });
});
