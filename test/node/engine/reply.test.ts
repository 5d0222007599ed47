import { describe, expect, it } from "vitest";
import { ContentStream, parseReply, readReply } from "../../../src/engine/prompts/reply";

describe("parseReply", () => {
  it("parses plain JSON", () => {
    expect(parseReply('{"content":"hi","EXIT":"false"}')).toEqual({ content: "hi", EXIT: "false" });
  });

  it("strips code fences", () => {
    expect(parseReply('```json\n{"content":"hi"}\n```')).toEqual({ content: "hi" });
  });

  it("finds the first JSON block inside prose", () => {
    expect(parseReply('Sure! Here it is: {"content":"a {brace} in a string"} hope that helps')).toEqual({
      content: "a {brace} in a string",
    });
  });

  it("accepts trailing commas and // comments", () => {
    expect(parseReply('{\n "content": "hi", // the line\n "list": [1, 2,],\n}')).toEqual({ content: "hi", list: [1, 2] });
  });

  it("reads quotes left unescaped inside a value, also where a comma follows them", () => {
    expect(parseReply('{"content": "You said "I am fine", and I am listening.", "EXIT": "false"}')).toEqual({
      content: 'You said "I am fine", and I am listening.',
      EXIT: "false",
    });
    expect(parseReply('{"content":"你说"我很好", 我在听。","BRIEF":"b","tags":["say "hi" now", "d"]}')).toEqual({
      content: '你说"我很好", 我在听。',
      BRIEF: "b",
      tags: ['say "hi" now', "d"],
    });
  });

  it("returns null when there is no object", () => {
    expect(parseReply("I cannot answer that.")).toBeNull();
    expect(parseReply('["an", "array"]')).toBeNull();
  });

  it("repairs an object that broke off and says it was cut", () => {
    expect(readReply('{"content": "cut off')).toEqual({ reply: { content: "cut off" }, cut: true });
    expect(readReply('{"content": "whole"}')).toEqual({ reply: { content: "whole" }, cut: false });
  });
});

function feed(chunks: string[]) {
  const s = new ContentStream();
  const out = chunks.map((c) => s.push(c));
  return { out, exit: s.exit };
}

describe("ContentStream", () => {
  it("streams the content string as it arrives", () => {
    const { out } = feed(['{"EXIT": "false", "conte', 'nt": "Hel', "lo wor", 'ld", "BRIEF": "x"}']);
    expect(out).toEqual(["", "Hel", "lo wor", "ld"]);
  });

  it("decodes escapes split across chunks, including surrogate pairs", () => {
    const { out } = feed(['{"content": "a\\', "nb \\u4f6", "0\\u597d \\ud83d", '\\ude00!"}']);
    expect(out.join("")).toBe("a\nb 你好 😀!");
    expect(out.every((piece) => !/[\ud800-\udbff]$/.test(piece))).toBe(true);
  });

  it("ignores content keys nested below the top level", () => {
    const { out } = feed(['{"metadata": {"content": "no"}, "content": "yes"}']);
    expect(out.join("")).toBe("yes");
  });

  it("reads the EXIT flag as a string or a boolean", () => {
    expect(feed(['{"EXIT": "tr', 'ue", "content": "x"}']).exit).toBe(true);
    expect(feed(['{"EXIT": false, "content": "x"}']).exit).toBe(false);
    expect(feed(['{"content": "x"}']).exit).toBeUndefined();
  });

  it("skips prose and fences before the object", () => {
    const { out } = feed(["```json\n", '{"content": "ok"}\n```']);
    expect(out.join("")).toBe("ok");
  });
});
