/**
 * Rate limits through the Workers Rate Limiting binding, as miniflare emulates
 * it (this project's limits: test/limits/settings.json, per 60 s): session
 * starts and messages per user, on every channel, and the public routes per
 * address. Over the limit: 429 RATE_LIMITED with Retry-After, and nothing of
 * the refused request is stored.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { RATE_LIMIT_PERIOD_SECONDS } from "../../src/limits/rate-limit";
import { call, expectProblem, json } from "../helpers";
import { allMessages, body, openSocket, person, sendMessage, startSession, tinyScript } from "../session/helpers";
import settings from "./settings.json";
import { freshWindow, longScript } from "./support";

beforeEach(() => freshWindow());

async function expectLimited(res: Response) {
  const problem = await expectProblem(res, 429, "RATE_LIMITED");
  expect(res.headers.get("retry-after")).toBe(String(RATE_LIMIT_PERIOD_SECONDS));
  expect(problem.retryAfter).toBe(RATE_LIMIT_PERIOD_SECONDS);
  return problem;
}

describe("session starts, per user", () => {
  it(`allow ${settings.rateLimits.sessionStarts} a minute; the next is 429 with Retry-After and starts nothing`, async () => {
    const author = await person("author");
    for (let i = 0; i < settings.rateLimits.sessionStarts; i++) await startSession(author, { scriptYaml: tinyScript(`start_${i}`) });
    await expectLimited(await call("/api/sessions", json({ scriptYaml: tinyScript("start_over") }, author.headers)));
    const listed = await body(await call("/api/sessions", { headers: author.headers }), 200);
    expect(listed.items).toHaveLength(settings.rateLimits.sessionStarts);
    // Someone else is counted apart.
    await startSession(await person("author"), { scriptYaml: tinyScript("start_other") });
  });
});

describe("messages, per user", () => {
  it("over the limit on REST: 429, and the message is not stored", async () => {
    const author = await person("author");
    const { sessionId } = await startSession(author, { scriptYaml: longScript("rest_limit") });
    // Under the limit: answered, or refused by the session's token budget (this project's is a few turns), never 429.
    for (let i = 0; i < settings.rateLimits.messages; i++) expect((await sendMessage(author, sessionId, `answer ${i}`)).status).not.toBe(429);
    const before = await allMessages(author, sessionId);
    await expectLimited(await sendMessage(author, sessionId, "one too many", "over-1"));
    const after = await allMessages(author, sessionId);
    expect(after).toEqual(before);
    expect(after.map((m: { content: string }) => m.content)).not.toContain("one too many");
  });

  it("counts every channel together: after REST, a WebSocket message gets a RATE_LIMITED frame and changes nothing", async () => {
    const author = await person("author");
    const { sessionId } = await startSession(author, { scriptYaml: longScript("ws_limit") });
    for (let i = 0; i < settings.rateLimits.messages; i++) await sendMessage(author, sessionId, `answer ${i}`);
    const before = await allMessages(author, sessionId);
    const socket = await openSocket(sessionId, author.token);
    socket.send({ type: "user_message", content: "over on the socket", clientMessageId: "ws-over" });
    await socket.until((frames) => frames.some((f) => f.type === "error"));
    expect(socket.frames.find((f) => f.type === "error")).toMatchObject({
      code: "RATE_LIMITED",
      clientMessageId: "ws-over",
      retryAfter: RATE_LIMIT_PERIOD_SECONDS,
    });
    socket.ws.close();
    expect(await allMessages(author, sessionId)).toEqual(before);
  });

  it("over the limit on SSE: 429 before any stream starts", async () => {
    const author = await person("author");
    const { sessionId } = await startSession(author, { scriptYaml: longScript("sse_limit") });
    for (let i = 0; i < settings.rateLimits.messages; i++) await sendMessage(author, sessionId, `answer ${i}`);
    await expectLimited(await sendMessage(author, sessionId, "streamed", undefined, { accept: "text/event-stream" }));
  });
});

describe("public routes, per address", () => {
  const crisisLines = (ip?: string) => call("/api/crisis-resources?locale=en", { headers: ip ? { "cf-connecting-ip": ip } : {} });

  it(`allow ${settings.rateLimits.publicRoutes} a minute from one address; the next is 429`, async () => {
    const ip = `198.51.100.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < settings.rateLimits.publicRoutes; i++) expect((await crisisLines(ip)).status).toBe(200);
    await expectLimited(await crisisLines(ip));
  });

  it("count an IPv6 /64 as one address", async () => {
    const prefix = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:1`;
    for (let i = 0; i < settings.rateLimits.publicRoutes; i++) expect((await crisisLines(`${prefix}::${i + 1}`)).status).toBe(200);
    await expectLimited(await crisisLines(`${prefix}:0:0:0:99`));
  });

  it("cover the health checks too, and never limit a request that names no address", async () => {
    const ip = `203.0.113.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < settings.rateLimits.publicRoutes; i++)
      expect((await call("/health", { headers: { "cf-connecting-ip": ip } })).status).toBe(200);
    await expectLimited(await call("/health", { headers: { "cf-connecting-ip": ip } }));
    for (let i = 0; i < settings.rateLimits.publicRoutes + 2; i++) expect((await crisisLines()).status).toBe(200);
  });
});
