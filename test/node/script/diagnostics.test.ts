/**
 * Every diagnostic code, at its line and column, in both languages.
 */
import { describe, expect, it } from "vitest";
import { diagnosticCodes, load } from "../../../src/engine/script";
import { diagnose, locate, only, session } from "./helpers";

const say = (id: string, config: string) => `- action_type: ai_say\n  action_id: ${id}\n  config:\n${config.replace(/^/gm, "    ")}`;

describe("YAML problems", () => {
  it("YAML_SYNTAX: a tab used for indentation, at its line", () => {
    const yaml = "session:\n  session_id: x\n\tphases: []\n";
    const d = only(diagnose(yaml), "YAML_SYNTAX");
    expect(d).toMatchObject({ severity: "error", line: 3, column: 1, path: "(root)" });
    expect(d.message).toMatch(/tab/i);
    expect(d.suggestion).toMatch(/spaces/);
  });

  it("YAML_SYNTAX: an unclosed quote is reported once, not as a cascade", () => {
    const yaml = 'session:\n  session_id: "x\n  phases: []\n';
    const diagnostics = diagnose(yaml);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: "YAML_SYNTAX", severity: "error" });
  });

  it("DUPLICATE_KEY: names the key and points at the second one", () => {
    const yaml = "session:\n  session_id: a\n  session_id: b\n";
    const d = only(diagnose(yaml), "DUPLICATE_KEY");
    expect(d).toMatchObject({ line: 3, column: 3 });
    expect(d.message).toContain("`session_id`");
  });

  it("YAML_TOO_COMPLEX: an alias bomb is refused without expanding it", () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (const [prev, name] of [
      ["a", "b"],
      ["b", "c"],
      ["c", "d"],
      ["d", "e"],
      ["e", "f"],
      ["f", "g"],
    ]) {
      lines.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(", ")}]`);
    }
    const yaml = lines.join("\n");
    const d = only(diagnose(yaml), "YAML_TOO_COMPLEX");
    expect(d.message).toMatch(/aliases/);
    // Reported at the alias whose expansion crosses the limit (on line 4, `d`: a budget of 1,000 values and two per character), not inside the anchor it points to.
    expect(d.line).toBe(4);
    expect(yaml.split("\n")[3]!.slice(d.column - 1, d.column + 1)).toBe("*c");
  });

  it("YAML_TOO_COMPLEX: deep nesting is refused", () => {
    const deep = `session: ${"[".repeat(3000)}${"]".repeat(3000)}\n`;
    expect(only(diagnose(deep), "YAML_TOO_COMPLEX").message).toMatch(/levels deep/);
    const blocks = `session:\n${Array.from({ length: 80 }, (_, i) => `${"  ".repeat(i + 1)}k${i}:`).join("\n")} 1\n`;
    const d = only(diagnose(blocks), "YAML_TOO_COMPLEX");
    // The root is level 0, so the block that starts with k64 is the 65th level.
    expect(d).toMatchObject({ message: "This file nests more than 64 levels deep.", ...locate(blocks, "k64:") });
    expect(d.path).toMatch(/^session\.k0\.k1\..*\.k63$/);
  });
});

describe("recognising the script", () => {
  it.each([
    ["", /empty/],
    ["- a\n- b\n", /list/],
    ["name: x\nsteps: []\n", /neither `session:` nor `topic:`/],
    ["version: 1\nsteps: []\n", /neither `session:` nor `topic:`/],
  ])("UNRECOGNISED_SCRIPT for %j", (yaml, message) => {
    const d = only(diagnose(yaml), "UNRECOGNISED_SCRIPT");
    expect(d).toMatchObject({ severity: "error", line: 1, column: 1 });
    expect(d.message).toMatch(message);
  });

  it("a misspelt root key is a slip, with a suggestion", () => {
    const d = only(diagnose("sesion:\n  session_id: x\n"), "UNKNOWN_FIELD");
    expect(d).toMatchObject({ path: "sesion", line: 1, column: 1, suggestion: "Did you mean `session`?" });
  });

  it("a technique script is recognised by `topic:`", () => {
    const result = load("topic:\n  topic_id: t\n  actions:\n    - action_type: ai_say\n      action_id: a\n      config: { content: hi }\n");
    expect(result.kind).toBe("technique");
    expect(result.diagnostics).toEqual([]);
    expect(result.script).toEqual({ topic: { topic_id: "t", actions: [{ action_type: "ai_say", action_id: "a", config: { content: "hi" } }] } });
  });
});

describe("fields", () => {
  it("UNKNOWN_FIELD with 'did you mean' when a known field is close", () => {
    const yaml = session(say("a1", "content: hi\nmax_round: 3"));
    const d = only(diagnose(yaml), "UNKNOWN_FIELD");
    expect(d).toMatchObject({ severity: "error", path: "session.phases[0].topics[0].actions[0].config.max_round", ...locate(yaml, "max_round") });
    expect(d.suggestion).toBe("Did you mean `max_rounds`?");
  });

  it("UNKNOWN_FIELD with a hint for a name that means a modern field", () => {
    const yaml = session("- action_type: ai_ask\n  action_id: a1\n  config:\n    content: Name?\n    output:\n      - variable: name");
    const diagnostics = diagnose(yaml);
    const d = only(diagnostics, "UNKNOWN_FIELD");
    expect(d).toMatchObject(locate(yaml, "variable"));
    expect(d.suggestion).toContain("`get`");
    // The missing `get` is the same problem; it is not reported twice.
    expect(diagnostics.filter((x) => x.code === "REQUIRED_FIELD")).toEqual([]);
  });

  it("UNKNOWN_FIELD without a close match lists the fields of the place", () => {
    const yaml = session(say("a1", "content: hi\nmood_board: x"));
    expect(only(diagnose(yaml), "UNKNOWN_FIELD").suggestion).toMatch(/`content`, `tone`, `exit`, `max_rounds`/);
  });

  it("UNKNOWN_FIELD at the top level suggests metadata", () => {
    const yaml = `author: me\n${session(say("a1", "content: hi"))}`;
    const d = only(diagnose(yaml), "UNKNOWN_FIELD");
    expect(d).toMatchObject({ path: "author", line: 1, column: 1 });
    expect(d.suggestion).toContain("`metadata:`");
  });

  it("REQUIRED_FIELD names the field and points at its parent", () => {
    const yaml = session("- action_type: ai_say\n  action_id: a1\n  config:\n    tone: warm");
    const d = only(diagnose(yaml), "REQUIRED_FIELD");
    expect(d).toMatchObject({ severity: "error", path: "session.phases[0].topics[0].actions[0].config.content", ...locate(yaml, "config:") });
    expect(d.message).toBe("An ai_say config needs `content`.");
    expect(d.suggestion).toContain('content: "');
  });

  it("REQUIRED_FIELD for a missing action_type, without a second report for the action", () => {
    const yaml = session("- action_id: a1\n  config:\n    content: hi");
    const diagnostics = diagnose(yaml);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      code: "REQUIRED_FIELD",
      path: "session.phases[0].topics[0].actions[0].action_type",
      ...locate(yaml, "action_id: a1"),
    });
  });

  it("TYPE_MISMATCH says what was expected and what was found", () => {
    const yaml = session(say("a1", "content: hi\nmax_rounds: [1, 2]"));
    const d = only(diagnose(yaml), "TYPE_MISMATCH");
    expect(d).toMatchObject({ severity: "error", ...locate(yaml, "[1, 2]") });
    expect(d.message).toBe("`max_rounds` should be a number, but here it is a list.");
  });

  it("TYPE_COERCED: a number where text is meant is read as its text", () => {
    const yaml = session(say("a1", "content: hi"), "  version: 1.0\n");
    const result = load(yaml);
    const d = only(result.diagnostics, "TYPE_COERCED");
    expect(d).toMatchObject({ severity: "warning", path: "session.version", ...locate(yaml, "1.0") });
    expect(result.script && "session" in result.script && result.script.session.version).toBe("1.0");
  });

  it("TYPE_COERCED: quoted digits where a number is meant are read as the number", () => {
    const yaml = session(say("a1", 'content: hi\nmax_rounds: "2"'));
    const result = load(yaml);
    expect(only(result.diagnostics, "TYPE_COERCED")).toMatchObject(locate(yaml, '"2"'));
    expect(JSON.stringify(result.script)).toContain('"max_rounds":2');
  });

  it.each([
    ["max_rounds: 15", "15", "`max_rounds` must be at most 10; here it is 15."],
    ["max_rounds: 0", "0", "`max_rounds` must be at least 1; here it is 0."],
    ["max_rounds: 2.5", "2.5", "`max_rounds` must be a whole number; here it is 2.5."],
    ['content: ""', '""', "`content` is empty."],
  ])("INVALID_VALUE for %s", (line, needle, message) => {
    const config = line.startsWith("content") ? line : `content: hi\n${line}`;
    const yaml = session(say("a1", config));
    const d = only(diagnose(yaml), "INVALID_VALUE");
    expect(d).toMatchObject({ severity: "error", message, ...locate(yaml, needle) });
  });

  it("INVALID_VALUE for a session_id with a hyphen suggests a usable one", () => {
    const yaml = session(say("a1", "content: hi")).replace("session_id: test", "session_id: my-intake v2");
    const d = only(diagnose(yaml), "INVALID_VALUE");
    expect(d).toMatchObject({ path: "session.session_id", ...locate(yaml, "my-intake") });
    expect(d.suggestion).toBe("For example: session_id: my_intake_v2");
  });

  it("INVALID_VALUE for an unknown action_type, with did you mean", () => {
    const yaml = session("- action_type: ai_sya\n  action_id: a1\n  config: { content: hi }");
    const d = only(diagnose(yaml), "INVALID_VALUE");
    expect(d).toMatchObject(locate(yaml, "ai_sya"));
    expect(d.suggestion).toContain("Did you mean `ai_say`?");
  });

  it("INVALID_VALUE for an enum value (scope)", () => {
    const yaml = session(
      "- action_type: ai_ask\n  action_id: a1\n  config:\n    content: Name?\n    output:\n      - get: name\n        scope: sesion",
    );
    const d = only(diagnose(yaml), "INVALID_VALUE");
    expect(d).toMatchObject(locate(yaml, "sesion"));
    expect(d.suggestion).toContain("`session`");
  });

  it("INVALID_VALUE for wait_for_reply: false with several rounds", () => {
    const yaml = session(say("a1", "content: hi\nwait_for_reply: false\nmax_rounds: 3"));
    const d = only(diagnose(yaml), "INVALID_VALUE");
    expect(d).toMatchObject({ path: "session.phases[0].topics[0].actions[0].config.wait_for_reply", ...locate(yaml, "false") });
  });

  it("DUPLICATE_ID for phase, topic and action ids, naming the first line", () => {
    const yaml = [
      "session:",
      "  session_id: s",
      "  phases:",
      "    - phase_id: p",
      "      topics:",
      "        - topic_id: t",
      "          actions:",
      "            - { action_type: ai_say, action_id: a, config: { content: one } }",
      "            - { action_type: ai_say, action_id: a, config: { content: two } }",
      "    - phase_id: p",
      "      topics:",
      "        - topic_id: t",
      "          actions:",
      "            - { action_type: ai_say, action_id: b, config: { content: three } }",
      "",
    ].join("\n");
    const duplicates = diagnose(yaml).filter((d) => d.code === "DUPLICATE_ID");
    expect(duplicates.map((d) => [d.path, d.line, d.column])).toEqual([
      ["session.phases[0].topics[0].actions[1].action_id", 9, 49],
      ["session.phases[1].phase_id", 10, 17],
      ["session.phases[1].topics[0].topic_id", 12, 21],
    ]);
    expect(duplicates[0]!.message).toBe("`action_id: a` is already used on line 8.");
  });

  it("UNKNOWN_SKILL for a use_skill of a technique that is not there, at the skill value, with the nearest one", () => {
    const yaml = session("- action_type: use_skill\n  action_id: s1\n  config: { skill: reframe_thougt }");
    const diagnostics = diagnose(yaml);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: "UNKNOWN_SKILL", severity: "error", ...locate(yaml, "reframe_thougt") });
    expect(diagnostics[0]!.suggestion).toBe("Did you mean `reframe_thought`?");
  });

  it("RESERVED_FIELD for output set/value and entry_condition", () => {
    const yaml = session(
      "- action_type: ai_ask\n  action_id: a1\n  config:\n    content: Name?\n    output:\n      - get: name\n        set: x",
    ).replace("    - phase_id: p1\n", "    - phase_id: p1\n      entry_condition: { after: intro }\n");
    const result = load(yaml);
    const reserved = result.diagnostics.filter((d) => d.code === "RESERVED_FIELD");
    expect(reserved.map((d) => [d.severity, d.line, d.column])).toEqual([
      ["warning", locate(yaml, "entry_condition").line, locate(yaml, "entry_condition").column],
      ["warning", locate(yaml, "set:").line, locate(yaml, "set:").column],
    ]);
    expect(result.script).toBeDefined();
  });

  it("MISPLACED_FIELD: a config key beside config is moved into it", () => {
    const yaml = session("- action_type: ai_say\n  action_id: a1\n  max_rounds: 2\n  config:\n    content: hi");
    const result = load(yaml);
    expect(only(result.diagnostics, "MISPLACED_FIELD")).toMatchObject({ severity: "warning", ...locate(yaml, "max_rounds") });
    expect(JSON.stringify(result.script)).toContain('"config":{"content":"hi","max_rounds":2}');
  });

  it("MISPLACED_FIELD: the value inside config wins over the one beside it", () => {
    const yaml = session("- action_type: ai_say\n  action_id: a1\n  max_rounds: 2\n  config:\n    content: hi\n    max_rounds: 3");
    const result = load(yaml);
    expect(only(result.diagnostics, "MISPLACED_FIELD").message).toMatch(/inside `config` is used/);
    expect(JSON.stringify(result.script)).toContain('"max_rounds":3');
  });

  it("YAML_WARNING: what the YAML reader warns about is passed on", () => {
    const yaml = session(say("a1", "content: !unknown hi"));
    const d = only(diagnose(yaml), "YAML_WARNING");
    expect(d).toMatchObject({ severity: "warning", ...locate(yaml, "!unknown") });
  });
});

describe("the result", () => {
  it("has a script exactly when nothing is an error", () => {
    const good = load(session(say("a1", "content: hi\ncontentTemplate: old")));
    expect(good.diagnostics.map((d) => d.severity)).toEqual(["warning"]);
    expect(good.script).toBeDefined();
    const bad = load(session(say("a1", "content: hi\nmax_round: 2")));
    expect(bad.script).toBeUndefined();
    expect(bad.kind).toBe("session");
  });

  it("lists diagnostics in reading order", () => {
    const yaml = session(`${say("a1", "content: hi\nmax_round: 2")}\n${say("a1", "content: {missing}")}`);
    const lines = diagnose(yaml).map((d) => d.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(lines.length).toBeGreaterThanOrEqual(3);
  });
});

describe("languages", () => {
  // One script that triggers most codes, to compare the two languages message by message.
  const yaml = [
    "author: me",
    "session:",
    "  session_id: my-id",
    "  version: 2",
    "  phases:",
    "    - phase_id: p",
    "      entry_condition: {}",
    "      topics:",
    "        - topic_id: t",
    "          actions:",
    "            - action_type: ai_say",
    "              action_id: a",
    "              max_rounds: 1",
    "              config: { content_template: 'Hi {who}', say_goal: g }",
    "            - action_type: ai_ask",
    "              action_id: a",
    "              condition: 'x >'",
    "              config: { content: Name?, max_round: 2, required: true }",
    "            - action_type: use_skill",
    "              action_id: u",
    "              config: { skill: reframe_thought, input: { thought: x, mood: y } }",
    "            - action_type: ai_think",
    "              action_id: th",
    "              config: { content: '' }",
    "",
  ].join("\n");

  it("gives the same codes at the same places in English and Chinese", () => {
    const en = diagnose(yaml, { lang: "en" });
    const zh = diagnose(yaml, { lang: "zh-CN" });
    const shape = (d: (typeof en)[number]) => [d.code, d.severity, d.path, d.line, d.column];
    expect(zh.map(shape)).toEqual(en.map(shape));
    const codes = new Set(en.map((d) => d.code));
    for (const code of [
      "UNKNOWN_FIELD",
      "INVALID_VALUE",
      "TYPE_COERCED",
      "RESERVED_FIELD",
      "MISPLACED_FIELD",
      "DEPRECATED_FIELD",
      "DUPLICATE_ID",
      "INVALID_CONDITION",
      "SKILL_INPUT_UNKNOWN",
      "REQUIRED_FIELD",
      "UNDEFINED_VARIABLE",
    ]) {
      expect(codes, code).toContain(code);
    }
    for (const [e, z] of en.map((d, i) => [d, zh[i]!] as const)) {
      expect(e.message).not.toMatch(/[\u4e00-\u9fff]/);
      expect(z.message).toMatch(/[\u4e00-\u9fff]/);
      expect(z.suggestion).toMatch(/[\u4e00-\u9fff]/);
      expect(e.suggestion.length).toBeGreaterThan(5);
    }
  });

  it("defaults to English", () => {
    expect(diagnose(yaml).map((d) => d.message)).toEqual(diagnose(yaml, { lang: "en" }).map((d) => d.message));
  });

  it("every code has a documented severity", () => {
    const en = diagnose(yaml);
    for (const d of en) expect(d.severity).toBe(diagnosticCodes[d.code]);
  });
});
