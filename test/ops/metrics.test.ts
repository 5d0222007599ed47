/** GET /api/admin/metrics: admins only, from the turns the sessions of this test really ran; a bad range is a 400 problem. */
import { runInDurableObject } from "cloudflare:test";
import { APICallError } from "@ai-sdk/provider";
import { MockLanguageModelV3 } from "ai/test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { database } from "../../src/store/db";
import { turnMetrics } from "../../src/store/schema";
import type { SessionActor } from "../../src/session/actor";
import { call, expectProblem } from "../helpers";
import { actor, body, clientIntake, person, publishedSamples, say, sendMessage, settle } from "../session/helpers";

const metrics = async (query: string, overrides = {}) => {
  const admin = await person("admin");
  return call(`/api/admin/metrics${query}`, { headers: admin.headers }, overrides);
};

describe("GET /api/admin/metrics", () => {
  it("answers admins only", async () => {
    expect((await call("/api/admin/metrics")).status).toBe(401);
    for (const role of ["client", "author", "counselor"] as const) {
      const who = await person(role);
      await expectProblem(await call("/api/admin/metrics", { headers: who.headers }), 403, "FORBIDDEN");
    }
    expect((await metrics("")).status).toBe(200);
  });

  it("refuses a range that is empty, too long, or cut into too many intervals, with a problem naming the parameter", async () => {
    const now = Date.now();
    const at = (ms: number) => new Date(ms).toISOString();
    const cases: [string, string][] = [
      [`?from=${at(now)}&to=${at(now - 1000)}`, "from"],
      [`?from=${at(now - 200 * 86_400_000)}&to=${at(now)}`, "from"],
      [`?from=${at(now - 30 * 86_400_000)}&to=${at(now)}&interval=1m`, "interval"],
      ["?interval=0m", "interval"],
      ["?interval=soon", "interval"],
      ["?from=yesterday", "from"],
    ];
    for (const [query, path] of cases) {
      const problem = await expectProblem(await metrics(query), 400, "VALIDATION_FAILED");
      expect((problem.errors as { path: string }[]).map((e) => e.path)).toContain(path);
    }
  });

  it("counts the sessions, turns, errors, tokens and cost, safety records and latency of real traffic", async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const { projectId, versionId } = await publishedSamples();
    const { owner, id } = await clientIntake(projectId);
    await say(owner, id, "Sam");
    await say(owner, id, "Work has been stressful");
    // The model goes down for one turn.
    await runInDurableObject(actor(id), (instance: SessionActor) => {
      instance.useModel(
        new MockLanguageModelV3({
          doStream: async () => {
            throw new APICallError({ message: "down", url: "http://model.test", requestBodyValues: {}, statusCode: 503, isRetryable: true });
          },
        }),
      );
    });
    await expectProblem(await sendMessage(owner, id, "still here", "m-fail", { "x-request-id": "req-metrics-fail" }), 503, "LLM_UNAVAILABLE");
    await runInDurableObject(actor(id), (instance: SessionActor) => instance.useModel(null));
    // A crisis disclosure: flagged by the local detector, resources shown.
    await say(owner, id, "I want to kill myself");
    await settle(id);

    const to = new Date(Date.now() + 60_000).toISOString();
    const prices = JSON.stringify({ offline: { input: 2, output: 10 } });
    const m = await body(await metrics(`?from=${from}&to=${to}&interval=1m`, { MODEL_PRICES: prices }), 200);

    const project = m.projects.find((p: any) => p.projectId === projectId);
    // The opening turn, three answers and the failed one.
    expect(project).toMatchObject({ turns: 5, sessions: 1, versions: [{ versionId, turns: 5, sessions: 1 }] });
    expect(project.estimatedCostUsd).toBeCloseTo((project.inputTokens * 2 + project.outputTokens * 10) / 1e6, 10);
    expect(m.unpricedModels).toEqual([]);
    expect(m.turns.total).toBeGreaterThanOrEqual(5);
    expect(m.errors).toContainEqual({ code: "LLM_UNAVAILABLE", status: 503, count: 1 });
    expect(m.recentErrors[0]).toMatchObject({ code: "LLM_UNAVAILABLE", channel: "rest", requestId: "req-metrics-fail", sessionId: id });
    expect(m.turns.errorRate).toBeGreaterThan(0);
    expect(m.turns.latencyMs.p50).toEqual(expect.any(Number));
    expect(m.turns.latencyMs.p95).toBeGreaterThanOrEqual(m.turns.latencyMs.p50);
    expect(m.turns.modelLatencyMs.p95).toEqual(expect.any(Number));
    expect(m.sessions.started).toBeGreaterThanOrEqual(1);
    expect(m.sessions.active).toBeGreaterThanOrEqual(1);
    expect(m.safety.crisisDetections).toBeGreaterThanOrEqual(1);
    expect(m.safety.referrals).toBeGreaterThanOrEqual(1);
    expect(m.mirror.maxLagMs).toEqual(expect.any(Number));
    // The series covers the range interval by interval and adds up to the totals.
    expect(m.series).toHaveLength(Math.ceil((Date.parse(to) - Date.parse(from)) / 60_000));
    expect(m.series.reduce((n: number, b: any) => n + b.turns, 0)).toBe(m.turns.total);
    // What operators read holds none of the words.
    expect(JSON.stringify(m)).not.toMatch(/kill|stressful|Sam|still here/);
  });

  it("computes percentiles, tokens and cost per project, version and model from the turn rows of a range", async () => {
    // A range of its own, long ago: only these rows are in it. Latencies 100, 200, …, 1000 ms; turn 10 failed.
    const start = Date.UTC(2020, 0, 1);
    const rows = Array.from({ length: 10 }, (_, i) => ({
      id: `fixed-${i}`,
      sessionId: null,
      turn: i + 1,
      requestId: `req-${i}`,
      projectId: "p-1",
      versionId: i < 6 ? "v-1" : "v-2",
      scriptId: "intake_en",
      workerVersion: "w-1",
      channel: "rest" as const,
      status: i === 9 ? ("failed" as const) : ("done" as const),
      code: i === 9 ? "LLM_TIMEOUT" : null,
      latencyMs: (i + 1) * 100,
      llmCalls: 1,
      modelMs: (i + 1) * 50,
      inputTokens: 1000,
      outputTokens: 100,
      model: i < 8 ? "priced-model" : "unpriced-model",
      riskLevel: "none" as const,
      safetyFlags: 0,
      referrals: 0,
      guarded: 0,
      endedAt: new Date(start + i * 60_000),
      mirroredAt: new Date(start + i * 60_000 + (i === 3 ? 5000 : 10)),
    }));
    // One statement per row: D1 binds at most 100 values per statement.
    const db = database(env.DB);
    await db.batch(rows.map((r) => db.insert(turnMetrics).values(r)) as [never, ...never[]]);
    const prices = JSON.stringify({ "priced-model": { input: 1, output: 4 } });
    const m = await body(
      await metrics(`?from=${new Date(start).toISOString()}&to=${new Date(start + 600_000).toISOString()}&interval=5m`, { MODEL_PRICES: prices }),
      200,
    );

    expect(m.turns).toEqual({
      total: 10,
      failed: 1,
      errorRate: 0.1,
      latencyMs: { p50: 500, p95: 1000 },
      modelLatencyMs: { p50: 250, p95: 500 },
      inputTokens: 10_000,
      outputTokens: 1000,
    });
    // 8 priced turns: 8000 input tokens at $1 and 800 output tokens at $4 per million.
    const cost = (8000 * 1 + 800 * 4) / 1e6;
    expect(m.projects).toEqual([
      {
        projectId: "p-1",
        turns: 10,
        sessions: 0,
        inputTokens: 10_000,
        outputTokens: 1000,
        estimatedCostUsd: cost,
        versions: [
          { versionId: "v-1", turns: 6, sessions: 0, inputTokens: 6000, outputTokens: 600, estimatedCostUsd: (6000 + 600 * 4) / 1e6 },
          { versionId: "v-2", turns: 4, sessions: 0, inputTokens: 4000, outputTokens: 400, estimatedCostUsd: (2000 + 200 * 4) / 1e6 },
        ],
      },
    ]);
    expect(m.unpricedModels).toEqual(["unpriced-model"]);
    expect(m.errors).toEqual([{ code: "LLM_TIMEOUT", status: 503, count: 1 }]);
    expect(m.recentErrors).toEqual([
      { at: new Date(start + 9 * 60_000).toISOString(), code: "LLM_TIMEOUT", channel: "rest", requestId: "req-9", sessionId: null },
    ]);
    expect(m.mirror).toEqual({ maxLagMs: 5000, p95LagMs: 5000 });
    expect(m.series.map((b: any) => [b.turns, b.failed, b.latencyMs.p95])).toEqual([
      [5, 0, 500],
      [5, 1, 1000],
    ]);
  });
});
