/**
 * The crisis protocol as a session sees it, over the HTTP API and the WebSocket with the offline model:
 * crisis words answer with care and the crisis lines instead of being taken as the answer, a denial gets
 * one follow-up, the script resumes at the interrupted action, `imminent` stays in the protocol, a project's
 * own crisis file is the protocol its sessions run, and each referral reaches D1 once across an eviction.
 */
import { abortAllDurableObjects, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import intakeEn from "../../scripts/sessions/intake_en.yaml";
import intakeZh from "../../scripts/sessions/intake_zh.yaml";
import { call } from "../helpers";
import { addFile, newProject, projectCrisisYaml, publishVersion, scriptYaml } from "../projects/fixtures";
import {
  actor,
  body,
  d1Records,
  d1Session,
  deliveredOnceAcrossEviction,
  openSocket,
  person,
  reportedThisMonth,
  say,
  settle,
  startSession,
  type Person,
} from "./helpers";

const ASK_NAME = { en: "What would you like me to call you?", zh: "我可以怎么称呼你？" };

async function intake(who: Person, yaml: string) {
  const created = await startSession(who, { scriptYaml: yaml });
  return created.sessionId as string;
}

const variables = async (who: Person, id: string) =>
  (await body(await call(`/api/sessions/${id}/variables`, { headers: who.headers }), 200)).variables;
const sessionInfo = async (who: Person, id: string) => body(await call(`/api/sessions/${id}`, { headers: who.headers }), 200);
const texts = (turn: any) => turn.messages.map((m: any) => m.content).join("\n");

async function d1Referrals(sessionId: string) {
  const { results } = await env.DB.prepare("SELECT turn, level, locale, action_id FROM crisis_referrals WHERE session_id = ? ORDER BY turn")
    .bind(sessionId)
    .all<Record<string, any>>();
  return results;
}

describe("crisis words in answer to the opening question", () => {
  for (const [language, yaml, words, line, nameVariable] of [
    ["en", intakeEn, "I want to kill myself", "988", "client_name"],
    ["zh", intakeZh, "我不想活了", "12356", "来访者称呼"],
  ] as const) {
    it(`(${language}) answer with care and the crisis lines, and are not stored as the client's name`, async () => {
      const who = await person("author");
      const id = await intake(who, yaml);
      const socket = await openSocket(id, who.token);
      socket.send({ type: "user_message", content: words, clientMessageId: "crisis-1" });
      await socket.until((f) => f.some((x) => x.type === "state" && x.lastSeq > 3));
      expect(socket.frames.find((f) => f.type === "safety")).toMatchObject({ crisis: true, source: "input", level: "high" });
      const ai = socket.frames.filter((f) => f.type === "message" && f.role === "assistant" && f.seq > 3);
      expect(ai.length).toBeGreaterThanOrEqual(3);
      expect(ai.every((m) => m.metadata?.crisis === true)).toBe(true);
      expect(ai.map((m) => m.content).join("\n")).toContain(line);
      // Not the intake's next question: the protocol asks about safety.
      expect(ai.at(-1).content).not.toContain(ASK_NAME[language]);
      socket.ws.close();

      const vars = await variables(who, id);
      expect(Object.values(vars)).not.toContain(words);
      expect(vars).not.toHaveProperty(nameVariable);
      expect(await sessionInfo(who, id)).toMatchObject({ riskLevel: "high" });
    });
  }
});

describe("the protocol's way back to the script", () => {
  it("a denial gets exactly one follow-up; a second denial resumes the script, which asks the name again", async () => {
    const who = await person("author");
    const id = await intake(who, intakeEn);
    const crisis = await say(who, id, "I want to kill myself");
    expect(crisis.position.actionId).toBe("ask_name");

    const followUp = await say(who, id, "No, I'm safe");
    expect(followUp.messages).toHaveLength(1);
    expect(followUp.messages[0]).toMatchObject({ metadata: expect.objectContaining({ crisis: true }) });
    expect(texts(followUp)).toMatch(/once more/);

    const back = await say(who, id, "No, I'm safe");
    expect(back.messages.at(-1).content).toContain(ASK_NAME.en);
    expect(back.messages.at(-1).metadata?.crisis).toBeUndefined();
    expect(back.position.actionId).toBe("ask_name");
    const named = await say(who, id, "Sam");
    expect(texts(named)).toContain("Sam");
    expect((await variables(who, id)).client_name).toBe("Sam");
  });

  it("resumes at the action it interrupted, later in the script, with what the client said before", async () => {
    const who = await person("author");
    const id = await intake(who, intakeEn);
    await say(who, id, "Sam");
    const crisis = await say(who, id, "Some days I want to die");
    expect(crisis.position.actionId).toBe("ask_problem");
    expect(crisis.messages.every((m: any) => m.metadata?.crisis === true)).toBe(true);
    await say(who, id, "No, I'm safe");
    const back = await say(who, id, "No, I'm safe");
    expect(back.position.actionId).toBe("ask_problem");
    expect(back.messages.at(-1).content).toContain("Thank you, Sam. What brings you here today?");
    expect(await variables(who, id)).toMatchObject({ client_name: "Sam" });
    expect((await variables(who, id)).presenting_problem).toBeUndefined();
  });

  it("stays in the protocol at imminent, showing the emergency number first, however often the client says they are safe", async () => {
    const who = await person("author");
    const id = await intake(who, intakeEn);
    const crisis = await say(who, id, "I have the pills in my hand right now");
    expect(crisis.safety).toEqual([expect.objectContaining({ crisis: true, level: "imminent" })]);
    expect(texts(crisis)).toMatch(/call 911 now/i);
    for (let i = 0; i < 3; i++) {
      const turn = await say(who, id, "No, I'm safe");
      expect(turn.messages.every((m: any) => m.metadata?.crisis === true)).toBe(true);
      expect(texts(turn)).not.toContain(ASK_NAME.en);
      expect(texts(turn)).not.toMatch(/once more/);
    }
    expect((await variables(who, id)).client_name).toBeUndefined();
    await settle(id);
    expect(await sessionInfo(who, id)).toMatchObject({ riskLevel: "imminent" });
    const counselor = await person("counselor");
    const listed = await body(await call("/api/sessions?risk=high&limit=100", { headers: counselor.headers }), 200);
    expect(listed.items.find((s: any) => s.sessionId === id)).toMatchObject({ riskLevel: "imminent" });
  });
});

describe("a project's own crisis file", () => {
  async function projectWithCrisis(author: Person, line: string) {
    const project = await newProject(author, { projectName: `Own crisis of ${author.id}` });
    const files = await body(await call(`/api/projects/${project.id}/files?limit=100`, { headers: author.headers }), 200);
    for (const f of files.items) await call(`/api/projects/${project.id}/files/${f.id}`, { method: "DELETE", headers: author.headers });
    await addFile(author, project.id, "sessions/name.yaml", scriptYaml("own_crisis", [{ ask: ASK_NAME.en, into: "client_name" }]));
    const crisis = await addFile(author, project.id, "crisis/en.yaml", projectCrisisYaml(line));
    await publishVersion(author, project.id, "1.0.0");
    return { projectId: project.id as string, crisisFileId: crisis.id as string };
  }

  it("is the protocol its sessions run", async () => {
    const author = await person("author");
    const { projectId } = await projectWithCrisis(author, "Acme Care");
    const client = await person("client");
    const id = (await startSession(client, { projectId })).sessionId as string;
    const crisis = await say(client, id, "I want to kill myself");
    expect(crisis.messages.map((m: any) => m.content)).toEqual([
      "Acme Care is with you.",
      expect.stringMatching(/^Call Acme Care, or one of these: [\s\S]*988/),
      "Acme Care asks: are you safe right now?",
    ]);
    expect(crisis.messages.every((m: any) => m.metadata?.crisis === true)).toBe(true);
    // The project's protocol has no follow-up: one denial takes the client back to the question.
    const back = await say(client, id, "No, I'm safe");
    expect(back.messages.at(-1).content).toContain(ASK_NAME.en);
    await settle(id);
    expect(await d1Referrals(id)).toEqual([{ turn: 2, level: "high", locale: expect.stringMatching(/^en/), action_id: "lines" }]);
  });

  it("is pinned at the session's start: a later publish does not reach it, and a rebuild from D1 keeps it", async () => {
    const author = await person("author");
    const { projectId, crisisFileId } = await projectWithCrisis(author, "Acme Care");
    const client = await person("client");
    const id = (await startSession(client, { projectId })).sessionId as string;
    await settle(id);
    await body(
      await call(`/api/projects/${projectId}/files/${crisisFileId}`, {
        method: "PUT",
        headers: { ...author.headers, "content-type": "application/json" },
        body: JSON.stringify({ content: projectCrisisYaml("Other Care") }),
      }),
      200,
    );
    await publishVersion(author, projectId, "1.0.1");
    // Pinned with the session's texts: the D1 mirror holds its hash, so a rebuild finds its text in `blobs`.
    expect(JSON.parse((await d1Session(id))!.templates)).toHaveProperty("crisis");

    await runInDurableObject(actor(id), async (_i, state) => {
      await state.storage.deleteAlarm();
      await state.storage.deleteAll();
    });
    await abortAllDurableObjects();
    const crisis = await say(client, id, "I want to kill myself");
    expect(crisis.messages[0].content).toBe("Acme Care is with you.");

    const later = (await startSession(client, { projectId })).sessionId as string;
    expect((await say(client, later, "I want to kill myself")).messages[0].content).toBe("Other Care is with you.");
  });
});

describe("the protocol's referrals", () => {
  it("reach D1 once per referral across an eviction, and the safety report counts them", async () => {
    const report = () => reportedThisMonth("referrals");
    const who = await person("author");
    const id = await intake(who, intakeEn);
    await settle(id);
    const before = await report();

    await say(who, id, "I want to kill myself");
    await settle(id);
    expect(await d1Referrals(id)).toEqual([expect.objectContaining({ level: "high", locale: expect.stringMatching(/^en/), action_id: "resources" })]);
    await evictDurableObject(actor(id));

    // Still at risk in the answer to the safety question: the protocol starts over and shows the lines again.
    const again = await say(who, id, "I still want to die");
    expect(texts(again)).toContain("988");
    await settle(id);
    await evictDurableObject(actor(id));
    await say(who, id, "No, I'm safe");
    await settle(id);

    const rows = await d1Referrals(id);
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.turn)).size).toBe(2);
    expect(await report()).toBe(before + 2);
  });
});

describe("the protocol's confirmations", () => {
  it("each answer to a question about safety is one record, in the export and in D1 exactly once across an eviction, and the report counts them", async () => {
    const counts = async () => ({
      confirmations: await reportedThisMonth("confirmations", "en"),
      denials: await reportedThisMonth("denials", "en"),
      unclear: await reportedThisMonth("unclear", "en"),
    });
    const who = await person("author");
    const id = await intake(who, intakeEn);
    await say(who, id, "I want to kill myself");
    await settle(id);
    const before = await counts();
    expect(await d1Records("crisis_confirmations", id)).toEqual([]);

    const [denied] = await deliveredOnceAcrossEviction(id, "crisis_confirmations", () => say(who, id, "No, I'm safe"));
    expect(denied).toEqual({
      id: expect.any(String),
      session_id: id,
      turn: 3,
      message_id: expect.stringMatching(/^usr_/),
      action_id: "confirm",
      level: "high",
      outcome: "denied",
      locale: "en",
      created_at: expect.any(Number),
    });
    // Not a denial the offline model can read: unclear, and the protocol stays.
    await say(who, id, "I don't know, maybe");
    await settle(id);
    const rows = await d1Records("crisis_confirmations", id);
    expect(rows.map((r) => [r.turn, r.action_id, r.outcome])).toEqual([
      [3, "confirm", "denied"],
      [4, "follow_up", "unclear"],
    ]);
    expect(await counts()).toEqual({ confirmations: before.confirmations, denials: before.denials + 1, unclear: before.unclear + 1 });

    const exported = await body(await call(`/api/sessions/${id}/export`, { headers: who.headers }), 200);
    expect(exported.safety.filter((r: any) => r.kind === "confirmation")).toEqual([
      expect.objectContaining({ turn: 3, actionId: "confirm", outcome: "denied", level: "high", source: null }),
      expect.objectContaining({ turn: 4, actionId: "follow_up", outcome: "unclear" }),
    ]);
  });
});
