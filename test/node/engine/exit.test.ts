import { describe, expect, it } from "vitest";
import { decideExit, type ExitInput } from "../../../src/engine/actions/exit";

const base: ExitInput = {
  sources: ["max_rounds", "exit_flag", "exit_criteria", "llm_suggestion"],
  round: 1,
  maxRounds: 3,
  reply: {},
  lookup: () => undefined,
};
const understood = (level: number, questions = false) => ({
  metadata: { assessment: { understanding_level: level, has_questions: questions } },
});

describe("decideExit (upstream §4.7)", () => {
  it("exits when the round budget is used up", () => {
    expect(decideExit({ ...base, round: 3 })).toEqual({ exit: true, source: "max_rounds" });
  });

  it("honours EXIT as a string or boolean, even with low understanding", () => {
    expect(decideExit({ ...base, reply: { EXIT: "true", ...understood(10) } })).toEqual({ exit: true, source: "exit_flag" });
    expect(decideExit({ ...base, reply: { EXIT: true } })).toEqual({ exit: true, source: "exit_flag" });
  });

  it("skips disabled sources", () => {
    expect(decideExit({ ...base, sources: ["max_rounds"], reply: { EXIT: "true", should_exit: true } })).toEqual({ exit: false });
  });

  it("exits on exit_criteria once understanding reaches the threshold", () => {
    const criteria = { understanding_threshold: 80 };
    expect(decideExit({ ...base, criteria, reply: understood(79) })).toEqual({ exit: false });
    expect(decideExit({ ...base, criteria, reply: understood(85) })).toEqual({ exit: true, source: "exit_criteria" });
  });

  it("does not exit while the client still has questions when has_questions is false", () => {
    const criteria = { understanding_threshold: 50, has_questions: false };
    expect(decideExit({ ...base, criteria, reply: understood(90, true) })).toEqual({ exit: false });
    expect(decideExit({ ...base, criteria, reply: understood(90, false) })).toEqual({ exit: true, source: "exit_criteria" });
  });

  it("never exits early before min_rounds, whatever the model says", () => {
    const criteria = { min_rounds: 2, understanding_threshold: 10 };
    expect(decideExit({ ...base, criteria, reply: { EXIT: "true", ...understood(100) } })).toEqual({ exit: false });
    expect(decideExit({ ...base, round: 2, criteria, reply: understood(100) })).toEqual({ exit: true, source: "exit_criteria" });
  });

  it("compares custom conditions against variables", () => {
    const vars: Record<string, unknown> = { mood: "7", tags: ["sleep", "work"], name: "Ann" };
    const lookup = (n: string) => vars[n] as never;
    const at = (variable: string, operator: "==" | ">=" | "<" | "contains" | "!=", value: string | number) => ({
      ...base,
      lookup,
      criteria: { custom_conditions: [{ variable, operator, value }] },
    });
    expect(decideExit(at("mood", ">=", 7)).exit).toBe(true);
    expect(decideExit(at("mood", "<", 7)).exit).toBe(false);
    expect(decideExit(at("tags", "contains", "sleep")).exit).toBe(true);
    expect(decideExit(at("name", "==", "Ann")).exit).toBe(true);
    expect(decideExit(at("name", "!=", "Ann")).exit).toBe(false);
    expect(decideExit(at("missing", "==", "x")).exit).toBe(false);
  });

  it("exits on the model's should_exit suggestion", () => {
    expect(decideExit({ ...base, reply: { should_exit: true } })).toEqual({ exit: true, source: "llm_suggestion" });
  });

  it("otherwise continues", () => {
    expect(decideExit({ ...base, reply: { EXIT: "false" } })).toEqual({ exit: false });
  });
});
