/**
 * `condition:` is CEL: parse errors are reported at their column inside the
 * YAML scalar, Chinese names go through vars["…"], and the names a condition
 * reads are checked like placeholders.
 */
import { describe, expect, it } from "vitest";
import { checkCondition, load } from "../../../src/engine/script";
import { diagnose, locate, only, session } from "./helpers";

const ask = "- action_type: ai_ask\n  action_id: mood\n  config:\n    content: Mood from 0 to 10?\n    output: [{ get: mood_score }, { get: 情绪 }]";
const withCondition = (condition: string) =>
  session(`${ask}\n- action_type: ai_say\n  action_id: s\n  condition: ${condition}\n  config: { content: hi }`);

describe("checkCondition", () => {
  it('reads identifiers, vars["…"] and vars.x, but not macro loop variables or has() tests', () => {
    const result = checkCondition('mood_score < 4 && vars["情绪"] == "低落" && vars.sleep != "" && items.exists(i, i > limit) && has(vars.maybe)');
    expect(result).toEqual({ ok: true, variables: ["mood_score", "情绪", "sleep", "items", "limit"] });
  });

  it("gives the offset of a parse error", () => {
    expect(checkCondition("mood < ")).toMatchObject({ ok: false, offset: 7 });
    expect(checkCondition("a && (b")).toMatchObject({ ok: false, offset: 7 });
  });
});

describe("INVALID_CONDITION", () => {
  it("points at the column of the error in a plain scalar", () => {
    const yaml = withCondition("mood_score <");
    const d = only(diagnose(yaml), "INVALID_CONDITION");
    expect(d).toMatchObject({
      severity: "error",
      path: "session.phases[0].topics[0].actions[1].condition",
      line: locate(yaml, "mood_score <").line,
      column: locate(yaml, "mood_score <").column + "mood_score <".length,
    });
    expect(d.message).toMatch(/could not be read/);
    expect(d.suggestion).toContain('vars["名字"]');
  });

  it("points inside a quoted scalar", () => {
    const yaml = withCondition('"mood_score >> 3"');
    const d = only(diagnose(yaml), "INVALID_CONDITION");
    const at = locate(yaml, ">> 3");
    expect(d).toMatchObject({ line: at.line, column: at.column + 1 });
  });

  it("points at the right line inside a block scalar", () => {
    const yaml = session(
      `${ask}\n- action_type: ai_say\n  action_id: s\n  condition: |\n    mood_score > 3 &&\n      (mood_score < 8 ||\n  config: { content: hi }`,
    );
    const d = only(diagnose(yaml), "INVALID_CONDITION");
    // The expression ends too early: the error sits just after the last `||`.
    const last = locate(yaml, "(mood_score < 8 ||");
    expect(d).toMatchObject({ line: last.line, column: last.column + "(mood_score < 8 ||".length });
  });

  it('a Chinese name used bare is explained with vars["…"]', () => {
    const yaml = withCondition('情绪 == "低落"');
    const d = only(diagnose(yaml), "INVALID_CONDITION");
    expect(d).toMatchObject(locate(yaml, "情绪 =="));
    expect(d.suggestion).toBe('Write it as vars["情绪"], e.g. vars["情绪"] == "…".');
    expect(only(diagnose(yaml, { lang: "zh-CN" }), "INVALID_CONDITION").suggestion).toContain('请写成 vars["情绪"]');
  });

  it("both forms of a name parse and load", () => {
    const result = load(withCondition(`'mood_score == "3" || vars["情绪"] == "低落"'`));
    expect(result.diagnostics).toEqual([]);
    expect(JSON.stringify(result.script)).toContain('"condition":"mood_score == \\"3\\" || vars[\\"情绪\\"] == \\"低落\\""');
  });
});

describe("names a condition reads", () => {
  it("a name nothing earlier fills is an UNDEFINED_VARIABLE warning", () => {
    const yaml = withCondition("energy < 3");
    const d = only(diagnose(yaml), "UNDEFINED_VARIABLE");
    expect(d).toMatchObject({ severity: "warning", path: "session.phases[0].topics[0].actions[1].condition", ...locate(yaml, "energy") });
    expect(d.message).toContain("`energy`");
  });

  it('vars["name"] is checked too, and knownVariables count as defined', () => {
    const yaml = withCondition('\'vars["睡眠"] == "差"\'');
    expect(only(diagnose(yaml), "UNDEFINED_VARIABLE").message).toContain("`睡眠`");
    expect(diagnose(yaml, { knownVariables: ["睡眠"] })).toEqual([]);
  });
});

describe("conditions the engine would not run are refused when the script is loaded", () => {
  const terms = (n: number) => Array.from({ length: n }, (_, i) => `mood_score == ${i}`).join(" || ");

  it("a 3,000-term condition is INVALID_CONDITION (too long), not a crash", () => {
    const d = only(diagnose(withCondition(terms(3000))), "INVALID_CONDITION");
    expect(d.message).toBe("This condition has more than 1000 parts; the engine does not run conditions that large.");
    expect(d.suggestion).toMatch(/in \[/);
  });

  it("a chain deeper than the limit is INVALID_CONDITION (too deep), in both languages", () => {
    const yaml = withCondition(terms(150));
    expect(only(diagnose(yaml), "INVALID_CONDITION").message).toMatch(/^This condition nests more than 100 levels deep/);
    expect(only(diagnose(yaml, { lang: "zh-CN" }), "INVALID_CONDITION").message).toMatch(/嵌套超过了 100 层/);
  });

  it("a chain of 40 terms loads", () => {
    expect(load(withCondition(terms(40))).script).toBeDefined();
  });

  it("a matches() pattern RE2 has no syntax for is refused, at the pattern", () => {
    const yaml = withCondition("'mood_score.matches(\"^(?!no)\")'");
    const d = only(diagnose(yaml), "INVALID_CONDITION");
    expect(d.message).toMatch(/^`\^\(\?!no\)` is not a regular expression `matches\(\)` can run/);
    expect(d).toMatchObject(locate(yaml, '"^(?!no)"'));
  });

  it("a linear-time pattern that backtracks in RegExp loads: the engine runs it on RE2", () => {
    expect(load(withCondition("'mood_score.matches(\"^(a+)+$\")'")).script).toBeDefined();
  });
});
