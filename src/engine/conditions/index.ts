/**
 * `condition:` on an action: a CEL expression checked when the action is
 * reached. true runs the action, false skips it; anything else is a step
 * error naming the action.
 *
 * Variables (those visible at the action: topic → phase → session → global)
 * are bound twice: as top-level identifiers when the name is a CEL
 * identifier (`mood_score < 4`), and all of them in the map `vars`
 * (`vars["情绪"] == "低落"`). A variable that is not set is an evaluation
 * error ("Unknown variable", "No such key"), so a typo never silently skips
 * an action; guard optional ones with `has(vars.x)` or `"x" in vars`.
 */
import type { ParseResult } from "@marcbachmann/cel-js";
import type { VariableMap } from "../runtime/state";
import { parseCondition } from "./cel";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set([
  "vars",
  "true",
  "false",
  "null",
  "in",
  "as",
  "break",
  "const",
  "continue",
  "else",
  "for",
  "function",
  "if",
  "import",
  "let",
  "loop",
  "package",
  "namespace",
  "return",
  "var",
  "void",
  "while",
]);

export type ConditionOutcome = { ok: true; value: boolean } | { ok: false; reason: string };

export interface CompiledCondition {
  readonly expression: string;
  evaluate(variables: VariableMap): ConditionOutcome;
}

function reason(err: unknown): string {
  const e = err as { summary?: unknown; message?: unknown };
  const text = typeof e.summary === "string" ? e.summary : typeof e.message === "string" ? e.message : String(err);
  return text.split("\n")[0] ?? text;
}

/** Parses once; evaluation then only binds the variables. */
export function compileCondition(expression: string): CompiledCondition {
  let program: ParseResult | undefined;
  let parseError: string | undefined;
  try {
    program = parseCondition(expression);
  } catch (err) {
    parseError = reason(err);
  }
  return {
    expression,
    evaluate(variables) {
      if (!program) return { ok: false, reason: parseError ?? "does not parse" };
      const context: Record<string, unknown> = { vars: variables };
      for (const name in variables) {
        if (IDENTIFIER.test(name) && !RESERVED.has(name)) context[name] = variables[name];
      }
      try {
        const value: unknown = program(context);
        if (typeof value === "boolean") return { ok: true, value };
        return { ok: false, reason: `must be true or false, got a ${value === null ? "null" : typeof value}` };
      } catch (err) {
        return { ok: false, reason: reason(err) };
      }
    },
  };
}
