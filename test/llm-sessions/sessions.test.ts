/**
 * The reply corpus inside workerd: real SessionActor sessions of the sample
 * scripts with LLM_PROVIDER=openai-compatible against the fake OpenAI server
 * (globalSetup, ./fake-server.ts), driven over the HTTP API and the
 * WebSocket the way a client is. The fake's plan is one per server, so this
 * project keeps to this one file (files would run in parallel).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import intakeEn from "../../scripts/sessions/intake_en.yaml";
import intakeZh from "../../scripts/sessions/intake_zh.yaml";
import { call, expectProblem } from "../helpers";
import { body, lastState, openSocket, person, say, sendMessage, startSession, type Person } from "../session/helpers";
import { residue, SHAPES, type Language, type Plan } from "../support/reply-corpus";

async function plan(next: Plan): Promise<void> {
  const res = await fetch(`${env.LLM_BASE_URL}/corpus-plan`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(next),
  });
  expect(res.status).toBe(200);
  await res.body?.cancel();
}

const SCRIPT = { en: intakeEn, "zh-CN": intakeZh } as const;
const SCORE = { en: "mood_score", "zh-CN": "情绪评分" } as const;
/** The client's answer to each question, by the action that asked. */
const ANSWER: Record<Language, Record<string, string>> = {
  en: { ask_name: "Sam", ask_problem: "Work is stressful", rate_mood: "3", check_safety: "No", ask_sleep: "Badly", ask_goals: "Sleep better" },
  "zh-CN": { ask_name: "小林", ask_problem: "工作压力大", rate_mood: "3", check_safety: "没有", ask_sleep: "睡不好", ask_goals: "睡得好一点" },
};
const THANKS = { en: "Thanks", "zh-CN": "谢谢" } as const;

/** What a client must never see, even for a moment: JSON syntax, a reasoning block, a fence, a speaker label. */
const syntax = /[{}]|"EXIT"|"content"|<\/?think>|```|^(Counselor|咨询师)\s*[:：]/;
/** What must never stay: the draft of a discarded object or attempt. */
const dirty = new RegExp(`${syntax.source}|A first draft|初稿`);

/** What a client shows of each streamed line as frames arrive (deltas appended, a delta_reset clears the line). */
function shownWhileStreaming(frames: any[], check: (shown: string) => void): void {
  const shown = new Map<string, string>();
  for (const f of frames) {
    if (f.type === "delta_reset") shown.set(f.messageId, "");
    if (f.type !== "delta") continue;
    const text = (shown.get(f.messageId) ?? "") + f.text;
    shown.set(f.messageId, text);
    check(text);
  }
}

/** A whole session over the WebSocket, each question answered by the action that asked it. */
async function converse(who: Person, language: Language) {
  const created = await startSession(who, { scriptYaml: SCRIPT[language] });
  const socket = await openSocket(created.sessionId, who.token);
  await socket.until((f) => lastState(f) !== undefined);
  const messages: any[] = [...created.messages];
  for (let turn = 0; lastState(socket.frames).status !== "completed" && turn < 25; turn++) {
    const asking = messages.filter((m) => m.role === "assistant").at(-1)?.actionId;
    const before = lastState(socket.frames).lastSeq;
    socket.send({ type: "user_message", content: ANSWER[language][asking] ?? THANKS[language], clientMessageId: `t${turn}` });
    await socket.until((f) => lastState(f).lastSeq > before + 1 || f.some((x) => x.type === "error"));
    messages.push(...socket.frames.filter((f) => f.type === "message" && f.seq > before));
    if (socket.frames.some((f) => f.type === "error")) break;
  }
  socket.ws.close(1000, "done");
  return { id: created.sessionId as string, frames: socket.frames, messages, created };
}

describe("sample sessions in workerd, the model answering in each corpus shape", { timeout: 60_000 }, () => {
  for (const language of ["en", "zh-CN"] as const) {
    for (const shape of SHAPES) {
      it(`${shape.name} (${language})`, async () => {
        await plan({ shape: shape.name });
        const who = await person("author");
        const { id, frames, messages } = await converse(who, language);
        expect(frames.filter((f) => f.type === "error")).toEqual([]);
        expect(lastState(frames)).toMatchObject({ status: "completed", sessionStatus: "completed" });

        const said = messages.filter((m) => m.role === "assistant");
        for (const m of said) {
          expect(m.content, m.actionId).not.toMatch(dirty);
          expect(residue(m.content, language), m.actionId).toBe("");
        }
        // Streaming: no syntax at any moment, and what a client ends up with is the final line. (Replies the
        // engine cannot yet tell are a plain line, such as prose before the JSON, show whole at the end.)
        if (shape.name === "clean JSON") expect(frames.some((f) => f.type === "delta")).toBe(true);
        shownWhileStreaming(frames, (shown) => expect(shown).not.toMatch(syntax));
        const finalById = new Map(said.map((m) => [m.id, m.content]));
        const streamed = new Map<string, string>();
        for (const f of frames) {
          if (f.type === "delta_reset") streamed.set(f.messageId, "");
          if (f.type === "delta") streamed.set(f.messageId, (streamed.get(f.messageId) ?? "") + f.text);
        }
        for (const [messageId, text] of streamed) if (text) expect(text).toBe(finalById.get(messageId));

        // The safety check ran: the score is an integer, however the model typed it.
        expect(said.some((m) => m.actionId === "check_safety")).toBe(true);
        const view = await body(await call(`/api/sessions/${id}/variables`, { headers: who.headers }), 200);
        expect(view.variables[SCORE[language]]).toBe(3);
      });
    }
  }
});

describe("replies that cannot be recovered end the turn retryably, the state unchanged", { timeout: 60_000 }, () => {
  it.each([
    ["an empty reply three times", { empty: true } as Plan, 502, "MODEL_REPLY_INVALID"],
    ["a server that returns 500 forever", { outage: true } as Plan, 503, "LLM_UNAVAILABLE"],
  ])("%s: %s %s, then the same message goes through once the model recovers", async (_name, failing, status, code) => {
    await plan({ shape: "clean JSON" });
    const who = await person("author");
    const created = await startSession(who, { scriptYaml: intakeEn });
    const before = await body(await call(`/api/sessions/${created.sessionId}`, { headers: who.headers }), 200);
    const variables = async () => (await body(await call(`/api/sessions/${created.sessionId}/variables`, { headers: who.headers }), 200)).variables;
    const variablesBefore = await variables();
    const socket = await openSocket(created.sessionId, who.token);
    await socket.until((f) => lastState(f) !== undefined);

    await plan(failing);
    const problem = await expectProblem(await sendMessage(who, created.sessionId, "Sam", "m-1"), status, code);
    expect(problem).toMatchObject({ retryable: true, clientMessageId: "m-1" });
    await socket.until((f) => f.some((x) => x.type === "error"));
    expect(socket.frames.find((f) => f.type === "error")).toMatchObject({ code, retryable: true });
    // Whatever streamed of the failed turn was taken back before the error.
    const streamedIds = new Set(socket.frames.filter((f) => f.type === "delta").map((f) => f.messageId));
    for (const messageId of streamedIds) expect(socket.frames.some((f) => f.type === "delta_reset" && f.messageId === messageId)).toBe(true);
    expect(socket.frames.filter((f) => f.type === "message" && f.role === "assistant")).toEqual([]);
    const after = await body(await call(`/api/sessions/${created.sessionId}`, { headers: who.headers }), 200);
    expect(after.position).toEqual(before.position);
    expect(await variables()).toEqual(variablesBefore);

    await plan({ shape: "clean JSON" });
    const retried = await say(who, created.sessionId, "Sam", "m-1");
    expect(retried.messages.map((m: any) => m.actionId)).toEqual(["ask_problem"]);
    expect(retried.variables.client_name).toEqual(expect.any(String));
    socket.ws.close(1000, "done");
  });
});
