/** Typed outputs: what models return is read as the declared type, or counts as missing. */
import { describe, expect, it } from "vitest";
import { coerceOutput, exitRequested } from "../../../src/engine";
import { foldLines } from "../../../src/engine/script/fold";
import { load } from "../../../src/engine/script";

describe("coerceOutput", () => {
  it("reads numbers however the model typed them", () => {
    for (const v of [3, "3", "3分", "三", "３", "3/10", "three", " 3 "]) expect(coerceOutput({ type: "integer" }, v), String(v)).toBe(3);
    expect(coerceOutput({ type: "integer" }, "十二")).toBe(12);
    expect(coerceOutput({ type: "number" }, "about 6.5")).toBe(6.5);
    expect(coerceOutput({ type: "integer" }, "6.5")).toBeUndefined();
    for (const v of ["not sure", "", null, true, {}]) expect(coerceOutput({ type: "number" }, v), JSON.stringify(v)).toBeUndefined();
  });

  it("reads yes/no spellings as booleans and nothing else", () => {
    for (const v of [true, "是", "yes", "Yes", "TRUE", 1, "1", "Ｙｅｓ"]) expect(coerceOutput({ type: "boolean" }, v), String(v)).toBe(true);
    for (const v of [false, "否", "no", "No.", "false", 0, "没有"]) expect(coerceOutput({ type: "boolean" }, v), String(v)).toBe(false);
    expect(coerceOutput({ type: "boolean" }, "maybe")).toBeUndefined();
  });

  it("matches enum values ignoring case and width, returning the author's spelling", () => {
    const field = { type: "enum" as const, values: ["Low", "Medium", "High"] };
    expect(coerceOutput(field, "low")).toBe("Low");
    expect(coerceOutput(field, "ＨＩＧＨ")).toBe("High");
    expect(coerceOutput(field, "very high")).toBeUndefined();
  });

  it("keeps text as trimmed text; a wrapped object reads as its value; null is missing", () => {
    expect(coerceOutput({}, "  叫我小林 ")).toBe("叫我小林");
    expect(coerceOutput({}, { value: "叫我小林", confidence: 0.9 })).toBe("叫我小林");
    expect(coerceOutput({}, 7)).toBe("7");
    expect(coerceOutput({}, null)).toBeUndefined();
    expect(coerceOutput({}, { foo: 1 })).toBeUndefined();
  });
});

describe("EXIT spellings", () => {
  it("是/yes/Yes/1/true end the action; 否/no/false and anything unclear do not", () => {
    for (const v of ["是", "yes", "Yes", 1, "1", true, "true"]) expect(exitRequested(v), String(v)).toBe(true);
    for (const v of ["否", "no", false, "false", 0, undefined, "perhaps"]) expect(exitRequested(v), String(v)).toBe(false);
  });
});

describe("typed output schema", () => {
  const script = (output: string) => `
session:
  session_id: t
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - { action_type: ai_ask, action_id: a, config: { content: q, output: [${output}] } }
`;
  it("accepts the five types and requires values exactly with enum", () => {
    for (const type of ["text", "number", "integer", "boolean"])
      expect(load(script(`{ get: x, type: ${type} }`)).diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(load(script("{ get: x, type: enum, values: [a, b] }")).diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(load(script("{ get: x, type: enum }")).diagnostics.some((d) => d.severity === "error")).toBe(true);
    expect(load(script("{ get: x, type: date }")).diagnostics.some((d) => d.severity === "error")).toBe(true);
  });
});

describe("foldLines", () => {
  it("folds single line breaks, keeps paragraphs and list items, joins Chinese without a space", () => {
    expect(foldLines("Hello, and welcome. I'm glad\nyou're here.\n\nNext paragraph.\n")).toBe(
      "Hello, and welcome. I'm glad you're here.\n\nNext paragraph.",
    );
    expect(foldLines("第一句。\n第二句。")).toBe("第一句。第二句。");
    expect(foldLines("Please rate:\n1. mood\n2. sleep")).toBe("Please rate:\n1. mood\n2. sleep");
  });
});
