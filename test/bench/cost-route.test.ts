import { describe, expect, it } from "vitest";
import { call, expectProblem, json, person } from "../helpers";
import { clientIntake, INTAKE_ANSWERS, publishedSamples, say } from "../session/helpers";

const bench = { ENVIRONMENT: "bench" };

async function cost(sessionIds: string[], headers: Record<string, string>, environment = "bench") {
  return call("/api/bench/cost", json({ sessionIds }, headers), { ENVIRONMENT: environment });
}

describe("POST /api/bench/cost", () => {
  it("sums what the session actors counted, turn by turn", async () => {
    const { projectId } = await publishedSamples();
    const admin = await person("admin");
    const a = await clientIntake(projectId);
    const b = await clientIntake(projectId);

    const before = await cost([a.id, b.id], admin.headers);
    expect(before.status).toBe(200);
    const start = (await before.json()) as { sessions: number; turns: number; d1RoundTrips: number; kvReads: number; storageCommits: number };
    expect(start.sessions).toBe(2);

    await say(a.owner, a.id, INTAKE_ANSWERS[0]!);
    await say(a.owner, a.id, INTAKE_ANSWERS[1]!);
    await say(b.owner, b.id, INTAKE_ANSWERS[0]!);

    const after = (await (await cost([a.id, b.id], admin.headers)).json()) as typeof start;
    expect(after.sessions).toBe(2);
    expect(after.turns - start.turns).toBe(3);
    // Each turn mirrors to D1 once; two flushes may merge into one round trip, never more than one each.
    expect(after.d1RoundTrips - start.d1RoundTrips).toBeGreaterThanOrEqual(2);
    expect(after.d1RoundTrips - start.d1RoundTrips).toBeLessThanOrEqual(3);
    expect(after.kvReads - start.kvReads).toBe(0);
    // Accepting the message, logging it and committing the reply land in one durable commit per turn.
    expect(after.storageCommits - start.storageCommits).toBe(3);
  });

  it.each(["production", "staging", "test"])("does not exist when ENVIRONMENT=%s, even for an admin", async (environment) => {
    const admin = await person("admin");
    await expectProblem(await cost([crypto.randomUUID()], admin.headers, environment), 404, "NOT_FOUND");
  });

  it("needs a token", async () => {
    const res = await call("/api/bench/cost", json({ sessionIds: [crypto.randomUUID()] }), bench);
    await expectProblem(res, 401, "UNAUTHENTICATED");
  });

  it("is for admins only", async () => {
    for (const role of ["client", "author"] as const) {
      const who = await person(role);
      await expectProblem(await cost([crypto.randomUUID()], who.headers), 403, "FORBIDDEN");
    }
  });

  it("refuses ids that are not session ids, and more than 100 at once", async () => {
    const admin = await person("admin");
    await expectProblem(await cost(["not-a-uuid"], admin.headers), 400, "VALIDATION_FAILED");
    await expectProblem(
      await cost(
        Array.from({ length: 101 }, () => crypto.randomUUID()),
        admin.headers,
      ),
      400,
      "VALIDATION_FAILED",
    );
    await expectProblem(await cost([], admin.headers), 400, "VALIDATION_FAILED");
  });
});
