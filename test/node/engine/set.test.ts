/**
 * `set`: variables computed from CEL expressions over typed outputs, with no
 * model call; a failing or mistyped result is not stored and authors get a
 * diagnostic; the loader checks the expressions and knows the names set.
 */
import { describe, expect, it } from "vitest";
import { load } from "../../../src/engine/script";
import { parseScript, runTurns, scriptedModel } from "./helpers";

const script = parseScript(`
session:
  session_id: scores
  language: en
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - action_type: ai_ask
              action_id: rate
              config:
                content: Rate sleep and mood from 0 to 10.
                output:
                  - { get: sleep, type: integer }
                  - { get: mood, type: number }
            - action_type: set
              action_id: sum
              config:
                variables:
                  - { name: attempts, expression: "has(vars.attempts) ? attempts + 1 : 1", type: integer }
                  - { name: total, expression: "double(sleep) + mood", type: number }
                  - { name: band, expression: 'total >= 10.0 ? "high" : "low"', type: enum, values: [low, high] }
                  - { name: doubled, expression: "sleep * 2", type: integer }
                  - { name: broken, expression: "missing_one + 1", type: integer }
                  - { name: wrong_type, expression: "sleep > 3", type: integer }
            - { action_type: ai_say, action_id: high, condition: 'band == "high" && total == 11.5', config: { content: High total., max_rounds: 1 } }
`);

describe("set", () => {
  it("computes typed variables from earlier outputs, in order, without a model call", async () => {
    let calls = 0;
    const model = scriptedModel((req) => {
      calls++;
      if (req.purpose === "ai_ask" && req.answer === null) return { content: "Rate sleep and mood?" };
      if (req.purpose === "ai_ask") return { content: "Thanks.", EXIT: true, sleep: "4", mood: 7.5 };
      return { content: "High total." };
    });
    const run = await runTurns(script, [null, "sleep 4, mood 7.5"], { model });
    const vars = run.state.variables;
    expect(vars).toMatchObject({ sleep: 4, mood: 7.5, attempts: 1, total: 11.5, band: "high", doubled: 8 });
    expect(vars).not.toHaveProperty("broken");
    expect(vars).not.toHaveProperty("wrong_type");
    // The branch on the computed values ran.
    expect(run.results[1]!.messages.map((m) => m.actionId)).toContain("high");
    // ask's opening, its answer, the ai_say: set itself called nothing.
    expect(calls).toBe(3);
    const diagnostics = run.events.filter((e) => e.type === "diagnostic");
    expect(diagnostics).toMatchObject([
      { code: "SET_ERROR", actionId: "sum", names: ["broken"] },
      { code: "SET_TYPE_MISMATCH", actionId: "sum", names: ["wrong_type"], message: expect.stringContaining("gave a boolean") },
    ]);
    const changes = run.events.flatMap((e) => (e.type === "variables" && e.actionId === "sum" ? e.changes.map((c) => c.name) : []));
    expect(changes).toEqual(["attempts", "total", "band", "doubled"]);
  });
});

describe("the loader on set", () => {
  const yaml = (expression: string) => `
session:
  session_id: s
  language: en
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - { action_type: set, action_id: a, config: { variables: [ { name: score, expression: '${expression}', type: integer } ] } }
            - { action_type: ai_say, action_id: b, condition: "score > 2", config: { content: "Score {score}", max_rounds: 1 } }
`;

  it("accepts a set and counts its names as defined for later placeholders and conditions", () => {
    const { diagnostics, script } = load(yaml("1 + 2"));
    expect(script).toBeDefined();
    expect(diagnostics).toEqual([]);
  });

  it("reports an expression that does not parse, with its position, in English and Chinese", () => {
    const en = load(yaml("1 +")).diagnostics;
    expect(en).toMatchObject([
      { code: "INVALID_CONDITION", severity: "error", line: 10, message: expect.stringContaining("This expression could not be read") },
    ]);
    const zh = load(yaml("1 +"), { lang: "zh-CN" }).diagnostics;
    expect(zh[0]!.message).toContain("这个表达式无法解析");
  });

  it("warns when an expression reads a variable nothing fills", () => {
    expect(load(yaml("scor + 1")).diagnostics).toMatchObject([{ code: "UNDEFINED_VARIABLE", path: expect.stringContaining("expression") }]);
  });

  it("rejects an unknown field in an entry", () => {
    const bad = yaml("1").replace("type: integer", "type: integer, typ: x");
    expect(load(bad).diagnostics.some((d) => d.severity === "error")).toBe(true);
  });
});
