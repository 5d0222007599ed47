/**
 * One definition of a placeholder, and the check that every placeholder can be filled.
 */
import { describe, expect, it } from "vitest";
import { findPlaceholders, isVariableLike, placeholderNames, renderPlaceholders } from "../../../src/engine/script";
import { diagnose, locate, only, session } from "./helpers";

describe("placeholders", () => {
  it("{x}, {{x}} and ${x} are the same placeholder; names are trimmed", () => {
    expect(placeholderNames("Hi {name}, {{ name }} and ${name}; {用户称呼}")).toEqual(["name", "用户称呼"]);
    expect(findPlaceholders("a ${x} b").map((p) => [p.name, p.raw, p.index])).toEqual([["x", "${x}", 2]]);
  });

  it("renders all three forms with one routine and leaves unknown names as written", () => {
    const vars: Record<string, string> = { name: "Ana", 用户称呼: "小李" };
    expect(renderPlaceholders("Hi {name}, {{name}}, ${name}, {用户称呼}, {missing}", (n) => vars[n])).toBe("Hi Ana, Ana, Ana, 小李, {missing}");
  });

  it("values are inserted literally (no $-patterns, no second pass)", () => {
    expect(renderPlaceholders("{a} {b}", (n) => ({ a: "$& {b}", b: "1+1" })[n])).toBe("$& {b} 1+1");
  });

  it("only name-like text counts as a variable reference", () => {
    expect(isVariableLike("user_name")).toBe(true);
    expect(isVariableLike("来访者 称呼")).toBe(true);
    expect(isVariableLike('"score": 3')).toBe(false);
    expect(isVariableLike("a, b")).toBe(false);
  });
});

const say = (id: string, content: string) => `- action_type: ai_say\n  action_id: ${id}\n  config:\n    content: ${content}`;
const ask = (id: string, name: string, scope?: string) =>
  `- action_type: ai_ask\n  action_id: ${id}\n  config:\n    content: Question?\n    output:\n      - get: ${name}${scope ? `\n        scope: ${scope}` : ""}`;

describe("UNDEFINED_VARIABLE", () => {
  it("warns at the placeholder's column when nothing earlier fills it", () => {
    const yaml = session(`${say("a", "'Hello {client_name}!'")}\n${ask("b", "client_name")}`);
    const d = only(diagnose(yaml), "UNDEFINED_VARIABLE");
    expect(d).toMatchObject({ severity: "warning", path: "session.phases[0].topics[0].actions[0].config.content", ...locate(yaml, "{client_name}") });
    expect(d.message).toBe("No earlier action fills `client_name`, so {client_name} would be shown as written.");
  });

  it("is quiet once an earlier action fills it, in any of the three forms", () => {
    const yaml = session(`${ask("b", "client_name")}\n${say("a", "'Hello {client_name}, {{client_name}}, ${client_name}'")}`);
    expect(diagnose(yaml)).toEqual([]);
  });

  it("suggests a close name", () => {
    const yaml = session(`${ask("b", "client_name")}\n${say("a", "'Hello {clientname}'")}`);
    expect(only(diagnose(yaml), "UNDEFINED_VARIABLE").suggestion).toBe("Did you mean `client_name`?");
  });

  it("checks exit, tone and define as well as content", () => {
    const yaml = session(
      "- action_type: ai_ask\n  action_id: a\n  config:\n    content: x\n    exit: '{e1} given'\n    tone: '{e2}'\n    output:\n      - get: v\n        define: 'like {e3}'",
    );
    expect(
      diagnose(yaml)
        .filter((d) => d.code === "UNDEFINED_VARIABLE")
        .map((d) => d.path.split(".").slice(-1)[0]),
    ).toEqual(["exit", "tone", "define"]);
  });

  it("knownVariables (initial variables, project globals) count as defined", () => {
    const yaml = session(say("a", "'Welcome to {clinic}'"));
    expect(diagnose(yaml, { knownVariables: ["clinic"] })).toEqual([]);
  });

  it("JSON examples and other braces in prose are not placeholders", () => {
    const yaml = session(say("a", '\'Answer like {"score": 3, "note": "…"} or pick one of {a, b}\''));
    expect(diagnose(yaml)).toEqual([]);
  });

  it("placeholders in YAML comments are ignored", () => {
    const yaml = session(`${say("a", "hi   # uses {nothing}")}`);
    expect(diagnose(yaml)).toEqual([]);
  });

  it("a topic-scoped variable is not visible in another topic", () => {
    const yaml = [
      "session:",
      "  session_id: s",
      "  phases:",
      "    - phase_id: p",
      "      topics:",
      "        - topic_id: mood",
      "          actions:",
      "            - { action_type: ai_ask, action_id: a, config: { content: Sleep?, output: [{ get: sleep, scope: topic }] } }",
      "            - { action_type: ai_say, action_id: b, config: { content: 'Same topic: {sleep}' } }",
      "        - topic_id: later",
      "          actions:",
      "            - { action_type: ai_say, action_id: c, config: { content: 'Other topic: {sleep}' } }",
      "",
    ].join("\n");
    const d = only(diagnose(yaml), "UNDEFINED_VARIABLE");
    expect(d).toMatchObject({ path: "session.phases[0].topics[1].actions[0].config.content", ...locate(yaml, "{sleep}", 2) });
    expect(d.message).toBe("`sleep` is filled earlier with `scope: topic` (in topic `mood`), so it is not visible here.");
  });

  it("a phase-scoped variable is visible in later topics of the same phase only", () => {
    const yaml = session(`${ask("a", "v", "phase")}\n${say("b", "'{v}'")}`);
    expect(diagnose(yaml)).toEqual([]);
  });

  it("a placeholder in a block scalar is located on its own line", () => {
    const yaml = session(say("a", "|\n      First line\n      then {later} here"));
    expect(only(diagnose(yaml), "UNDEFINED_VARIABLE")).toMatchObject(locate(yaml, "{later}"));
  });
});
