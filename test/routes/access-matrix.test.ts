/**
 * Who may call what, for every secured operation in the OpenAPI document: no
 * token, an expired one, one without `exp`, another user, the author of
 * another project and the wrong role are each refused, and nothing in the
 * refusal may be cached. The calls would succeed with the owner's token (the
 * bodies are valid), so each refusal is about the caller alone.
 */
import { env } from "cloudflare:workers";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { body, call, expectProblem, person, type Person } from "../helpers";
import { newProject } from "../projects/fixtures";
import { bodies, fixture, operations, realValues, request, type Fixture, type Operation } from "./operations";

const secured = operations.filter((op) => op.secured);

/** Only authors and admins: projects (but the published list) and checking scripts; an inline session (the body sends scriptYaml). */
const authorsOnly = (op: Operation) =>
  (op.path.startsWith("/api/projects") && op.path !== "/api/projects/published") ||
  op.path === "/api/scripts/validate" ||
  op.name === "POST /api/sessions";
const adminsOnly = (op: Operation) => op.path.startsWith("/api/bench/") || op.path === "/api/admin/mirror" || op.path === "/api/admin/reconcile";
/** A user's own data: themself, or an admin. */
const ofUser = (op: Operation) => op.path.startsWith("/api/users/{userId}");
/** The counselors' queue and its feed: counselors and admins. */
const counselorsOnly = (op: Operation) => op.path.startsWith("/api/counselor/");
const ofProject = (op: Operation) => op.path.startsWith("/api/projects/{id}");
const ofSession = (op: Operation) => op.path.startsWith("/api/sessions/{id}");

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const now = () => Math.floor(Date.now() / 1000);

interface Refusal {
  caller: string;
  headers: (f: Fixture, others: Others) => Promise<Record<string, string>> | Record<string, string>;
  /** The operations this caller is refused on, and how. */
  applies: (op: Operation) => boolean;
  status: number;
  code: string;
}

interface Others {
  /** A client with no sessions. */
  client: Person;
  /** An author with a project of their own, not the fixture's. */
  author: Person;
}

const refusals: Refusal[] = [
  { caller: "no token", headers: () => ({}), applies: () => true, status: 401, code: "UNAUTHENTICATED" },
  {
    caller: "an expired token",
    headers: async (f) => bearer(await sign({ sub: f.author.id, role: "admin", exp: now() - 3600 }, env.JWT_SECRET, "HS256")),
    applies: () => true,
    status: 401,
    code: "TOKEN_EXPIRED",
  },
  {
    caller: "a token without exp",
    headers: async (f) => bearer(await sign({ sub: f.author.id, role: "admin", iat: now() }, env.JWT_SECRET, "HS256")),
    applies: () => true,
    status: 401,
    code: "INVALID_TOKEN",
  },
  {
    caller: "a client (wrong role)",
    headers: (_f, o) => o.client.headers,
    applies: (op) => authorsOnly(op) || adminsOnly(op) || ofUser(op) || counselorsOnly(op),
    status: 403,
    code: "FORBIDDEN",
  },
  {
    caller: "an author (wrong role)",
    headers: (f) => f.author.headers,
    applies: (op) => adminsOnly(op) || ofUser(op) || counselorsOnly(op),
    status: 403,
    code: "FORBIDDEN",
  },
  { caller: "another client", headers: (_f, o) => o.client.headers, applies: ofSession, status: 404, code: "NOT_FOUND" },
  // A session is read by its client, its project's authors, counselors once flagged and admins (src/session/load/access.ts): 404 for the rest.
  {
    caller: "another project's author",
    headers: (_f, o) => o.author.headers,
    applies: (op) => ofProject(op) || ofSession(op),
    status: 404,
    code: "NOT_FOUND",
  },
];

let others: Promise<Others> | undefined;
function strangers(): Promise<Others> {
  others ??= (async () => {
    const author = await person("author");
    await newProject(author, { projectName: "someone else's" });
    return { client: await person("client"), author };
  })();
  return others;
}

const cases = secured.flatMap((op) => refusals.filter((r) => r.applies(op)).map((r) => [`${op.name} as ${r.caller}`, op, r] as const));

describe("who may call each operation", () => {
  it("walks every secured operation, with a valid body for each that takes one", () => {
    expect(secured.length).toBeGreaterThanOrEqual(40);
    expect(
      operations
        .filter((op) => op.bodySchema)
        .map((op) => op.name)
        .sort(),
    ).toEqual(Object.keys(bodies).sort());
    expect(secured.filter(authorsOnly).length).toBeGreaterThanOrEqual(28);
    expect(cases.length).toBeGreaterThanOrEqual(secured.length * 3 + 28 + 8);
  });

  it.each(cases)("%s is refused", async (_name, op, refusal) => {
    const f = await fixture();
    const res = await request(op, realValues(op, f), await refusal.headers(f, await strangers()), f);
    expect([res.status, res.status === refusal.status ? "" : await res.clone().text()]).toEqual([refusal.status, ""]);
    expect(res.headers.get("cache-control")).toBe("no-store");
    await expectProblem(res, refusal.status, refusal.code);
  });

  it("lists show another user nothing of the fixture's", async () => {
    const f = await fixture();
    const o = await strangers();
    const projectIds = async (who: Person) =>
      (await body(await call("/api/projects?status=all&limit=100", { headers: who.headers }), 200)).items.map((p: { id: string }) => p.id);
    expect(await projectIds(f.author)).toContain(f.projectId);
    expect(await projectIds(o.author)).not.toContain(f.projectId);
    const sessionIds = async (who: Person) =>
      (await body(await call("/api/sessions?limit=100", { headers: who.headers }), 200)).items.map((s: { sessionId: string }) => s.sessionId);
    expect(await sessionIds(f.client)).toContain(f.sessionId);
    expect(await sessionIds(o.client)).not.toContain(f.sessionId);
  });

  it("the owner's own requests pass where the refusals apply", async () => {
    const f = await fixture();
    const read = (path: string, who: Person) => call(path, { headers: who.headers });
    expect((await read(`/api/projects/${f.projectId}`, f.author)).status).toBe(200);
    expect((await read(`/api/sessions/${f.sessionId}/messages`, f.client)).status).toBe(200);
  });
});
