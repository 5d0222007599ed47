/**
 * Risk across turns: a plan that names no act is a crisis after distress or
 * an earlier risk in the client's recent messages, and nothing after ordinary
 * talk. First the detector with `recent`, then the engine, which passes the
 * client's previous messages from its history.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type EngineEvent, type SessionState, start, step } from "../../../src/engine";
import { recentClientText } from "../../../src/engine/runtime/safety";
import { detectCrisis, RECENT_TURNS } from "../../../src/engine/safety/detector";
import { OfflineModel } from "../../../src/llm";
import { fixedNow, parseScript } from "../engine/helpers";

const level = (text: string, recent: string[]) => detectCrisis(text, { recent }).level;

describe("a vague plan read in the light of the turns before it", () => {
  it.each([
    ["i've decided.", ["i just feel worthless"], "high"],
    ["i'll do it tomorrow", ["i'm so sick of fighting"], "imminent"],
    ["got some charcoal", ["what's the point anyway"], "high"],
    ["i'll do it tonight", ["i'm such a burden to everyone"], "imminent"],
    ["我想好了", ["我觉得自己就是个废物"], "high"],
    ["明天就动手吧", ["好不起来了"], "imminent"],
    ["那就今晚吧", ["撑不住了"], "imminent"],
  ] as const)("%s after %j is %s", (text, recent, expected) => {
    expect(level(text, [...recent])).toBe(expected);
    expect(level(text, [])).toBe("none");
  });

  it.each([
    ["i've decided.", ["the flat in town is cheaper but further from work"]],
    ["i'll do it tomorrow", ["my landlord wants the meter reading"]],
    ["got some charcoal", ["we're having people over on sunday"]],
    ["我想好了", ["两个offer我纠结了很久"]],
    ["明天就动手吧", ["阳台的架子一直没装"]],
  ] as const)("%s after %j stays none", (text, recent) => expect(level(text, [...recent])).toBe("none"));

  it("distress after a vague plan raises the later message", () => {
    const found = detectCrisis("honestly i'm tired of it all", { recent: ["bought the charcoal this morning"] });
    expect(found.level).toBe("high");
    expect(found.categories).toContain("plan");
    expect(level("honestly i'm tired of it all", [])).toBe("none");
  });

  it("reads only the last RECENT_TURNS messages", () => {
    const ordinary = Array.from({ length: RECENT_TURNS }, (_, i) => `we talked about the garden, part ${i + 1}`);
    expect(level("i've decided.", ["i'm tired of it all", ...ordinary])).toBe("none");
    expect(level("i've decided.", ["i'm tired of it all", ...ordinary.slice(1)])).toBe("high");
  });

  it("keeps a plan's negation, and a task named just before", () => {
    expect(level("i'm not going to do it tonight", ["nothing is ever going to change"])).toBe("none");
    expect(level("i'll do it when everyone's asleep", ["i'm sick of it all, and my essay is due friday"])).toBe("none");
  });
});

describe("the engine passes the client's recent words", () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const intake = (file: string) => parseScript(readFileSync(join(here, "../../../scripts/sessions", file), "utf8"));

  async function converse(file: string, inputs: string[]) {
    const script = intake(file);
    let state: SessionState = start(script, { now: fixedNow });
    const turns: { events: EngineEvent[]; ids: string[] }[] = [];
    for (const input of [null, ...inputs]) {
      const events: EngineEvent[] = [];
      const r = await step(script, state, input, { model: new OfflineModel(), now: fixedNow, emit: (e) => events.push(e) });
      expect(r.error).toBeUndefined();
      turns.push({ events, ids: r.messages.map((m) => m.actionId ?? "") });
      state = r.state;
    }
    return turns.slice(1);
  }
  const flagged = (t: { events: EngineEvent[] }) => t.events.filter((e) => e.type === "safety").map((e) => (e as { level?: string }).level);

  it("recentClientText keeps the client's messages only, the last RECENT_TURNS, oldest first", () => {
    const history = Array.from({ length: 12 }, (_, i) => ({
      role: i % 2 ? ("assistant" as const) : ("user" as const),
      content: `line ${i}`,
      actionId: null,
    }));
    expect(recentClientText(history)).toEqual(["line 4", "line 6", "line 8", "line 10"].slice(-RECENT_TURNS));
  });

  it("en: after distress that started nothing, a bare decision starts the protocol", async () => {
    const [name, reason, decided] = await converse("intake_en.yaml", ["Sam", "honestly i'm sick of fighting", "i've decided."]);
    expect(flagged(name!)).toEqual([]);
    expect(flagged(reason!)).toEqual([]);
    expect(flagged(decided!)).toEqual(["high"]);
    expect(decided!.ids).toEqual(["acknowledge", "resources", "confirm"]);
  });

  it("en: after ordinary talk, the same words are an ordinary answer", async () => {
    const [, , decided] = await converse("intake_en.yaml", ["Sam", "choosing between two job offers", "i've decided."]);
    expect(flagged(decided!)).toEqual([]);
    expect(decided!.ids).not.toContain("acknowledge");
  });

  it("zh-CN: 好不起来了, then 我想好了, starts the protocol; after ordinary talk it does not", async () => {
    const [, , risky] = await converse("intake_zh.yaml", ["小周", "好不起来了", "我想好了"]);
    expect(flagged(risky!)).toEqual(["high"]);
    expect(risky!.ids).toEqual(["acknowledge", "resources", "confirm"]);
    const [, , ordinary] = await converse("intake_zh.yaml", ["小周", "在两个offer之间纠结", "我想好了"]);
    expect(flagged(ordinary!)).toEqual([]);
  });
});
