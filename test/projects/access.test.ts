/**
 * The security boundary of every authoring route: no token, a bad token, a
 * client, another author (the project is invisible: 404, reads and writes
 * alike), an admin (allowed), and malformed ids (400, never 500).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { body, expectProblem, person, type Person } from "../helpers";
import { addFile, fileId, newProject, publishVersion, send, sessionYaml } from "./fixtures";

interface Fixture {
  projectId: string;
  fileId: string;
  versionId: string;
}

interface RouteCase {
  method: string;
  path: (f: Fixture) => string;
  body?: (f: Fixture) => unknown;
  /** What an admin (not the owner) gets: the route works for them. */
  admin: number;
}

const P = (f: Fixture) => `/api/projects/${f.projectId}`;

const routes: RouteCase[] = [
  { method: "GET", path: P, admin: 200 },
  { method: "PUT", path: P, body: () => ({ description: "changed" }), admin: 200 },
  { method: "DELETE", path: P, admin: 200 },
  { method: "POST", path: (f) => `${P(f)}/deprecate`, body: () => ({ reason: "r" }), admin: 200 },
  { method: "POST", path: (f) => `${P(f)}/restore`, body: () => ({}), admin: 409 },
  { method: "POST", path: (f) => `${P(f)}/copy`, body: () => ({}), admin: 201 },
  { method: "GET", path: (f) => `${P(f)}/audit`, admin: 200 },
  { method: "GET", path: (f) => `${P(f)}/files`, admin: 200 },
  { method: "POST", path: (f) => `${P(f)}/files`, body: () => ({ path: "sessions/new.yaml", content: sessionYaml("new_one", "New") }), admin: 201 },
  { method: "GET", path: (f) => `${P(f)}/files/${f.fileId}`, admin: 200 },
  { method: "PUT", path: (f) => `${P(f)}/files/${f.fileId}`, body: () => ({ content: sessionYaml("main", "Edited") }), admin: 200 },
  { method: "DELETE", path: (f) => `${P(f)}/files/${f.fileId}`, admin: 204 },
  { method: "GET", path: (f) => `${P(f)}/template-schemes`, admin: 200 },
  { method: "POST", path: (f) => `${P(f)}/template-schemes`, body: () => ({ name: "fresh" }), admin: 201 },
  { method: "GET", path: (f) => `${P(f)}/template-schemes/gentle`, admin: 200 },
  { method: "PATCH", path: (f) => `${P(f)}/template-schemes/gentle`, body: () => ({ description: "d" }), admin: 200 },
  { method: "DELETE", path: (f) => `${P(f)}/template-schemes/gentle`, admin: 204 },
  { method: "GET", path: (f) => `${P(f)}/templates/gentle/ai_say`, admin: 200 },
  {
    method: "PUT",
    path: (f) => `${P(f)}/templates/gentle/ai_say`,
    body: () => ({ content: "{{topic_content}} JSON content safety_risk crisis_signal" }),
    admin: 200,
  },
  { method: "GET", path: (f) => `${P(f)}/draft`, admin: 200 },
  { method: "POST", path: (f) => `${P(f)}/publish`, body: () => ({ versionNumber: "2.0.0" }), admin: 201 },
  { method: "GET", path: (f) => `${P(f)}/versions`, admin: 200 },
  { method: "GET", path: (f) => `${P(f)}/versions/${f.versionId}`, admin: 200 },
  { method: "GET", path: (f) => `${P(f)}/versions/${f.versionId}/diff?compareWith=${f.versionId}`, admin: 200 },
  { method: "POST", path: (f) => `${P(f)}/rollback`, body: (f) => ({ targetVersionId: f.versionId }), admin: 201 },
];

/** A published project owned by `owner` with a session file and a scheme. */
async function fixture(owner: Person): Promise<Fixture> {
  const project = await newProject(owner);
  const file = await addFile(owner, project.id, "sessions/main.yaml", sessionYaml("main", "Hello"));
  await body(await send("POST", `/api/projects/${project.id}/template-schemes`, owner, { name: "gentle" }), 201);
  const version = await publishVersion(owner, project.id, "1.0.0");
  return { projectId: project.id, fileId: file.id, versionId: version.id };
}

async function auditCount(projectId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM audit_events WHERE project_id = ?").bind(projectId).first<{ n: number }>();
  return row?.n ?? 0;
}

const label = (r: RouteCase) => `${r.method} ${r.path({ projectId: ":id", fileId: ":fileId", versionId: ":versionId" })}`;

describe("authoring routes: who may call them", () => {
  it.each(routes.map((r) => [label(r), r] as const))("%s", async (_name, route) => {
    const owner = await person("author");
    const f = await fixture(owner);
    const path = route.path(f);
    const body = route.body?.(f);
    const before = await auditCount(f.projectId);

    await expectProblem(await send(route.method, path, null, body), 401, "UNAUTHENTICATED");
    await expectProblem(await send(route.method, path, null, body, { authorization: "Bearer not.a.token" }), 401, "INVALID_TOKEN");
    await expectProblem(await send(route.method, path, await person("client"), body), 403, "FORBIDDEN");
    await expectProblem(await send(route.method, path, await person("author"), body), 404, "NOT_FOUND");
    expect(await auditCount(f.projectId)).toBe(before); // nobody above changed anything

    const asAdmin = await send(route.method, path, await person("admin"), body);
    expect(asAdmin.status, await asAdmin.clone().text()).toBe(route.admin);
  });

  it.each(routes.map((r) => [label(r), r] as const))("%s answers 400 for malformed ids", async (_name, route) => {
    const owner = await person("author");
    const f = await fixture(owner);
    const bad = [
      { ...f, projectId: "not-a-uuid" },
      ...(route.path(f).includes(f.fileId) ? [{ ...f, fileId: "42" }] : []),
      ...(route.path(f).includes(f.versionId) ? [{ ...f, versionId: "v1.0.0" }] : []),
    ];
    for (const ids of bad) {
      await expectProblem(await send(route.method, route.path(ids), owner, route.body?.(f)), 400, "VALIDATION_FAILED");
    }
  });

  it("lists only the caller's own projects to authors", async () => {
    const owner = await person("author");
    const f = await fixture(owner);
    const other = await person("author");
    const list = await body(await send("GET", "/api/projects?status=all&limit=100", other), 200);
    expect(list.items.some((p: { id: string }) => p.id === f.projectId)).toBe(false);
    await expectProblem(await send("GET", "/api/projects", await person("client")), 403, "FORBIDDEN");
    await expectProblem(await send("POST", "/api/projects", await person("client"), { projectName: "x" }), 403, "FORBIDDEN");
    await expectProblem(await send("GET", "/api/projects", null), 401, "UNAUTHENTICATED");
  });

  it("lets the owner change their project and nobody else's writes land", async () => {
    const owner = await person("author");
    const f = await fixture(owner);
    const other = await person("author");
    await expectProblem(await send("PUT", `/api/projects/${f.projectId}`, other, { projectName: "hijacked" }), 404, "NOT_FOUND");
    await expectProblem(
      await send("PUT", `/api/projects/${f.projectId}/files/${await fileId(owner, f.projectId, "sessions/main.yaml")}`, other, { content: "x" }),
      404,
      "NOT_FOUND",
    );
    const project = await body(await send("GET", `/api/projects/${f.projectId}`, owner), 200);
    expect(project.projectName).not.toBe("hijacked");
    const main = await body(await send("GET", `/api/projects/${f.projectId}/files/${f.fileId}`, owner), 200);
    expect(main.content).toContain("Hello");
  });
});
