/**
 * Older field names load with a DEPRECATED_FIELD warning and come out in the modern form.
 */
import { describe, expect, it } from "vitest";
import { load, type Action } from "../../../src/engine/script";
import { locate, session } from "./helpers";

/** Loads one action and returns it in modern form with the warnings it produced. */
function one(action: string) {
  const yaml = session(action);
  const result = load(yaml);
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const script = result.script;
  if (!script || !("session" in script)) throw new Error("expected a session script");
  return { action: script.session.phases[0]!.topics[0]!.actions[0]! as Action, warnings: result.diagnostics, yaml };
}

const fields = (warnings: { code: string; path: string }[]) => warnings.map((w) => `${w.code} ${w.path.split(".").pop()}`);

describe("ai_say", () => {
  it("content_template → content, warning names the field, the replacement and an example", () => {
    const { action, warnings, yaml } = one(
      "- action_type: ai_say\n  action_id: a\n  config:\n    content_template: Welcome to today's session.\n    max_rounds: 1",
    );
    expect(action.config).toEqual({ content: "Welcome to today's session.", max_rounds: 1 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: "DEPRECATED_FIELD", severity: "warning", ...locate(yaml, "content_template") });
    expect(warnings[0]!.message).toContain("`content_template` is an older name for `content`");
    expect(warnings[0]!.suggestion).toBe('Rename it: content: "Welcome to today\'s session."');
  });

  it("content wins over content_template and contentTemplate", () => {
    const { action, warnings } = one(
      "- action_type: ai_say\n  action_id: a\n  config:\n    content: new\n    content_template: old\n    contentTemplate: older",
    );
    expect(action.config).toEqual({ content: "new" });
    expect(warnings.map((w) => w.message)).toEqual([
      "`content_template` is an older name for `content` and is not used, because `content` is also set.",
      "`contentTemplate` is the camelCase spelling of `content_template` and is not used, because `content_template` is also set.",
    ]);
  });

  it("say_goal is dropped with advice", () => {
    const { action, warnings } = one("- action_type: ai_say\n  action_id: a\n  config:\n    content: hi\n    say_goal: make them welcome");
    expect(action.config).toEqual({ content: "hi" });
    expect(warnings[0]!.suggestion).toContain("topic_goal");
  });

  it.each([
    ["require_acknowledgment: false", { content: "hi", wait_for_reply: false }, /older spelling of `wait_for_reply: false`/],
    ["require_acknowledgment: true", { content: "hi" }, /default|anyway/],
    ["require_acknowledgment: false\n    max_rounds: 2", { content: "hi", max_rounds: 2 }, /no effect/],
    ["requireAcknowledgment: false", { content: "hi", wait_for_reply: false }, /older spelling/],
  ])("%s", (line, config, message) => {
    const { action, warnings } = one(`- action_type: ai_say\n  action_id: a\n  config:\n    content: hi\n    ${line}`);
    expect(action.config).toEqual(config);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(message);
  });

  it("require_acknowledgment with exit_criteria has no effect either", () => {
    const { action, warnings } = one(
      "- action_type: ai_say\n  action_id: a\n  config:\n    content: hi\n    exit_criteria: { min_rounds: 1 }\n    require_acknowledgment: false",
    );
    expect(action.config).toEqual({ content: "hi", exit_criteria: { min_rounds: 1 } });
    expect(warnings[0]!.message).toMatch(/no effect/);
  });
});

describe("ai_ask", () => {
  it("a simple ask's target_variable keeps its upstream meaning: save_answer; extraction_prompt and max_rounds had no effect", () => {
    const { action, warnings } = one(
      [
        "- action_type: ai_ask",
        "  action_id: ask_name",
        "  config:",
        "    target_variable: user_name",
        "    question_template: What should I call you?",
        "    extraction_prompt: the name the client gives",
        "    required: true",
        "    max_rounds: 3",
      ].join("\n"),
    );
    expect(action).toEqual({
      action_type: "ai_ask",
      action_id: "ask_name",
      config: { content: "What should I call you?", save_answer: "user_name" },
    });
    expect(fields(warnings)).toEqual([
      "DEPRECATED_FIELD target_variable",
      "DEPRECATED_FIELD question_template",
      "DEPRECATED_FIELD extraction_prompt",
      "DEPRECATED_FIELD required",
    ]);
    expect(warnings[0]!.message).toMatch(/asks once and `user_name` stores the client's reply word for word, with no model call on the reply/);
    expect(warnings[0]!.message).toContain("`max_rounds` has no effect");
    // The way to the modern behaviour, built from the script's own extraction prompt.
    expect(warnings[0]!.suggestion).toBe(
      'Write it as: save_answer: user_name. For follow-up questions and the model\'s extraction of the value, write output: [{ get: user_name, define: "the name the client gives" }] instead.',
    );
    expect(warnings[2]!.message).toMatch(/`extraction_prompt` is not used/);
    expect(warnings[2]!.suggestion).toContain('output: [{ get: user_name, define: "the name the client gives" }]');
    expect(warnings[3]!.message).toMatch(/never had an effect/);
  });

  it("the same warning in Chinese", () => {
    const result = load(session("- action_type: ai_ask\n  action_id: a\n  config:\n    question_template: 怎么称呼你？\n    target_variable: 称呼"), {
      lang: "zh-CN",
    });
    const warning = result.diagnostics.find((d) => d.path.endsWith("target_variable"))!;
    expect(warning.message).toContain("AI 只问一次，`称呼` 原样保存来访者的回答，不对回答调用模型");
    expect(warning.suggestion).toContain('output: [{ get: 称呼, define: "…" }]');
  });

  it("with exit or output, target_variable is an output entry and extraction_prompt its define (multi-round ask)", () => {
    const { action, warnings } = one(
      "- action_type: ai_ask\n  action_id: a\n  config:\n    content: Name?\n    exit: a name was given\n    target_variable: user_name\n    extraction_prompt: the name\n    max_rounds: 3",
    );
    expect(action.config).toEqual({ content: "Name?", exit: "a name was given", output: [{ get: "user_name", define: "the name" }], max_rounds: 3 });
    expect(warnings[0]!.suggestion).toBe("Write it as: output: [{ get: user_name }]");
    expect(warnings[1]!.suggestion).toBe('Write it as: output: [{ get: user_name, define: "the name" }]');
  });

  it("save_answer does not go with output, exit or max_rounds", () => {
    for (const extra of ["exit: a name", "max_rounds: 2", "output: [{ get: x }]"]) {
      const result = load(session(`- action_type: ai_ask\n  action_id: a\n  config:\n    content: Name?\n    save_answer: n\n    ${extra}`));
      expect(result.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.path}`)).toEqual([
        "INVALID_VALUE session.phases[0].topics[0].actions[0].config.save_answer",
      ]);
    }
  });

  it("content priority: content > question_template > prompt_template > content_template", () => {
    const ask = (lines: string) => one(`- action_type: ai_ask\n  action_id: a\n  config:\n${lines}`).action.config;
    expect(ask("    content_template: c\n    prompt_template: p\n    question_template: q")).toMatchObject({ content: "q" });
    expect(ask("    content_template: c\n    prompt_template: p")).toMatchObject({ content: "p" });
    expect(ask("    content_template: c")).toMatchObject({ content: "c" });
    expect(ask("    content: x\n    question_template: q")).toMatchObject({ content: "x" });
  });

  it.each(["targetVariable", "extract_to", "extractTo"])("%s is read as target_variable", (key) => {
    const { action, warnings } = one(`- action_type: ai_ask\n  action_id: a\n  config:\n    content: Age?\n    ${key}: age`);
    expect(action.config).toEqual({ content: "Age?", save_answer: "age" });
    expect(warnings[0]!.message).toContain(`\`${key}\``);
  });

  it("target_variable already in output is not added twice; the first target wins", () => {
    const { action, warnings } = one(
      "- action_type: ai_ask\n  action_id: a\n  config:\n    content: Age?\n    target_variable: age\n    extract_to: years\n    output:\n      - get: age\n        define: in years",
    );
    expect(action.config).toEqual({ content: "Age?", output: [{ get: "age", define: "in years" }] });
    expect(warnings.map((w) => w.message)[1]).toMatch(/`extract_to` is not used, because `target_variable`/);
  });

  it("extraction_prompt without a target goes to the single output entry", () => {
    const { action } = one(
      "- action_type: ai_ask\n  action_id: a\n  config:\n    content: Mood?\n    extraction_prompt: a word for the mood\n    output: [{ get: mood }]",
    );
    expect(action.config).toEqual({ content: "Mood?", output: [{ get: "mood", define: "a word for the mood" }] });
  });

  it("extraction_prompt that fits no single output entry is dropped with a warning", () => {
    const { action, warnings } = one(
      "- action_type: ai_ask\n  action_id: a\n  config:\n    content: Mood?\n    extraction_prompt: x\n    output: [{ get: mood }, { get: sleep }]",
    );
    expect(action.config).toEqual({ content: "Mood?", output: [{ get: "mood" }, { get: "sleep" }] });
    expect(warnings[0]!.message).toMatch(/cannot be matched/);
  });
});

describe("ai_think", () => {
  it("think_goal + prompt_template + output_variables + input_variables become content + output", () => {
    const { action, warnings } = one(
      [
        "- action_type: ai_think",
        "  action_id: t",
        "  config:",
        "    think_goal: Assess severity",
        "    input_variables: [complaint]",
        "    output_variables: [category, severity]",
        "    prompt_template: Based on the complaint, rate it.",
      ].join("\n"),
    );
    expect(action.config).toEqual({
      content: "Assess severity\n\nBased on the complaint, rate it.",
      output: [{ get: "category" }, { get: "severity" }],
    });
    expect(fields(warnings)).toEqual([
      "DEPRECATED_FIELD think_goal",
      "DEPRECATED_FIELD input_variables",
      "DEPRECATED_FIELD output_variables",
      "DEPRECATED_FIELD prompt_template",
    ]);
    expect(warnings[1]!.message).toMatch(/placeholders/);
  });

  it("prompt_template alone becomes content", () => {
    const { action } = one("- action_type: ai_think\n  action_id: t\n  config:\n    prompt_template: Summarise.\n    output: [{ get: s }]");
    expect(action.config).toEqual({ content: "Summarise.", output: [{ get: "s" }] });
  });

  it("output_variables that are not a list of names is a TYPE_MISMATCH error", () => {
    const result = load(session("- action_type: ai_think\n  action_id: t\n  config:\n    content: x\n    output_variables: summary"));
    expect(result.diagnostics.map((d) => d.code)).toContain("TYPE_MISMATCH");
    expect(result.script).toBeUndefined();
  });
});

describe("other spellings", () => {
  it("camelCase field names are read as snake_case", () => {
    const { action, warnings } = one("- actionType: ai_say\n  actionId: a\n  config:\n    content: hi\n    maxRounds: 2");
    expect(action).toEqual({ action_type: "ai_say", action_id: "a", config: { content: "hi", max_rounds: 2 } });
    expect(warnings.map((w) => w.message)).toEqual([
      "`actionType` is the camelCase spelling of `action_type`; it is read as `action_type`.",
      "`actionId` is the camelCase spelling of `action_id`; it is read as `action_id`.",
      "`maxRounds` is the camelCase spelling of `max_rounds`; it is read as `max_rounds`.",
    ]);
  });

  it("legacy config keys written beside config are moved in and mapped", () => {
    const { action, warnings } = one("- action_type: ai_ask\n  action_id: a\n  question_template: Name?\n  target_variable: name");
    expect(action.config).toEqual({ content: "Name?", save_answer: "name" });
    expect(warnings.map((w) => w.code)).toEqual(["MISPLACED_FIELD", "DEPRECATED_FIELD", "MISPLACED_FIELD", "DEPRECATED_FIELD"]);
  });

  it("the errors a renamed field causes point at the field as written", () => {
    const yaml = session('- action_type: ai_say\n  action_id: a\n  config:\n    content_template: ""');
    const result = load(yaml);
    const error = result.diagnostics.find((d) => d.severity === "error")!;
    expect(error).toMatchObject({ code: "INVALID_VALUE", path: "session.phases[0].topics[0].actions[0].config.content", ...locate(yaml, '""') });
  });
});
