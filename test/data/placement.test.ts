/**
 * Data residency: a project's sessions in a Durable Object jurisdiction or near a location hint. workerd (the
 * tests, `wrangler dev`) implements no jurisdictions — `namespace.jurisdiction("eu")` throws "Jurisdiction
 * restrictions are not implemented in workerd" — so here such a session is refused with 503 and nothing is
 * created; the round trip is shown with a namespace whose `jurisdiction()` hands back the local one, as an
 * account with jurisdictions does with its EU namespace.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/config";
import { jurisdictionOf } from "../../src/session/placement";
import { body, call, expectProblem, json, person } from "../helpers";
import { directoryOf, projectWith } from "./helpers";

/** SESSION_ACTOR as on an account with jurisdictions: `jurisdiction(j)` is recorded and answers with the local namespace. */
function withJurisdictions(calls: string[]): Partial<Env> {
  const local = env.SESSION_ACTOR;
  const namespace = {
    idFromName: (name: string) => local.idFromName(name),
    idFromString: (id: string) => local.idFromString(id),
    newUniqueId: () => local.newUniqueId(),
    get: (id: DurableObjectId, options?: DurableObjectNamespaceGetDurableObjectOptions) => local.get(id, options),
    getByName: (name: string) => local.getByName(name),
    jurisdiction: (j: string) => {
      calls.push(j);
      return namespace;
    },
  };
  return { SESSION_ACTOR: namespace as unknown as Env["SESSION_ACTOR"] };
}

describe("a project's sessions in a jurisdiction", () => {
  it("get an id that names the jurisdiction, and every later request reaches them through it", async () => {
    const { projectId } = await projectWith({ jurisdiction: "eu" });
    const client = await person("client");
    const calls: string[] = [];
    const eu = withJurisdictions(calls);
    const created = await body(await call("/api/sessions", json({ projectId }, client.headers), eu), 201);
    const id = created.sessionId as string;
    expect(jurisdictionOf(id)).toBe("eu");

    const info = await body(await call(`/api/sessions/${id}`, { headers: client.headers }, eu), 200);
    expect(info).toMatchObject({ sessionId: id, projectId, lastSeq: created.messages.length });
    expect(calls).toEqual(["eu", "eu"]);
    // Without jurisdictions (plain workerd) the id still says where it lives: refused, never looked up elsewhere.
    await expectProblem(await call(`/api/sessions/${id}`, { headers: client.headers }), 503, "SERVICE_UNAVAILABLE");
    expect(await directoryOf(client.id)).toEqual([id]);
  });

  it("are refused with 503 where jurisdictions are not available (workerd), and nothing is created", async () => {
    const { projectId } = await projectWith({ jurisdiction: "eu" });
    const client = await person("client");
    const problem = await expectProblem(await call("/api/sessions", json({ projectId }, client.headers)), 503, "SERVICE_UNAVAILABLE");
    expect(problem.detail).toMatch(/eu jurisdiction/);
    expect(await directoryOf(client.id)).toEqual([]);
  });
});

describe("a project's location hint", () => {
  it("places new sessions by it (workerd has one location: the session simply starts), and ordinary ids stay version-4 UUIDs", async () => {
    const { projectId, author } = await projectWith({ locationHint: "weur" });
    const plan = await body(await call(`/api/projects/${projectId}/plan`, { headers: author.headers }), 200);
    expect(plan.policy).toEqual({ retentionDays: null, jurisdiction: null, locationHint: "weur" });
    const client = await person("client");
    const created = await body(await call("/api/sessions", json({ projectId }, client.headers)), 201);
    expect(created.sessionId[14]).toBe("4");
    expect(jurisdictionOf(created.sessionId)).toBeNull();
  });

  it("refuses a policy with values Cloudflare does not have, and people who do not manage the project", async () => {
    const { projectId, author } = await projectWith();
    const put = (payload: unknown, who = author) => call(`/api/projects/${projectId}/data-policy`, { ...json(payload, who.headers), method: "PUT" });
    const none = { retentionDays: null, jurisdiction: null, locationHint: null };
    await expectProblem(await put({ ...none, jurisdiction: "mars" }), 400, "VALIDATION_FAILED");
    await expectProblem(await put({ ...none, locationHint: "moon" }), 400, "VALIDATION_FAILED");
    await expectProblem(await put({ ...none, retentionDays: 0 }), 400, "VALIDATION_FAILED");
    await expectProblem(await put({ ...none, retentionDays: 7 }, await person("author")), 404, "NOT_FOUND");
    const audited = await env.DB.prepare("SELECT count(*) AS n FROM audit_events WHERE project_id = ? AND action = 'project.data_policy'")
      .bind(projectId)
      .first<{ n: number }>();
    expect(audited!.n).toBe(1);
  });
});
