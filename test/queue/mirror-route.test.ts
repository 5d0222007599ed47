/** POST /api/bench/mirror with the mirror through the queue: each turn's lag as D1 saw it, and the consumer's batches. */
import { describe, expect, it } from "vitest";
import { call, expectProblem, json, person } from "../helpers";
import { actorLog, clientIntake, d1Messages, eventually, INTAKE_ANSWERS, publishedSamples, say } from "../session/helpers";

const report = async (sessionIds: string[], headers: Record<string, string>, environment = "bench") =>
  call("/api/bench/mirror", json({ sessionIds }, headers), { ENVIRONMENT: environment });

describe("POST /api/bench/mirror", () => {
  it("reports one lag per turn that reached D1, and the D1 batches the consumer wrote for them", async () => {
    const { projectId } = await publishedSamples();
    const admin = await person("admin");
    const read = async (ids: string[]) =>
      (await report(ids, admin.headers)).json() as Promise<{ consumerD1Batches: number; consumerMessages: number; lagsMs: number[] }>;
    const a = await clientIntake(projectId);
    const b = await clientIntake(projectId);
    await eventually(
      () => read([a.id, b.id]),
      (r) => r.lagsMs.length === 2,
      "the opening turns in D1",
    );
    const before = await read([a.id, b.id]);
    await Promise.all([say(a.owner, a.id, INTAKE_ANSWERS[0]!), say(b.owner, b.id, INTAKE_ANSWERS[0]!)]);
    const after = await eventually(
      () => read([a.id, b.id]),
      (r) => r.lagsMs.length === 4,
      "the answers' turns in D1",
    );
    for (const s of [a, b]) expect((await d1Messages(s.id)).length).toBe((await actorLog(s.owner, s.id)).length);
    expect(after.lagsMs.every((ms) => ms >= 0 && ms < 5000)).toBe(true);
    // Two sends, in one delivery or two.
    expect(after.consumerMessages - before.consumerMessages).toBe(2);
    expect(after.consumerD1Batches - before.consumerD1Batches).toBeGreaterThanOrEqual(1);
    expect(after.consumerD1Batches - before.consumerD1Batches).toBeLessThanOrEqual(2);
  });

  it.each(["production", "staging", "test"])("does not exist when ENVIRONMENT=%s, even for an admin", async (environment) => {
    const admin = await person("admin");
    await expectProblem(await report([crypto.randomUUID()], admin.headers, environment), 404, "NOT_FOUND");
  });

  it("is for admins only", async () => {
    const author = await person("author");
    await expectProblem(await report([crypto.randomUUID()], author.headers), 403, "FORBIDDEN");
  });
});
