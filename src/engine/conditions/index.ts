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
 *
 * `set` actions run the same expressions for any value (compileExpression).
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
export type ExpressionOutcome = { ok: true; value: unknown } | { ok: false; reason: string };

export interface CompiledCondition {
  readonly expression: string;
  evaluate(variables: VariableMap): ConditionOutcome;
}

export interface CompiledExpression {
  readonly expression: string;
  /** The result with CEL integers as JS numbers (a `set` stores JSON). */
  evaluate(variables: VariableMap): ExpressionOutcome;
}

function reason(err: unknown): string {
  const e = err as { summary?: unknown; message?: unknown };
  const text = typeof e.summary === "string" ? e.summary : typeof e.message === "string" ? e.message : String(err);
  return text.split("\n")[0] ?? text;
}

/**
 * A variable as CEL sees it. CEL has no `int + double`: a whole number is
 * bound as a CEL int so `attempts + 1` and `score >= 7` work, a fraction as a double.
 */
function celValue(value: unknown): unknown {
  if (typeof value === "number") return Number.isInteger(value) && Number.isSafeInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(celValue);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key in value) out[key] = celValue((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** A CEL result as JSON: ints back to numbers (outside the safe range they cannot be stored exactly). */
function jsValue(value: unknown): unknown {
  if (typeof value === "bigint") {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw new Error("integer out of range");
    return Number(value);
  }
  if (Array.isArray(value)) return value.map(jsValue);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), jsValue(v)]));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key in value) out[key] = jsValue((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** Parses once; evaluation then only binds the variables. */
export function compileExpression(expression: string): CompiledExpression {
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
      const vars = celValue(variables) as Record<string, unknown>;
      const context: Record<string, unknown> = { vars };
      for (const name in vars) {
        if (IDENTIFIER.test(name) && !RESERVED.has(name)) context[name] = vars[name];
      }
      try {
        return { ok: true, value: jsValue(program(context)) };
      } catch (err) {
        return { ok: false, reason: reason(err) };
      }
    },
  };
}

export function compileCondition(expression: string): CompiledCondition {
  const compiled = compileExpression(expression);
  return {
    expression,
    evaluate(variables) {
      const outcome = compiled.evaluate(variables);
      if (!outcome.ok || typeof outcome.value === "boolean") return outcome as ConditionOutcome;
      const value = outcome.value;
      return { ok: false, reason: `must be true or false, got a ${value === null ? "null" : typeof value}` };
    },
  };
}
