/**
 * Token budgets, with the offline model's usage (estimated from text length)
 * and this project's settings (test/limits/settings.json: a session budget of
 * a few turns, a project budget of 1 token a day). A budget is checked before a message is
 * accepted: the turn that crosses it finishes whole, the next message is
 * refused with a problem and nothing of it is stored.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getConfig } from "../../src/config";
import { usageDay, type UsageCounterRpc } from "../../src/limits/usage-rpc";
import { call, expectProblem, json } from "../helpers";
import { allMessages, body, eventually, openSocket, person, publishedSamples, say, sendMessage, settle, startSession } from "../session/helpers";
import { longScript } from "./support";

const sessionBudget = getConfig(env).SESSION_TOKEN_BUDGET!;

afterEach(() => vi.restoreAllMocks());

/** The log lines written from now on (the Worker's and the actors' alike). */
function logLines(): string[] {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
  return lines;
}

/** The tokens a turn's model calls reported, from its debug trace. */
const tokensOf = (turn: { debug?: { traces: { usage: { inputTokens?: number; outputTokens?: number } }[] } }) =>
  (turn.debug?.traces ?? []).reduce((n, t) => n + (t.usage.inputTokens ?? 0) + (t.usage.outputTokens ?? 0), 0);

function projectCounter(projectId: string): UsageCounterRpc {
  return env.USAGE_COUNTER!.get(env.USAGE_COUNTER!.idFromName(`${projectId}:${usageDay(Date.now())}`)) as unknown as UsageCounterRpc;
}

describe("the session token budget", () => {
  it("lets the turn that crosses it finish, then refuses the next message whole (REST and WebSocket)", async () => {
    const author = await person("author");
    const created = await startSession(author, { scriptYaml: longScript("budget_session", 40), debug: true });
    const id = created.sessionId as string;
    let used = tokensOf(created);
    expect(used).toBeGreaterThan(0);
    let turns = 0;
    while (used < sessionBudget) {
      const turn = await say(author, id, `answer ${++turns}`);
      // Every turn under the budget is whole: its AI line is there.
      expect(turn.messages.length).toBeGreaterThan(0);
      used += tokensOf(turn);
      expect(turns).toBeLessThan(40);
    }
    await settle(id);
    const before = await allMessages(author, id);
    const lines = logLines();
    const problem = await expectProblem(await sendMessage(author, id, "past the budget", "past-1"), 409, "SESSION_TOKEN_BUDGET_EXCEEDED");
    expect(problem.detail).toMatch(/new session/);
    // One event for it, with ids and the setting's name, and nothing anyone said.
    const events = lines.filter((l) => l.includes("token budget reached")).map((l) => JSON.parse(l));
    expect(events).toEqual([
      expect.objectContaining({
        level: "warn",
        code: "SESSION_TOKEN_BUDGET_EXCEEDED",
        sessionId: id,
        userId: author.id,
        fields: ["SESSION_TOKEN_BUDGET"],
      }),
    ]);
    expect(lines.join("\n")).not.toContain("past the budget");
    vi.restoreAllMocks();
    const socket = await openSocket(id, author.token);
    socket.send({ type: "user_message", content: "past the budget again", clientMessageId: "past-2" });
    await socket.until((frames) => frames.some((f) => f.type === "error"));
    expect(socket.frames.find((f) => f.type === "error")).toMatchObject({ code: "SESSION_TOKEN_BUDGET_EXCEEDED", clientMessageId: "past-2" });
    socket.ws.close();
    const after = await allMessages(author, id);
    expect(after).toEqual(before);
    expect(after.at(-1).role).toBe("assistant");
    const info = await body(await call(`/api/sessions/${id}`, { headers: author.headers }), 200);
    expect(info.status).toBe("active");
  });
});

describe("the project's daily token budget", () => {
  it("counts the project's turns; once used up, messages and new sessions are 429 until midnight UTC", async () => {
    const { projectId } = await publishedSamples();
    const client = await person("client");
    const created = await startSession(client, { projectId, script: "intake_en" });
    const id = created.sessionId as string;
    // The opening turn's tokens reach the counter in the background.
    const spent = await eventually(
      () => projectCounter(projectId).total(),
      (n) => n > 0,
      "the opening turn counted",
    );
    const before = await allMessages(client, id);
    const res = await sendMessage(client, id, "Sam");
    const problem = await expectProblem(res, 429, "PROJECT_TOKEN_BUDGET_EXCEEDED");
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBe(problem.retryAfter);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(24 * 60 * 60);
    expect(await allMessages(client, id)).toEqual(before);
    await expectProblem(await call("/api/sessions", json({ projectId, script: "intake_en" }, client.headers)), 429, "PROJECT_TOKEN_BUDGET_EXCEEDED");
    // Refusals spend nothing.
    expect(await projectCounter(projectId).total()).toBe(spent);
  });

  it("leaves other projects and inline scripts alone", async () => {
    const author = await person("author");
    const { sessionId } = await startSession(author, { scriptYaml: longScript("budget_inline") });
    expect((await say(author, sessionId, "fine")).messages.length).toBeGreaterThan(0);
    const other = await publishedSamples();
    await startSession(await person("client"), { projectId: other.projectId, script: "intake_en" });
  });
});

describe("the usage counter", () => {
  it("counts an add once per key", async () => {
    const counter = projectCounter(crypto.randomUUID());
    expect(await counter.add("s:1:10", 10)).toBe(10);
    expect(await counter.add("s:1:10", 10)).toBe(10);
    expect(await counter.add("s:2:25", 15)).toBe(25);
    expect(await counter.total()).toBe(25);
  });
});
