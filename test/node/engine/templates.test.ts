import { describe, expect, it } from "vitest";
import { findPlaceholders, isVariableLike } from "../../../src/engine/script";
import { bundledTemplate, templateNames, templatePlaceholders, validateTemplate } from "../../../src/engine";

describe("bundled templates", () => {
  it.each(templateNames.flatMap((name) => (["zh-CN", "en"] as const).map((language) => ({ name, language }))))(
    "$language/$name passes validation and uses only documented placeholders",
    ({ name, language }) => {
      const text = bundledTemplate(name, language);
      expect(validateTemplate(text, name)).toEqual([]);
      const used = findPlaceholders(text)
        .map((p) => p.name)
        .filter(isVariableLike);
      expect(used.length).toBeGreaterThan(3);
      for (const placeholder of used) expect(Object.keys(templatePlaceholders[name])).toContain(placeholder);
    },
  );

  it("are written in their language", () => {
    expect(bundledTemplate("ai_ask", "zh-CN")).toContain("提问任务");
    expect(bundledTemplate("ai_ask", "en")).toContain("Questioning task");
    expect(bundledTemplate("ai_ask", "en")).not.toMatch(/[\u4e00-\u9fff]/);
  });
});

describe("validateTemplate", () => {
  const codes = (text: string, name?: Parameters<typeof validateTemplate>[1]) => validateTemplate(text, name).map((i) => `${i.severity}:${i.code}`);

  it("rejects an empty template", () => {
    expect(codes("  \n")).toEqual(["error:EMPTY"]);
  });

  it("reports an unclosed placeholder as an error", () => {
    expect(codes('Reply in JSON {"content", "safety_risk", "crisis_signal"} about {{topic_content')).toContain("error:UNCLOSED_PLACEHOLDER");
  });

  it("warns about upstream {%x%} placeholders (filled all the same), a missing safety section, JSON request and safety fields", () => {
    expect(codes("Say {%topic_content%} warmly.", "ai_say")).toEqual([
      "warning:LEGACY_PLACEHOLDER",
      "warning:NO_SAFETY_SECTION",
      "warning:NO_JSON",
      "warning:NO_CONTENT",
      "warning:NO_SAFETY",
      "warning:NO_SAFETY",
    ]);
  });

  it("accepts a minimal complete override", () => {
    const text =
      'Ask about {{task}}. {{safety_rules}} Reply as JSON: {"EXIT": "false", "content": "…", {{output_list}} "safety_risk": {}, "metadata": {"crisis_signal": false}}';
    expect(validateTemplate(text, "ai_ask")).toEqual([]);
  });
});
