/**
 * The real upstream scripts (read from the shared folder, never copied) and
 * this project's own samples.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { load, type Diagnostic, type TechniqueScript } from "../../../src/engine/script";
import { repoRoot, upstreamDir } from "./helpers";

const read = (file: string) => readFileSync(path.join(upstreamDir, file), "utf8");
const errors = (ds: Diagnostic[]) => ds.filter((d) => d.severity === "error");

const legacyNames = [
  "content_template",
  "question_template",
  "prompt_template",
  "target_variable",
  "extraction_prompt",
  "required",
  "say_goal",
  "require_acknowledgment",
  "think_goal",
  "input_variables",
  "output_variables",
];

/** Every line below the root where the file uses an older field name. */
function legacyLines(yaml: string): { line: number; field: string }[] {
  return yaml.split("\n").flatMap((text, i) => {
    const m = /^\s+([a-z_]+):/.exec(text);
    return m && legacyNames.includes(m[1]!) ? [{ line: i + 1, field: m[1]! }] : [];
  });
}

describe.each(["new_session_template.yaml", "test_multi_output.yaml", "cbt_depression_assessment.yaml", "test_deprecated_fields.yaml"])(
  "%s",
  (file) => {
    const yaml = read(file);
    const result = load(yaml);

    it("loads without errors into a session script", () => {
      expect(errors(result.diagnostics)).toEqual([]);
      expect(result.kind).toBe("session");
      expect(result.script).toBeDefined();
    });

    it("warns once for each older field it uses, naming it", () => {
      const expected = legacyLines(yaml);
      expect(expected.length).toBeGreaterThan(0);
      const deprecated = result.diagnostics.filter((d) => d.code === "DEPRECATED_FIELD");
      expect(deprecated.map((d) => ({ line: d.line, field: d.path.split(".").pop() }))).toEqual(expected);
      for (const d of deprecated) expect(d.message).toContain(`\`${d.path.split(".").pop()}\``);
    });
  },
);

describe("story-2.1-verification-test.yaml", () => {
  it("has no errors and no warnings (its placeholders are filled earlier)", () => {
    const result = load(read("story-2.1-verification-test.yaml"));
    expect(result.diagnostics).toEqual([]);
    expect(result.script).toBeDefined();
  });
});

describe("cbt_depression_assessment.yaml in modern form", () => {
  it("maps ai_ask and ai_think fields as the upstream runtime read them", () => {
    const script = load(read("cbt_depression_assessment.yaml")).script!;
    if (!("session" in script)) throw new Error("session expected");
    const [p1, p2, p3] = script.session.phases;
    expect(p1!.topics[0]!.actions[0]!.config).toEqual({
      // A `|` block's single line breaks are folded (no space between Chinese sentences).
      content:
        "你好，欢迎来到心理咨询。我是AI咨询助手，会陪伴你完成今天的会谈。在开始之前，我想先了解一些基本信息，这将帮助我更好地理解你的情况。你可以放心，这里的所有对话都是保密的。",
      max_rounds: 1,
    });
    // No `output`, no `exit`: upstream's simple ask, which kept the raw answer (its max_rounds and extraction_prompt were never read).
    expect(p1!.topics[1]!.actions[0]!.config).toEqual({ content: "可以告诉我你的名字吗？我可以怎么称呼你？", save_answer: "user_name" });
    const think = p2!.topics[0]!.actions[1]!;
    expect(think.action_type).toBe("ai_think");
    expect(think.config).toEqual({
      content:
        "分析主诉，初步判断症状类型\n\n根据用户的主诉：${chief_complaint}请初步判断：\n1. 症状类别（如：情绪问题、睡眠问题、人际关系等）\n2. 严重程度（轻度/中度/重度）",
      output: [{ get: "symptom_category" }, { get: "severity_level" }],
    });
    expect(p3!.topics[0]!.actions[1]!.config).toMatchObject({ max_rounds: 2 });
  });
});

describe("socratic_questioning.yaml", () => {
  const result = load(read("socratic_questioning.yaml"));

  it("loads as a technique script", () => {
    expect(result.kind).toBe("technique");
  });

  it("loads with warnings and no errors: its top-level notes read as metadata, its declaration as the technique block", () => {
    expect(errors(result.diagnostics)).toEqual([]);
    const top = result.diagnostics.filter((d) => d.column === 1);
    expect(top.map((d) => [d.path, d.code])).toEqual(
      ["name", "version", "author", "description", "technique_type", "technique_id", "technique_name", "input_parameters", "output_variables"].map(
        (p) => [p, "DEPRECATED_FIELD"],
      ),
    );
    expect(top.find((d) => d.path === "input_parameters")!.suggestion).toBe(
      "Write it inside the block: technique: { inputs: [ { name: target_belief }, { name: context } ] }",
    );
    expect(top.find((d) => d.path === "author")!.suggestion).toBe("Move it under `metadata:`.");
    const script = result.script as TechniqueScript;
    expect(script.metadata).toMatchObject({ name: "苏格拉底式提问", technique_type: "认知重构" });
    expect(script.technique).toEqual({
      technique_id: "socratic_questioning",
      technique_name: "苏格拉底式提问",
      inputs: [
        { name: "target_belief", description: "目标认知/信念", required: true },
        { name: "context", description: "认知产生的情境", required: false },
      ],
      outputs: [{ name: "alternative_thoughts" }, { name: "evidence_for" }, { name: "evidence_against" }, { name: "reframed_belief" }],
    });
    expect(script.topic.actions).toHaveLength(6);
  });

  it("its inputs count as filled: no undefined-variable warning for ${target_belief}", () => {
    expect(result.diagnostics.filter((d) => d.code === "UNDEFINED_VARIABLE")).toEqual([]);
  });
});

describe("the project's sample scripts", () => {
  const sample = (name: string) => readFileSync(path.join(repoRoot, "scripts/sessions", name), "utf8");

  it.each([
    ["intake_en.yaml", "en"],
    ["intake_zh.yaml", "zh-CN"],
  ])("%s loads with no diagnostics and uses the whole language", (name, language) => {
    const yaml = sample(name);
    const result = load(yaml);
    expect(result.diagnostics).toEqual([]);
    const script = result.script!;
    if (!("session" in script)) throw new Error("session expected");
    expect(script.session.language).toBe(language);
    const phases = script.session.phases.map((p) => p.phase_id);
    expect(phases).toEqual(["opening", "assessment", "closing"]);
    const actions = script.session.phases.flatMap((p) => p.topics.flatMap((t) => t.actions));
    expect(actions.some((a) => a.condition)).toBe(true);
    expect(actions.some((a) => a.action_type === "ai_think")).toBe(true);
    expect(actions.some((a) => (a.action_type === "ai_ask" || a.action_type === "ai_think") && a.config.output?.some((o) => o.scope))).toBe(true);
    const text = JSON.stringify(script);
    for (const form of [/\{\{[^{}]+\}\}/, /\$\{[^{}]+\}/, /[^{$]\{[^{}]+\}[^}]/]) expect(text).toMatch(form);
  });
});
