/**
 * The older simple ai_ask (`target_variable`, no `output`/`exit`) keeps its
 * upstream meaning (spec §4.6.4): one model call phrases the question, none
 * reads the answer, and the answer is stored as written. A modern ai_ask
 * keeps asking and extracting.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { flatVariables, type ModelRequest, type SessionScript } from "../../../src/engine";
import { load } from "../../../src/engine/script";
import { parseScript, runTurns, scriptedModel } from "./helpers";
import { upstreamScript } from "./upstream";

const none = { safety_risk: { detected: false }, metadata: { crisis_signal: false } };

/**
 * A model that records every request and, when shown an answer, follows up
 * once and reports an "extracted" value unlike the answer: if the engine
 * asked it about an answer, the stored value would show it.
 */
function countingModel() {
  const requests: ModelRequest[] = [];
  const model = scriptedModel((req) => {
    requests.push(req);
    const extracted = Object.fromEntries(req.outputs.map((o) => [o.name, `extracted:${o.name}`]));
    if (req.purpose === "ai_ask" && req.answer !== null) return { EXIT: "true", content: "", ...extracted, ...none };
    if (req.purpose === "ai_think" || req.purpose === "extract") return { ...extracted, ...none };
    return { EXIT: "false", content: `«${req.content}»`, ...extracted, ...none };
  });
  return { model, requests };
}

type RawPhase = { topics: { actions: { config: { extraction_prompt?: string } }[] }[] };

const actions = (script: SessionScript) => script.session.phases.flatMap((p) => p.topics.flatMap((t) => t.actions));

describe("the upstream cbt_depression_assessment.yaml (every ai_ask is a simple one with target_variable)", () => {
  const script = parseScript(upstreamScript("cbt_depression_assessment.yaml"));
  const asks = actions(script).flatMap((a) => (a.action_type === "ai_ask" ? [a] : []));
  const answers = ["你好", "小林", "二十八岁吧", "最近总是睡不着，提不起劲", "很低落", "没什么兴趣了", "好的"];

  it("completes with each raw answer under its target variable and one model call per question, none per answer", async () => {
    const { model, requests } = countingModel();
    const { results, state } = await runTurns(script, [null, ...answers], { model });
    expect(results.map((r) => r.error)).toEqual(results.map(() => undefined));
    expect(state.status).toBe("completed");

    // The first answer acknowledges the welcome; each later one answers the next ask, in script order.
    expect(asks.map((a) => a.config.save_answer)).toEqual(["user_name", "user_age", "chief_complaint", "mood_description", "interest_loss"]);
    const variables = flatVariables(state);
    asks.forEach((ask, i) => {
      expect(variables[ask.config.save_answer!], ask.action_id).toBe(answers[i + 1]);
    });

    // One call per ai_ask question, per ai_think, per ai_say round (upstream §5.1 call budget, no answer calls).
    const expected = actions(script).reduce((n, a) => n + (a.action_type === "ai_say" ? (a.config.max_rounds ?? 1) : 1), 0);
    expect(expected).toBe(10);
    expect(results.reduce((n, r) => n + r.stats.llmCalls, 0)).toBe(expected);
    expect(requests).toHaveLength(expected);
    expect(requests.filter((r) => r.purpose === "ai_ask").map((r) => [r.actionId, r.answer])).toEqual(asks.map((a) => [a.action_id, null]));
    expect(requests.some((r) => r.purpose === "extract")).toBe(false);
  });

  it("an empty reply asks the same question again and stores nothing", async () => {
    const { model, requests } = countingModel();
    const { results } = await runTurns(script, [null, "你好", "  "], { model });
    expect(results[2]!.state.position).toMatchObject({ actionId: "ask_name", round: 1, maxRounds: 1 });
    expect(results[2]!.messages).toHaveLength(1);
    expect(flatVariables(results[2]!.state)).not.toHaveProperty("user_name");
    expect(requests.at(-1)).toMatchObject({ purpose: "ai_ask", actionId: "ask_name", answer: null });
  });

  it("each target_variable warning says the answer is kept as written and how to get follow-ups and extraction", () => {
    const { diagnostics } = load(upstreamScript("cbt_depression_assessment.yaml"));
    const warnings = diagnostics.filter((d) => d.path.endsWith(".target_variable"));
    const raw = parse(upstreamScript("cbt_depression_assessment.yaml")) as { session: { phases: RawPhase[] } };
    const prompts = raw.session.phases.flatMap((p) => p.topics.flatMap((t) => t.actions.flatMap((a) => a.config.extraction_prompt ?? [])));
    expect(warnings).toHaveLength(asks.length);
    for (const [i, w] of warnings.entries()) {
      const name = asks[i]!.config.save_answer!;
      expect(w).toMatchObject({ code: "DEPRECATED_FIELD", severity: "warning" });
      expect(w.message).toContain(`\`${name}\` stores the client's reply word for word, with no model call on the reply`);
      expect(w.suggestion).toMatch(new RegExp(`^Write it as: save_answer: ${name}\\. For follow-up questions and the model's extraction`));
      // The define offered is the script's own extraction_prompt.
      expect(w.suggestion).toContain(`output: [{ get: ${name}, define: ${JSON.stringify(prompts[i])} }]`);
    }
  });
});

describe("a modern ai_ask is unchanged", () => {
  const script = (config: string) =>
    parseScript(`
session:
  session_id: modern
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - action_type: ai_ask
              action_id: ask
              config: ${config}
            - { action_type: ai_say, action_id: bye, config: { content: bye, wait_for_reply: false } }
`);

  it("with output it calls the model on the answer and stores the model's value", async () => {
    const { model, requests } = countingModel();
    const { state } = await runTurns(script("{ content: Name?, output: [{ get: client_name }] }"), [null, "call me Sam"], { model });
    expect(flatVariables(state)).toEqual({ client_name: "extracted:client_name" });
    expect(requests.map((r) => [r.purpose, r.answer])).toEqual([
      ["ai_ask", null],
      ["ai_ask", "call me Sam"],
      ["ai_say_paraphrase", null],
    ]);
  });

  it("save_answer written by hand stores the answer as written", async () => {
    const { model, requests } = countingModel();
    const { state } = await runTurns(script("{ content: Name?, save_answer: client_name }"), [null, "call me Sam"], { model });
    expect(flatVariables(state)).toEqual({ client_name: "call me Sam" });
    expect(requests.map((r) => r.purpose)).toEqual(["ai_ask", "ai_say_paraphrase"]);
  });
});
