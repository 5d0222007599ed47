/**
 * The AI reminder of a minor's session: with a clock the test moves, a step
 * taken 3 hours of conversation after the start (then after the last
 * reminder) opens with the fixed reminder in the script's language; earlier
 * steps and sessions that are not a minor's never show it.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { APICallError } from "@ai-sdk/provider";
import { MockLanguageModelV3 } from "ai/test";
import { describe, expect, it } from "vitest";
import { start, step, type EngineEvent, type SessionState, type StepResult } from "../../../src/engine";
import { AI_REMINDER_INTERVAL_MS, aiReminderText } from "../../../src/engine/runtime/reminder";
import type { SessionScript } from "../../../src/engine/script";
import { OfflineModel } from "../../../src/llm";
import { parseScript } from "./helpers";

const here = dirname(fileURLToPath(import.meta.url));
const intake = (file: string) => parseScript(readFileSync(join(here, "../../../scripts/sessions", file), "utf8"));
const HOUR = 60 * 60 * 1000;
const MINUTE = 60 * 1000;
const t0 = Date.UTC(2026, 0, 1, 9, 0, 0);

/** A session whose clock the test sets before each step. */
function session(script: SessionScript, minor: boolean) {
  let clock = t0;
  const now = () => clock;
  let state: SessionState = start(script, { now, minor });
  return {
    /** One step at `at` ms after the start; its result and events. */
    async at(at: number, input: string | null): Promise<{ r: StepResult; events: EngineEvent[] }> {
      clock = t0 + at;
      const events: EngineEvent[] = [];
      const r = await step(script, state, input, { model: new OfflineModel(), now, emit: (e) => events.push(e) });
      expect(r.error).toBeUndefined();
      state = r.state;
      return { r, events };
    },
    get state() {
      return state;
    },
  };
}

const reminders = (r: StepResult) => r.messages.filter((m) => m.metadata.reminder === "ai_disclosure");

describe("the AI reminder of a minor's session", () => {
  it("comes first in the step at 3 hours, again at 6 hours, and not before", async () => {
    const script = intake("intake_en.yaml");
    const s = session(script, true);
    expect(s.state.minor).toEqual({ remindedAt: new Date(t0).toISOString() });
    expect(reminders((await s.at(0, null)).r)).toEqual([]);
    expect(reminders((await s.at(2 * HOUR, "Alex")).r)).toEqual([]);
    expect(reminders((await s.at(3 * HOUR - MINUTE, "I can't sleep")).r)).toEqual([]);

    const { r, events } = await s.at(3 * HOUR, "2");
    expect(r.messages.length).toBeGreaterThan(1);
    expect(r.messages[0]).toMatchObject({ content: aiReminderText.en, metadata: { reminder: "ai_disclosure" }, role: "assistant" });
    expect(reminders(r)).toHaveLength(1);
    // Emitted like any line (hosts log and send it), with the next message id, and kept in the history the model reads.
    expect(events.find((e) => e.type === "message")).toMatchObject({ message: { id: r.messages[0]!.id, content: aiReminderText.en } });
    expect(r.messages.map((m) => m.id)).toEqual([...new Set(r.messages.map((m) => m.id))]);
    expect(s.state.history.some((h) => h.role === "assistant" && h.content === aiReminderText.en)).toBe(true);
    expect(s.state.minor).toEqual({ remindedAt: new Date(t0 + 3 * HOUR).toISOString() });

    // Counted from the last reminder: nothing at 5h59, one at 6h.
    expect(reminders((await s.at(6 * HOUR - MINUTE, "No")).r)).toEqual([]);
    const sixth = (await s.at(6 * HOUR, "badly")).r;
    expect(reminders(sixth)).toHaveLength(1);
    expect(sixth.messages[0]!.metadata.reminder).toBe("ai_disclosure");
  });

  it("never comes in a session that is not a minor's", async () => {
    const s = session(intake("intake_en.yaml"), false);
    expect(s.state.minor).toBeNull();
    const steps = [await s.at(0, null), await s.at(3 * HOUR, "Alex"), await s.at(6 * HOUR, "I can't sleep"), await s.at(30 * HOUR, "2")];
    for (const { r } of steps) {
      expect(reminders(r)).toEqual([]);
      expect(r.messages.some((m) => m.content === aiReminderText.en)).toBe(false);
    }
  });

  it("is in the script's language, and shown once after a long pause", async () => {
    const s = session(intake("intake_zh.yaml"), true);
    await s.at(0, null);
    const { r } = await s.at(10 * HOUR, "小明");
    expect(reminders(r)).toHaveLength(1);
    expect(r.messages[0]!.content).toBe(aiReminderText["zh-CN"]);
    expect(reminders((await s.at(10 * HOUR + 5 * MINUTE, "睡不好")).r)).toEqual([]);
  });

  it("comes before the crisis protocol's lines too", async () => {
    const script = intake("intake_en.yaml");
    const s = session(script, true);
    await s.at(0, null);
    const { r } = await s.at(AI_REMINDER_INTERVAL_MS, "I want to kill myself");
    expect(r.messages[0]!.metadata.reminder).toBe("ai_disclosure");
    expect(r.messages.slice(1).every((m) => m.metadata.crisis === true)).toBe(true);
    expect(r.messages.length).toBeGreaterThan(1);
  });

  it("is not used up by a step that fails: the retry shows it, with the same message id", async () => {
    const script = intake("intake_en.yaml");
    const now = () => t0 + 3 * HOUR;
    const opened = await step(script, start(script, { now: () => t0, minor: true }), null, { model: new OfflineModel(), now: () => t0 });
    const refused = () => {
      throw new APICallError({ message: "refused", url: "http://model.test", requestBodyValues: {}, statusCode: 401, isRetryable: false });
    };
    const failing = new MockLanguageModelV3({ doStream: refused, doGenerate: refused });
    const failed = await step(script, opened.state, "Alex", { model: failing, now });
    expect(failed.status).toBe("error");
    expect(failed.state.minor).toEqual({ remindedAt: new Date(t0).toISOString() });

    const retried = await step(script, failed.state, "Alex", { model: new OfflineModel(), now });
    expect(retried.error).toBeUndefined();
    expect(retried.messages[0]).toMatchObject({ id: `msg_${opened.state.messageCount + 1}`, metadata: { reminder: "ai_disclosure" } });
    expect(retried.state.minor).toEqual({ remindedAt: new Date(now()).toISOString() });
  });
});
