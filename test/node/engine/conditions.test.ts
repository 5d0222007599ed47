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
