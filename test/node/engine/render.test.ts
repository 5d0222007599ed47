import { describe, expect, it } from "vitest";
import { render, renderPlaceholders, valueAsText } from "../../../src/engine/variables/render";

const vars: Record<string, string> = { name: "小明", 用户称呼: "小红", tricky: "{name}", money: "$5 {{x}}" };
const lookup = (n: string) => vars[n];

describe("renderPlaceholders", () => {
  it("treats {x}, {{x}} and ${x} alike", () => {
    expect(renderPlaceholders("{name}/{{name}}/${name}/{{ name }}", lookup)).toBe("小明/小明/小明/小明");
  });

  it("renders ${x} as the value, not $ + value (B3)", () => {
    expect(renderPlaceholders("你好${用户称呼}!", lookup)).toBe("你好小红!");
  });

  it("leaves a missing variable visible exactly as written", () => {
    expect(renderPlaceholders("a {missing} b {{ other }} c ${gone}", lookup)).toBe("a {missing} b {{ other }} c ${gone}");
  });

  it("is single-pass: text inserted from a variable is never substituted again", () => {
    expect(renderPlaceholders("{tricky} and {money}", lookup)).toBe("{name} and $5 {{x}}");
  });

  it("leaves JSON-looking braces alone", () => {
    const text = '{"content": "x", "a": {"b": 1}}';
    expect(renderPlaceholders(text, lookup)).toBe(text);
  });
});

describe("valueAsText", () => {
  it("shows numbers and booleans, lists by their items, nothing for null", () => {
    expect(valueAsText(3)).toBe("3");
    expect(valueAsText(false)).toBe("false");
    expect(valueAsText(["a", "b"])).toBe("a, b");
    expect(valueAsText(null)).toBeUndefined();
  });

  it("shows an object by the text it wraps, and an object without one not at all (never its JSON)", () => {
    expect(valueAsText({ value: "叫我小林", confidence: "high" })).toBe("叫我小林");
    expect(valueAsText({ text: "a walk" })).toBe("a walk");
    expect(valueAsText([{ value: "x" }, null, { other: 1 }])).toBe("x");
    expect(valueAsText({ confidence: "high" })).toBeUndefined();
    expect(valueAsText([])).toBeUndefined();
  });
});

describe("render", () => {
  it("leaves out placeholders without a value and names them once; braces that are not names stay text", () => {
    const missing: string[] = [];
    expect(render('{name}: {会谈总结}, {{会谈总结}} ${gone} {a, b} {"k": 1}', lookup, "content", missing)).toBe('小明: ,   {a, b} {"k": 1}');
    expect(missing).toEqual(["会谈总结", "gone"]);
  });

  it("fills the upstream {%name%} syntax in templates", () => {
    expect(render("{%name%} / {{name}} / {%missing%}", lookup, "template", [])).toBe("小明 / 小明 / ");
  });
});
