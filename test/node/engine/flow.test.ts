/**
 * Where a script goes: ai_ask's graded `reprompts` (guidance per question, an empty reply told apart
 * from an off-topic one), its `on_exhausted` choices, `next:` branches on actions and topics (forward
 * and back, with a jump limit per step), the loader's checks of all of them, and the crisis protocol
 * still coming before any of it.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { load, scriptJsonSchema } from "../../../src/engine/script";
import { MAX_JUMPS_PER_STEP } from "../../../src/engine/runtime/advance";
import { OfflineModel } from "../../../src/llm";
import { jumpLoopTopic } from "../../support/jump-loop";
import { crisisMeta, parseScript, promptOf, requestOf, runTurns, scriptedModel } from "./helpers";

const offline = () => new OfflineModel();

/** A mood check-in asked with reprompts; `onExhausted` is the YAML of its `on_exhausted` (or nothing). */
function moodScript(onExhausted = "", language = "en", type = "integer") {
  return `
session:
  session_id: mood_flow
  language: ${language}
  phases:
    - phase_id: p
      topics:
        - topic_id: check_in
          actions:
            - action_type: ai_ask
              action_id: ask_mood
              config:
                content: From 0 to 10, how is your mood today?
                output: [{ get: mood_score, type: ${type} }]
                max_rounds: 3
                reprompts:
                  - Ask again in simpler words.
                  - Offer two example answers, such as 3 or 7.
${onExhausted ? `                on_exhausted: ${onExhausted}` : ""}
        - topic_id: middle
          actions:
            - { action_type: ai_say, action_id: say_middle, config: { content: "Thank you for telling me.", max_rounds: 1 } }
        - topic_id: closing
          actions:
            - { action_type: ai_say, action_id: say_closing, config: { content: "Let's stop here for today.", max_rounds: 1 } }
`;
}

describe("graded reprompts", () => {
  it("asks each later question with that round's guidance, and tells an empty reply from an off-topic one", async () => {
    const script = parseScript(moodScript());
    const run = await runTurns(script, [null, "", "what is the weather like", "6"], { model: offline() });
    const lines = run.results.slice(0, 3).map((r) => r.messages.map((m) => m.content));
    expect(lines).toEqual([
      ["From 0 to 10, how is your mood today?"],
      ["Take your time. (Ask again in simpler words.) From 0 to 10, how is your mood today?"],
      ["Let's come back to this. (Offer two example answers, such as 3 or 7.) From 0 to 10, how is your mood today?"],
    ]);
    // The empty reply used up a question: the off-topic answer came at question 2, the reading one at 3.
    expect(run.results.slice(0, 3).map((r) => r.state.position.round)).toEqual([1, 2, 3]);
    expect(run.state.variables.mood_score).toBe(6);
    expect(run.results[3]!.messages.map((m) => m.actionId)).toEqual(["say_middle"]);
  });

  it("puts the guidance and the reason in the prompt of the question it is for, in English and Chinese", async () => {
    for (const [language, empty, offTopic] of [
      ["en", "The client's last reply was empty", "If the client's last reply does not answer the question"],
      ["zh-CN", "【再次提问】来访者上一次什么也没有回复", "【如果来访者没有回答】"],
    ] as const) {
      const prompts: string[] = [];
      const model = scriptedModel((req) => {
        if (req.purpose !== "ai_ask") return { content: "ok" };
        return { EXIT: "false", content: `question ${req.round}`, mood_score: null };
      });
      const script = parseScript(moodScript("", language));
      await runTurns(script, [null, "", "something else"], { model });
      for (const call of model.doStreamCalls) prompts.push(promptOf(call as never));
      const requests = model.doStreamCalls.map((c) => requestOf(c as never));
      expect(requests.map((r) => r.reprompt)).toEqual([
        undefined,
        { attempt: 2, reason: "empty", guidance: "Ask again in simpler words." },
        { attempt: 3, reason: "off_topic", guidance: "Offer two example answers, such as 3 or 7." },
      ]);
      expect(prompts[0]).not.toContain(empty);
      expect(prompts[0]).not.toContain(offTopic);
      expect(prompts[1]).toContain(empty);
      expect(prompts[1]).toContain("Ask again in simpler words.");
      expect(prompts[2]).toContain(offTopic);
      expect(prompts[2]).toContain("Offer two example answers, such as 3 or 7.");
    }
  });

  it("without reprompts, an empty reply asks the same question again at the same round", async () => {
    const script = parseScript(moodScript().replace(/ {16}reprompts:\n.*\n.*\n/, ""));
    const run = await runTurns(script, [null, "", ""], { model: offline() });
    expect(run.results.map((r) => r.state.position.round)).toEqual([1, 1, 1]);
    expect(new Set(run.results.map((r) => r.messages[0]!.content)).size).toBe(1);
  });
});

describe("on_exhausted", () => {
  const unanswered = [null, "", "no idea", "still no idea"];
  const said = (run: Awaited<ReturnType<typeof runTurns>>) => run.results.flatMap((r) => r.messages.map((m) => m.actionId));

  it("continue: moves on in order with the output unset", async () => {
    const run = await runTurns(parseScript(moodScript("continue")), unanswered, { model: offline() });
    expect(run.state.variables).not.toHaveProperty("mood_score");
    expect(said(run).at(-1)).toBe("say_middle");
  });

  it("default: sets the output's default, read as its type", async () => {
    const run = await runTurns(parseScript(moodScript(`{ default: { mood_score: "5" } }`)), unanswered, { model: offline() });
    expect(run.state.variables.mood_score).toBe(5);
    expect(said(run).at(-1)).toBe("say_middle");
  });

  it("goto: jumps to the topic, past the ones between", async () => {
    const run = await runTurns(parseScript(moodScript("{ goto: closing }")), unanswered, { model: offline() });
    expect(said(run)).not.toContain("say_middle");
    expect(said(run).at(-1)).toBe("say_closing");
    expect(run.state.position.topicId).toBe("closing");
  });

  it("goto is not taken when the client answered", async () => {
    const run = await runTurns(parseScript(moodScript("{ goto: closing }")), [null, "7"], { model: offline() });
    expect(run.state.variables.mood_score).toBe(7);
    expect(said(run).at(-1)).toBe("say_middle");
  });

  it("silence alone exhausts the questions too", async () => {
    const run = await runTurns(parseScript(moodScript("{ default: { mood_score: 0 } }")), [null, "", "", ""], { model: offline() });
    expect(run.state.variables.mood_score).toBe(0);
    expect(said(run).at(-1)).toBe("say_middle");
  });

  it("replaces the last-answer fallback: a text output stays unset rather than holding an answer that did not answer", async () => {
    // A model that never hears a value: the rounds run out with the output empty.
    const model = () =>
      scriptedModel((req) => (req.purpose === "ai_ask" ? { EXIT: "false", content: `question ${req.round}`, mood_score: "" } : { content: "ok" }));
    const without = await runTurns(parseScript(moodScript("", "en", "text")), unanswered, { model: model() });
    expect(without.state.variables.mood_score).toBe("still no idea");
    const withContinue = await runTurns(parseScript(moodScript("continue", "en", "text")), unanswered, { model: model() });
    expect(withContinue.state.variables).not.toHaveProperty("mood_score");
  });
});

const branching = `
session:
  session_id: branching
  language: en
  phases:
    - phase_id: p
      topics:
        - topic_id: check_in
          actions:
            - action_type: ai_ask
              action_id: ask_ready
              config:
                content: Are you ready to begin?
                output: [{ get: ready, type: boolean }]
              next:
                - if: "ready"
                  then: closing
                - else: explain
        - topic_id: closing
          actions:
            - { action_type: ai_say, action_id: say_bye, config: { content: "Then let's begin.", max_rounds: 1 } }
        - topic_id: explain
          actions:
            - { action_type: ai_say, action_id: say_how, config: { content: "Here is how this works.", max_rounds: 1 } }
          next:
            - else: check_in
`;

describe("next: branching", () => {
  it("jumps forward on a condition and back to an earlier topic, turn after turn", async () => {
    const script = parseScript(branching);
    const run = await runTurns(script, [null, "no", "ok", "yes"], { model: offline() });
    const lines = run.results.map((r) => r.messages.map((m) => m.actionId));
    // no → explain (past closing); its reply → back to check_in, asked anew; yes → closing.
    expect(lines).toEqual([["ask_ready"], ["say_how"], ["ask_ready"], ["say_bye"]]);
    expect(run.results[2]!.state.position).toMatchObject({ topicId: "check_in", actionId: "ask_ready", round: 1 });
    expect(run.state.variables.ready).toBe(true);
    const diagnostics = run.events.filter((e) => e.type === "diagnostic");
    expect(diagnostics).toEqual([]);
  });

  it("a condition that cannot be evaluated counts as false, with a diagnostic naming the entry", async () => {
    const script = parseScript(
      branching
        .replace('- if: "ready"', '- if: "has(vars.ready) && ready"')
        .replace("- else: explain", '- if: "nothing_set"\n                  then: explain'),
    );
    const run = await runTurns(script, [null, "yes"], { model: offline() });
    expect(run.results[1]!.messages.map((m) => m.actionId)).toEqual(["say_bye"]);
    const none = await runTurns(script, [null, "no"], { model: offline() });
    // Neither entry holds: on in order, to closing.
    expect(none.results[1]!.messages.map((m) => m.actionId)).toEqual(["say_bye"]);
    expect(none.events.filter((e) => e.type === "diagnostic")).toMatchObject([
      { code: "CONDITION_ERROR", actionId: "ask_ready", message: expect.stringContaining('`next` entry 2 of action "ask_ready"') },
    ]);
  });

  it("stops following jumps past the limit in one step, says so once, and goes on in order", async () => {
    const script = parseScript(`
session:
  session_id: loop
  language: en
  phases:
    - phase_id: p
      topics:
${jumpLoopTopic("spin", "count")}        - topic_id: after
          actions:
            - { action_type: ai_say, action_id: say_after, config: { content: "Out of the loop.", max_rounds: 1 } }
`);
    const run = await runTurns(script, [null], { model: offline() });
    const result = run.results[0]!;
    expect(result.status).toBe("waiting_input");
    expect(result.messages.map((m) => m.content)).toEqual(["Out of the loop."]);
    expect(run.state.variables.laps).toBe(MAX_JUMPS_PER_STEP + 1);
    const diagnostics = run.events.filter((e) => e.type === "diagnostic");
    expect(diagnostics).toMatchObject([{ code: "JUMP_LIMIT", actionId: "count", message: expect.stringContaining('topic "spin"') }]);
  });

  it("an action's own next comes before its topic's", async () => {
    const script = parseScript(
      branching.replace(
        '            - { action_type: ai_say, action_id: say_how, config: { content: "Here is how this works.", max_rounds: 1 } }',
        '            - { action_type: ai_say, action_id: say_how, config: { content: "Here is how this works.", max_rounds: 1 }, next: [ { else: closing } ] }',
      ),
    );
    const run = await runTurns(script, [null, "no", "ok"], { model: offline() });
    expect(run.results[2]!.messages.map((m) => m.actionId)).toEqual(["say_bye"]);
  });

  it("the model's crisis signal on the answer takes back the jump with the answer", async () => {
    const script = parseScript(branching);
    const model = scriptedModel((req) => {
      if (req.actionId === "ask_ready" && req.answer !== null) return { EXIT: "true", content: "", ready: false, ...crisisMeta };
      if (req.purpose === "ai_ask" && req.answer !== null) return { EXIT: "true", content: "", current_risk: "none" };
      if (req.purpose === "extract") return { current_risk: "none" };
      return { EXIT: "false", content: req.content };
    });
    const run = await runTurns(script, [null, "no"], { model });
    const turn = run.results[1]!;
    expect(turn.messages.map((m) => m.actionId)).not.toContain("say_how");
    expect(turn.messages.every((m) => m.metadata.crisis === true)).toBe(true);
    expect(run.state.variables).not.toHaveProperty("ready");
    expect(run.state.position).toMatchObject({ topicId: "check_in", actionId: "ask_ready" });
    expect(run.events.filter((e) => e.type === "position").map((e) => (e.type === "position" ? e.position.topicId : null))).not.toContain("explain");
  });

  it("a crisis disclosure is never the answer a branch reads: the protocol runs and nothing jumps", async () => {
    const script = parseScript(branching);
    const run = await runTurns(script, [null, "I want to kill myself"], { model: offline() });
    const crisisTurn = run.results[1]!;
    expect(crisisTurn.messages.length).toBeGreaterThan(0);
    expect(crisisTurn.messages.every((m) => m.metadata.crisis === true)).toBe(true);
    expect(run.state.crisis).not.toBeNull();
    expect(run.state.variables).not.toHaveProperty("ready");
    expect(run.state.position).toMatchObject({ topicId: "check_in", actionId: "ask_ready" });
  });
});

describe("the loader on flow", () => {
  const codes = (yaml: string, lang: "en" | "zh-CN" = "en") =>
    load(yaml, { lang }).diagnostics.map((d) => ({
      code: d.code,
      severity: d.severity,
      line: d.line,
      column: d.column,
      message: d.message,
      suggestion: d.suggestion,
    }));

  it("accepts the branching and reprompt scripts without a diagnostic", () => {
    expect(codes(branching)).toEqual([]);
    expect(codes(moodScript("{ default: { mood_score: 5 }, goto: closing }"))).toEqual([]);
  });

  it("reports an unknown target at its line and column, with the closest topic or the list of topics, in English and Chinese", () => {
    const bad = branching.replace("then: closing", "then: closnig").replace("- else: check_in", "- else: somewhere_else");
    expect(codes(bad)).toEqual([
      expect.objectContaining({ code: "UNKNOWN_TARGET", severity: "error", line: 17, column: 25, suggestion: "Did you mean `closing`?" }),
      expect.objectContaining({
        code: "UNKNOWN_TARGET",
        line: 26,
        column: 21,
        message: "There is no topic `somewhere_else` to go to.",
        suggestion: "Use the `topic_id` of a topic of this script: `check_in`, `closing`, `explain`.",
      }),
    ]);
    expect(codes(bad, "zh-CN")[0]).toMatchObject({ message: "没有可以跳转到的话题 `closnig`。", suggestion: "你是不是想写 `closing`？" });
    const goto = codes(moodScript("{ goto: closin }"));
    expect(goto).toMatchObject([{ code: "UNKNOWN_TARGET", suggestion: "Did you mean `closing`?" }]);
  });

  it("reports a condition that is not CEL as an error, and checks the names it reads", () => {
    expect(codes(branching.replace('if: "ready"', 'if: "ready &&"'))).toMatchObject([{ code: "INVALID_CONDITION", severity: "error", line: 16 }]);
    expect(codes(branching.replace('if: "ready"', 'if: "redy"'))).toMatchObject([{ code: "UNDEFINED_VARIABLE", severity: "warning" }]);
  });

  it("explains entries of the wrong form: a missing then, goto for then, else before the end", () => {
    const missingThen = codes(branching.replace("                  then: closing\n", ""));
    expect(missingThen).toMatchObject([
      { code: "REQUIRED_FIELD", message: "A `next` entry needs `then`.", suggestion: "Add it, for example: then: closing" },
    ]);
    const goto = codes(branching.replace("then: closing", "goto: closing"));
    expect(goto[0]).toMatchObject({ code: "UNKNOWN_FIELD", suggestion: expect.stringContaining("`then`") });
    const elseFirst = codes(branching.replace("- else: check_in", '- else: check_in\n            - if: "true"\n              then: closing'));
    expect(elseFirst).toMatchObject([{ code: "INVALID_VALUE", message: expect.stringContaining("`else` is taken whenever it is reached") }]);
  });

  it("warns about reprompts max_rounds never reaches, and checks on_exhausted's defaults and form", () => {
    expect(codes(moodScript().replace("max_rounds: 3", "max_rounds: 2"))).toMatchObject([
      { code: "UNUSED_REPROMPT", severity: "warning", suggestion: expect.stringContaining("max_rounds: 3") },
    ]);
    expect(codes(moodScript("{ default: { mood_scor: 5 } }"))).toMatchObject([
      { code: "INVALID_VALUE", severity: "error", suggestion: "Did you mean `mood_score`?" },
    ]);
    expect(codes(moodScript("{ default: { mood_score: lots } }"))).toMatchObject([
      { code: "TYPE_MISMATCH", message: expect.stringContaining("cannot be read as its type `integer`") },
    ]);
    expect(codes(moodScript("contnue"))).toMatchObject([{ code: "INVALID_VALUE", suggestion: expect.stringContaining("`continue`") }]);
  });

  it("the JSON Schema editors use has next, reprompts and on_exhausted, and rejects their wrong forms", () => {
    const validate = new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(scriptJsonSchema());
    expect(validate(parse(branching))).toBe(true);
    expect(validate(parse(moodScript("{ default: { mood_score: 5 }, goto: closing }")))).toBe(true);
    expect(validate(parse(moodScript("continue")))).toBe(true);
    expect(validate(parse(branching.replace("- else: check_in", "- else: check_in\n              then: closing")))).toBe(false);
    expect(validate(parse(moodScript("{ goto: 3 }")))).toBe(false);
    expect(validate(parse(moodScript().replace("- Ask again in simpler words.", "- { text: Ask again }")))).toBe(false);
  });
});
