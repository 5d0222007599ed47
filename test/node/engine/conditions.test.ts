import { describe, expect, it } from "vitest";
import { compileCondition } from "../../../src/engine/conditions";

describe("compileCondition", () => {
  it("binds variables as identifiers and in vars", () => {
    const vars = { mood_score: 3, 情绪: "低落" };
    expect(compileCondition("mood_score < 4").evaluate(vars)).toEqual({ ok: true, value: true });
    expect(compileCondition('vars["情绪"] == "低落"').evaluate(vars)).toEqual({ ok: true, value: true });
    expect(compileCondition("vars.mood_score >= 4").evaluate(vars)).toEqual({ ok: true, value: false });
  });

  it("reports a missing variable unless guarded", () => {
    expect(compileCondition("score > 1").evaluate({})).toMatchObject({ ok: false, reason: expect.stringContaining("score") });
    expect(compileCondition("has(vars.score) && vars.score > 1").evaluate({})).toEqual({ ok: true, value: false });
    expect(compileCondition('"score" in vars').evaluate({ score: 2 })).toEqual({ ok: true, value: true });
  });

  it("requires a boolean result", () => {
    expect(compileCondition("1 + 1").evaluate({})).toMatchObject({ ok: false, reason: expect.stringContaining("true or false") });
  });

  it("reports a parse error when evaluated", () => {
    expect(compileCondition("a ==").evaluate({ a: 1 })).toMatchObject({ ok: false });
  });
});

describe("matches() runs on RE2, in linear time", () => {
  it("keeps CEL's meaning: a match anywhere in the text, anchors as written", () => {
    const answer = { answer: "I slept badly" };
    expect(compileCondition('answer.matches("slept")').evaluate(answer)).toEqual({ ok: true, value: true });
    expect(compileCondition('answer.matches("^slept")').evaluate(answer)).toEqual({ ok: true, value: false });
    expect(compileCondition('answer.matches("(?i)^i SLEPT")').evaluate(answer)).toEqual({ ok: true, value: true });
    expect(compileCondition('vars["answer"].matches("bad(ly)?$")').evaluate(answer)).toEqual({ ok: true, value: true });
  });

  it("a pattern that backtracks exponentially in RegExp answers a 40-character answer at once", () => {
    // RegExp takes about a second at 28 characters here, doubling with each one: 40 would take over an hour.
    const condition = compileCondition('answer.matches("^(a+)+$")');
    const began = performance.now();
    expect(condition.evaluate({ answer: `${"a".repeat(40)}!` })).toEqual({ ok: true, value: false });
    expect(condition.evaluate({ answer: `${"a".repeat(4000)}!` })).toEqual({ ok: true, value: false });
    expect(condition.evaluate({ answer: "a".repeat(40) })).toEqual({ ok: true, value: true });
    expect(performance.now() - began).toBeLessThan(2000);
  });

  it("a pattern RE2 cannot run (look-ahead) is an evaluation error, not a backtracking match", () => {
    expect(compileCondition('answer.matches("a(?=b)")').evaluate({ answer: "ab" })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("RE2"),
    });
  });
});

describe("the size of a condition is bounded", () => {
  const chain = (terms: number) => Array.from({ length: terms }, (_, i) => `x == ${i}`).join(" || ");

  it("a chain of a few dozen terms runs", () => {
    expect(compileCondition(chain(30)).evaluate({ x: 29 })).toEqual({ ok: true, value: true });
  });

  it.each([200, 3000])("a chain of %i terms is refused with the limit it crossed, without overflowing the stack", (terms) => {
    const outcome = compileCondition(chain(terms)).evaluate({ x: 1 });
    expect(outcome).toMatchObject({ ok: false, reason: expect.stringMatching(/more than \d+ (parts|levels)/) });
  });
});
