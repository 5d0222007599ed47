/**
 * One content-free turn event per turn, on every channel: REST, SSE, WebSocket and a turn
 * re-run after an interruption. Each answer carries a marker word no id or code could hold;
 * it reaches the session (the offline model stores it as a variable) but no log line, no
 * Analytics Engine data point and no turn_metrics row.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { APICallError } from "@ai-sdk/provider";
import { MockLanguageModelV3 } from "ai/test";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { recordedDataPoints } from "../../src/ops/analytics";
import type { SessionActor } from "../../src/session/actor";
import { SessionStorage } from "../../src/session/storage/tables";
import { accept } from "../../src/session/turns/intake";
import { Turns } from "../../src/session/turns/turns";
import { call, expectProblem } from "../helpers";
import { openSession, withParts } from "../session/parts";
import { actor, body, clientIntake, lastState, openSocket, publishedSamples, readSse, sendMessage, settle } from "../session/helpers";

const lines: string[] = [];
beforeAll(() => {
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
});
afterAll(() => vi.restoreAllMocks());

const marker = (channel: string) => `Quillfeather${channel}${crypto.randomUUID().slice(0, 6)}`;
const turnLines = (sessionId: string) => lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "turn" && l.sessionId === sessionId);
const points = (sessionId: string) => recordedDataPoints().filter((p) => p.blobs?.[0] === sessionId);

describe("turn events", () => {
  it("are written once per turn on REST, SSE, WebSocket and a recovered turn, with ids, counts and durations and no content", async () => {
    const { projectId, versionId } = await publishedSamples();
    const opened = lines.length;
    const { owner, id } = await clientIntake(projectId);
    const words: string[] = [];

    // REST
    words.push(marker("rest"));
    expect((await sendMessage(owner, id, words[0]!, undefined, { "x-request-id": "req-turn-rest" })).status).toBe(200);
    // SSE, read to its end
    words.push(marker("sse"));
    const sse = await sendMessage(owner, id, words[1]!, undefined, { accept: "text/event-stream", "x-request-id": "req-turn-sse" });
    expect((await readSse(sse, (events) => events.some((e) => e.event === "done"))).at(-1)?.event).toBe("done");
    // WebSocket
    words.push(marker("ws"));
    const socket = await openSocket(id, owner.token);
    socket.send({ type: "user_message", content: words[2], clientMessageId: "ws-turn-1" });
    await socket.until((f) => f.some((x) => x.type === "message" && x.role === "assistant" && x.seq > 6) && lastState(f)?.lastSeq > 6);
    socket.ws.close();
    await settle(id);
    // Recovered: a turn accepted (its row written) by an activation that ended before running it, picked up by the next one.
    words.push(marker("recovered"));
    await runInDurableObject(actor(id), (_i: SessionActor, state) => {
      const store = new SessionStorage(state.storage);
      accept(store, store.readMeta()!.meta, { content: words[3]!, clientMessageId: "recovered-1" });
    });
    await evictDurableObject(actor(id));
    await body(await call(`/api/sessions/${id}`, { headers: owner.headers }), 200);
    await settle(id);

    const events = turnLines(id);
    expect(events.map((e) => [e.turn, e.channel, e.requestId ?? null])).toEqual([
      [1, "rest", expect.any(String)],
      [2, "rest", "req-turn-rest"],
      [3, "sse", "req-turn-sse"],
      [4, "ws", null],
      [5, "recovered", null],
    ]);
    for (const e of events) {
      expect(e).toEqual({
        level: "info",
        msg: "turn",
        sessionId: id,
        ...(e.requestId ? { requestId: e.requestId } : {}),
        projectId,
        versionId,
        scriptId: "intake_en",
        ...(e.workerVersion ? { workerVersion: e.workerVersion } : {}),
        turn: e.turn,
        channel: e.channel,
        status: "done",
        durationMs: expect.any(Number),
        llmCalls: expect.any(Number),
        modelMs: expect.any(Number),
        inputTokens: expect.any(Number),
        outputTokens: expect.any(Number),
        model: "offline",
        riskLevel: "none",
        safetyFlags: 0,
        referrals: 0,
        guarded: 0,
      });
      expect(e.llmCalls).toBeGreaterThan(0);
    }
    // The opening turn's request id is the one its request line carries.
    const created = lines
      .slice(opened)
      .map((l) => JSON.parse(l))
      .find((l) => l.msg === "request" && l.route === "/api/sessions" && l.method === "POST");
    expect(created).toMatchObject({ sessionId: id, requestId: events[0]!.requestId, status: 201 });

    const dataPoints = points(id);
    expect(dataPoints.map((p) => [p.blobs?.[6], p.blobs?.[7], p.doubles?.[8]])).toEqual([
      ["rest", "done", 1],
      ["rest", "done", 2],
      ["sse", "done", 3],
      ["ws", "done", 4],
      ["recovered", "done", 5],
    ]);
    expect(dataPoints[1]).toEqual({
      doubles: [expect.any(Number), events[1]!.llmCalls, events[1]!.modelMs, events[1]!.inputTokens, events[1]!.outputTokens, 0, 0, 0, 2],
      indexes: [projectId],
      blobs: [id, "req-turn-rest", expect.any(String), projectId, versionId, "intake_en", "rest", "done", "", "offline", "none"],
    });

    const { results: rows } = await env.DB.prepare("SELECT * FROM turn_metrics WHERE session_id = ? ORDER BY turn").bind(id).all();
    expect(rows.map((r) => [r.turn, r.channel, r.status, r.request_id, r.project_id, r.version_id])).toEqual([
      [1, "rest", "done", events[0]!.requestId, projectId, versionId],
      [2, "rest", "done", "req-turn-rest", projectId, versionId],
      [3, "sse", "done", "req-turn-sse", projectId, versionId],
      [4, "ws", "done", null, projectId, versionId],
      [5, "recovered", "done", null, projectId, versionId],
    ]);

    // The words reached the session, and nothing operators read.
    const variables = await body(await call(`/api/sessions/${id}/variables`, { headers: owner.headers }), 200);
    expect(JSON.stringify(variables)).toContain(words[0]);
    const everything = [...lines, ...recordedDataPoints().map((p) => JSON.stringify(p)), JSON.stringify(rows)].join("\n");
    for (const w of words) expect(everything).not.toContain(w);
  });

  it("of a failed turn carry its status and error code, in the log, the data point and D1", async () => {
    const { projectId } = await publishedSamples();
    const { owner, id } = await clientIntake(projectId);
    await runInDurableObject(actor(id), (instance: SessionActor) => {
      instance.useModel(
        new MockLanguageModelV3({
          doStream: async () => {
            throw new APICallError({ message: "down", url: "http://model.test", requestBodyValues: {}, statusCode: 503, isRetryable: true });
          },
        }),
      );
    });
    const word = marker("failed");
    await expectProblem(await sendMessage(owner, id, word, "fail-1", { "x-request-id": "req-turn-failed" }), 503, "LLM_UNAVAILABLE");
    await settle(id);

    expect(turnLines(id).at(-1)).toMatchObject({
      level: "warn",
      turn: 2,
      channel: "rest",
      status: "failed",
      code: "LLM_UNAVAILABLE",
      requestId: "req-turn-failed",
    });
    expect(points(id).at(-1)?.blobs?.slice(6, 9)).toEqual(["rest", "failed", "LLM_UNAVAILABLE"]);
    const row = await env.DB.prepare("SELECT status, code, request_id FROM turn_metrics WHERE session_id = ? AND turn = 2").bind(id).first();
    expect(row).toEqual({ status: "failed", code: "LLM_UNAVAILABLE", request_id: "req-turn-failed" });
    expect(lines.join("\n")).not.toContain(word);
  });
});

describe("turn events of turns no mirror carries", () => {
  it("write the turn_metrics row to D1 at once: a failed opening turn (its session is dropped) is still counted", async () => {
    const { sessionId, code } = await withParts(async (p) => {
      const s = await openSession(p);
      p.models.replace(
        new MockLanguageModelV3({
          doStream: async () => {
            throw new APICallError({ message: "down", url: "http://model.test", requestBodyValues: {}, statusCode: 503, isRetryable: true });
          },
        }),
      );
      const outcome = await new Turns({ ...p, schedule: () => undefined }).open(1, { channel: "rest", requestId: "req-open-failed" });
      return { sessionId: s.meta.sessionId, code: outcome.ok ? null : outcome.problem.code };
    });
    expect(code).toBe("LLM_UNAVAILABLE");
    const row = () => env.DB.prepare("SELECT turn, status, code, request_id FROM turn_metrics WHERE session_id = ?").bind(sessionId).first();
    await vi.waitFor(async () => expect(await row()).toEqual({ turn: 1, status: "failed", code: "LLM_UNAVAILABLE", request_id: "req-open-failed" }));
  });
});
