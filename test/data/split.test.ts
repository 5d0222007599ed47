/** A canary split between two published versions: the share of users it sends to the canary, sticky per user, audited. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { body, call, expectProblem, json, person, type Person } from "../helpers";
import { checkin, putFile } from "../lifecycle/helpers";
import { publishVersion } from "../projects/fixtures";
import { eventually } from "../session/helpers";
import { projectWith } from "./helpers";
import { projectSource } from "../../src/session/source";

/** A project whose 1.0.0 and 1.1.0 say which version speaks in their first line; 1.1.0 is published. */
async function twoVersions() {
  const p = await projectWith();
  await putFile(p.author, p.projectId, "sessions/checkin.yaml", checkin("v2"));
  await publishVersion(p.author, p.projectId, "1.1.0");
  return p;
}

const put = (path: string, payload: unknown, who: Person) => call(path, { ...json(payload, who.headers), method: "PUT" });

/** The version a new session of this user starts, as its first line tells. */
async function versionFor(who: Person, projectId: string): Promise<"v1" | "v2"> {
  const created = await body(await call("/api/sessions", json({ projectId }, who.headers)), 201);
  const first = created.messages[0].content as string;
  return first.includes("of v1.") ? "v1" : "v2";
}

describe("traffic split between two published versions", () => {
  it("sends the chosen share of users to the canary (within a binomial tolerance), each user always to the same side", async () => {
    const { author, projectId } = await twoVersions();
    const plan = await body(await put(`/api/projects/${projectId}/split`, { versionNumber: "1.0.0", percent: 25 }, author), 200);
    expect(plan.split).toMatchObject({ versionNumber: "1.0.0", percent: 25, active: true });

    // The share over 400 users, as the session route resolves what a new session runs (D1 and KV, no actor).
    const n = 400;
    const p = 0.25;
    const ids = Array.from({ length: n }, (_, i) => `split-user-${i}-${crypto.randomUUID()}`);
    const resolved = await Promise.all(ids.map((id) => projectSource(env, { projectId, user: { id, role: "client" } })));
    const canary = resolved.filter((s) => s.versionNumber === "1.0.0").length;
    // Four standard deviations of Binomial(n, p): a correct split fails this about once in 16,000 runs.
    const tolerance = 4 * Math.sqrt(n * p * (1 - p));
    expect(Math.abs(canary - n * p)).toBeLessThanOrEqual(tolerance);
    expect(resolved.every((s) => s.versionNumber === "1.0.0" || s.versionNumber === "1.1.0")).toBe(true);

    // Real sessions of 30 users: each starts the version its hash chose, and starts it again the next time (sticky).
    const users = await Promise.all(Array.from({ length: 30 }, () => person("client")));
    const chosen = await Promise.all(users.map((u) => projectSource(env, { projectId, user: { id: u.id, role: "client" } })));
    const first: ("v1" | "v2")[] = [];
    for (const u of users) first.push(await versionFor(u, projectId));
    expect(first).toEqual(chosen.map((s) => (s.versionNumber === "1.0.0" ? "v1" : "v2")));
    for (const [i, u] of users.entries()) expect(await versionFor(u, projectId)).toBe(first[i]);

    // Reported by version: the sessions started since the split, counted from their D1 rows once the mirror has them.
    const started = [...first, ...first];
    const expected = [
      { versionNumber: "1.0.0", sessions: started.filter((v) => v === "v1").length },
      { versionNumber: "1.1.0", sessions: started.filter((v) => v === "v2").length },
    ].filter((r) => r.sessions > 0);
    const reported = await eventually(
      async () => (await body(await call(`/api/projects/${projectId}/plan`, { headers: author.headers }), 200)).split.sessions,
      (rows: { versionNumber: string; sessions: number }[]) => rows.reduce((sum, r) => sum + r.sessions, 0) === started.length,
      "every session in D1",
    );
    expect([...reported].sort((a, b) => a.versionNumber.localeCompare(b.versionNumber))).toEqual(expected);
  }, 60_000);

  it("ends when cleared or when another version is published, and every change is audited", async () => {
    const { author, projectId } = await twoVersions();
    await body(await put(`/api/projects/${projectId}/split`, { versionNumber: "1.0.0", percent: 99 }, author), 200);
    const users = await Promise.all(Array.from({ length: 12 }, () => person("client")));
    const during = await Promise.all(users.map((u) => versionFor(u, projectId)));
    expect(during.filter((v) => v === "v1").length).toBeGreaterThan(6);

    const cleared = await body(await call(`/api/projects/${projectId}/split`, { method: "DELETE", headers: author.headers }), 200);
    expect(cleared.split).toBeNull();
    expect(await Promise.all(users.map((u) => versionFor(u, projectId)))).toEqual(users.map(() => "v2"));

    await body(await put(`/api/projects/${projectId}/split`, { versionNumber: "1.0.0", percent: 99 }, author), 200);
    await putFile(author, projectId, "sessions/checkin.yaml", checkin("v3"));
    await publishVersion(author, projectId, "1.2.0");
    const stale = await body(await call(`/api/projects/${projectId}/plan`, { headers: author.headers }), 200);
    expect(stale.split).toMatchObject({ versionNumber: "1.0.0", active: false });
    const after = await Promise.all(users.map((u) => call("/api/sessions", json({ projectId }, u.headers)).then((r) => body(r, 201))));
    expect(after.every((s) => s.messages[0].content.includes("of v3."))).toBe(true);

    const { results } = await env.DB.prepare(
      "SELECT action, actor_id, detail FROM audit_events WHERE project_id = ? AND action LIKE 'version.split%' ORDER BY at",
    )
      .bind(projectId)
      .all<{ action: string; actor_id: string; detail: string }>();
    expect(results.map((r) => [r.action, r.actor_id, JSON.parse(r.detail)])).toEqual([
      ["version.split", author.id, { versionNumber: "1.0.0", percent: 99 }],
      ["version.split_clear", author.id, {}],
      ["version.split", author.id, { versionNumber: "1.0.0", percent: 99 }],
    ]);
  }, 60_000);

  it("refuses the published version itself, unknown versions, bad shares, and people who do not manage the project", async () => {
    const { author, projectId } = await twoVersions();
    const path = `/api/projects/${projectId}/split`;
    await expectProblem(await put(path, { versionNumber: "1.1.0", percent: 10 }, author), 409, "CONFLICT");
    await expectProblem(await put(path, { versionNumber: "9.9.9", percent: 10 }, author), 404, "NOT_FOUND");
    for (const percent of [0, 100, 12.5]) await expectProblem(await put(path, { versionNumber: "1.0.0", percent }, author), 400, "VALIDATION_FAILED");
    await expectProblem(await put(path, { versionNumber: "1.0.0", percent: 10 }, await person("author")), 404, "NOT_FOUND");
    await expectProblem(await put(path, { versionNumber: "1.0.0", percent: 10 }, await person("client")), 403, "FORBIDDEN");
    expect((await body(await call(`/api/projects/${projectId}/plan`, { headers: author.headers }), 200)).split).toBeNull();
  });
});
