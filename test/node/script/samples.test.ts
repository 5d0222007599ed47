/**
 * The sample scripts are what projects and benchmarks are seeded from: they
 * must run to the end with the offline model in a handful of turns.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { start, step, type SessionState } from "../../../src/engine";
import { load, type SessionScript } from "../../../src/engine/script";
import { createOfflineModel } from "../../../src/llm/offline";
import { repoRoot } from "./helpers";

async function converse(file: string, answers: string[], techniqueLines: string[] = []) {
  const script = load(readFileSync(path.join(repoRoot, "scripts/sessions", file), "utf8")).script as SessionScript;
  const model = createOfflineModel();
  let state: SessionState = start(script);
  const said: string[] = [];
  let status = "waiting_input";
  for (const input of [null, ...answers]) {
    const result = await step(script, state, input, { model });
    expect(result.error).toBeUndefined();
    said.push(...result.messages.map((m) => m.content));
    techniqueLines.push(...result.messages.flatMap((m) => (m.metadata.technique ? [`${m.metadata.technique}/${m.actionId}`] : [])));
    state = result.state;
    status = result.status;
    if (status !== "waiting_input") break;
  }
  return { said, status, state };
}

describe("sample scripts with the offline model", () => {
  it("intake_en.yaml completes; a low mood brings the safety question and variables reach later phases", async () => {
    const { said, status } = await converse("intake_en.yaml", [
      "Sam",
      "I feel anxious at work",
      "2",
      "No, I feel safe",
      "Not well",
      "Feel calmer",
      "Thank you",
    ]);
    expect(status).toBe("completed");
    expect(said).toContain("Thank you, Sam. What brings you here today?");
    expect(said.some((s) => s.startsWith("That sounds really hard, Sam."))).toBe(true);
    expect(said.some((s) => s.includes('("Not well", as you put it)'))).toBe(true);
    // The summary is its own paragraph; what ai_think wrote reads as a line, and the client's last words get an answer.
    expect(said.at(-2)).toBe(
      "Here is what I heard today, Sam:\n\nI have taken note of what you shared today.\n\nThank you for being so open. Next time we can start working on your goals together.",
    );
    expect(said.at(-1)).toBe("Thank you for today, Sam. Take good care of yourself, and see you next time.");
  });

  it("intake_en.yaml skips the safety question when the mood is not low", async () => {
    const { said, status } = await converse("intake_en.yaml", ["Sam", "Work stress", "7", "Fine", "Less stress", "Thanks"]);
    expect(status).toBe("completed");
    expect(said.some((s) => s.startsWith("That sounds really hard"))).toBe(false);
  });

  it('intake_zh.yaml completes, with vars["情绪评分"] in its condition', async () => {
    const { said, status } = await converse("intake_zh.yaml", ["小李", "最近工作压力很大", "3", "没有", "不太好", "希望轻松一点", "谢谢"]);
    expect(status).toBe("completed");
    expect(said).toContain("谢谢你，小李。是什么让你今天来到这里？");
    expect(said.some((s) => s.startsWith("听起来这段时间真的很不容易，小李。"))).toBe(true);
    expect(said.at(-2)).toBe("小李，这是我今天听到的内容：\n\n我记下了你今天分享的内容。\n\n谢谢你这么坦诚。下次我们可以一起开始朝你的目标努力。");
    expect(said.at(-1)).toBe("谢谢你今天的分享，小李。我们下次见，照顾好自己。");
  });

  it.each([
    [
      "intake_en.yaml",
      ["Sam", "Yes", "I always mess things up", "Last week went well", "That is fairer", "7", "Fine", "Less stress", "Thanks"],
      "balanced_thought",
    ],
    ["intake_zh.yaml", ["小李", "是", "我总是把事情搞砸", "上周做得还不错", "这样想公平一些", "7", "还好", "轻松一点", "谢谢"], "平衡的想法"],
  ])(
    "%s runs the bundled reframe_thought when the client is harsh on themselves, and gets only its mapped output back",
    async (file, answers, mapped) => {
      const lines: string[] = [];
      const { status, state } = await converse(file, answers, lines);
      expect(status).toBe("completed");
      expect(lines).toEqual(["reframe_thought/ask_evidence_for", "reframe_thought/ask_evidence_against", "reframe_thought/offer_balance"]);
      expect(state.variables[mapped]).toEqual(expect.any(String));
      expect(state.variables).not.toHaveProperty("evidence_for");
      expect(state.variables).not.toHaveProperty("thought");
    },
  );
});
