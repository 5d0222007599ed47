/**
 * An output's declared `type` reaches the model: in the structured request
 * (what the offline model answers from), in the response JSON Schema (what
 * json_schema providers are held to) and in the prompt's output list; and
 * the offline model answers in that type.
 */
import { describe, expect, it } from "vitest";
import type { JSONSchema7 } from "@ai-sdk/provider";
import { flatVariables } from "../../../src/engine";
import { OfflineModel } from "../../../src/llm";
import { parseScript, promptOf, requestOf, runTurns, scriptedModel } from "./helpers";

const script = parseScript(`
session:
  session_id: typed
  language: en
  phases:
    - phase_id: p
      topics:
        - topic_id: t
          actions:
            - action_type: ai_ask
              action_id: rate
              config:
                content: How is your mood from 0 to 10?
                output:
                  - { get: score, define: the mood score, type: integer }
                  - { get: mood, type: enum, values: [low, medium, high] }
            - action_type: ai_think
              action_id: judge
              config:
                content: Judge the mood {score}.
                output:
                  - { get: needs_care, type: boolean }
                  - { get: weight, type: number }
                  - { get: risk, type: enum, values: [low, high] }
                  - { get: summary }
            - { action_type: ai_say, action_id: low_risk, condition: 'risk == "low" && !needs_care && weight == 0', config: { content: steady, max_rounds: 1 } }
`);

const none = { safety_risk: { detected: false }, metadata: { crisis_signal: false } };

describe("typed outputs", () => {
  it("the request, the response schema and the prompt carry each output's type", async () => {
    const model = scriptedModel((req) => {
      if (req.purpose === "ai_think") return { needs_care: "no", weight: "2.5", risk: "HIGH", summary: "calm", ...none };
      if (req.answer === null) return { EXIT: "false", content: "How is it?", score: null, mood: null, ...none };
      return { EXIT: "true", content: "", score: "4分", mood: "Medium", ...none };
    });
    const { state } = await runTurns(script, [null, "about 4, medium"], { model });

    const calls = model.doStreamCalls;
    const ask = calls.find((c) => requestOf(c).purpose === "ai_ask")!;
    const think = calls.find((c) => requestOf(c).purpose === "ai_think")!;
    expect(requestOf(ask).outputs).toEqual([
      { name: "score", define: "the mood score", filled: false, type: "integer" },
      { name: "mood", define: null, filled: false, type: "enum", values: ["low", "medium", "high"] },
    ]);
    expect(requestOf(think).outputs.map((o) => [o.name, o.type])).toEqual([
      ["needs_care", "boolean"],
      ["weight", "number"],
      ["risk", "enum"],
      ["summary", "text"],
    ]);

    const properties = (call: (typeof calls)[number]) => {
      const format = call.responseFormat as { type: "json"; schema: JSONSchema7 };
      return format.schema.properties as Record<string, JSONSchema7>;
    };
    // An ask's reply may not have heard a value yet: typed values there may be null.
    expect(properties(ask).score).toEqual({ type: ["integer", "null"] });
    expect(properties(ask).mood).toEqual({ type: ["string", "null"], enum: ["low", "medium", "high", null] });
    expect(properties(think)).toMatchObject({
      needs_care: { type: "boolean" },
      weight: { type: "number" },
      risk: { type: "string", enum: ["low", "high"] },
      summary: { type: "string" },
    });

    const prompt = promptOf(ask);
    expect(prompt).toContain('"score": "the mood score (integer)"');
    expect(prompt).toContain('"mood": "the client\'s mood, from the conversation (one of: low | medium | high)"');
    expect(promptOf(think)).toContain("(true/false)");

    // What the model typed loosely is stored as the declared type.
    expect(flatVariables(state)).toEqual({ score: 4, mood: "medium", needs_care: false, weight: 2.5, risk: "high", summary: "calm" });
  });

  it("under the offline model, ai_ask and ai_think yield variables of the declared types", async () => {
    const { state, results } = await runTurns(script, [null, "7"], { model: new OfflineModel() });
    const variables = flatVariables(state);
    expect(variables).toEqual({ score: 7, needs_care: false, weight: 0, risk: "low", summary: expect.stringMatching(/\S/) });
    expect(typeof variables.score).toBe("number");
    // The condition compares typed values, so the action it guards runs.
    expect(results[1]!.messages.map((m) => m.content)).toEqual(["steady"]);
  });
});
