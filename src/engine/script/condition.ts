/**
 * Static view of an action's `condition:` (a CEL expression): does it parse,
 * and which variables does it read. Evaluation belongs to the engine; both
 * agree that variables are top-level CEL identifiers and that every variable
 * is also reachable as `vars["name"]` (the only way to reach a name that is
 * not a CEL identifier, e.g. `vars["情绪"]`).
 */
import type { ASTNode } from "@marcbachmann/cel-js";
import { compilePattern, ConditionLimitError, MATCHES_RE2, parseCondition } from "../conditions/cel";

/** The map that holds every variable by name inside a condition. */
export const CONDITION_VARS = "vars";

/** Macros whose first argument names a loop variable local to the macro. */
const bindingMacros = new Set(["all", "exists", "exists_one", "map", "filter"]);

export type ConditionCheck =
  | { ok: true; variables: string[] }
  | { ok: false; offset: number; reason: string; limit?: { kind: "nodes" | "depth"; max: number } }
  | { ok: false; offset: number; reason: string; pattern: string };

const clamp = (offset: number, expression: string) => Math.max(0, Math.min(offset, expression.length));

/**
 * Parses a condition; on failure reports the offset (0-based, in the expression) and the parser's reason,
 * the limit it crossed, or the `matches()` pattern that is not RE2 (the engine runs them on RE2).
 */
export function checkCondition(expression: string): ConditionCheck {
  let ast: ASTNode;
  try {
    ast = parseCondition(expression).ast;
  } catch (err) {
    if (err instanceof ConditionLimitError)
      return { ok: false, offset: clamp(err.offset, expression), reason: err.message, limit: { kind: err.limit, max: err.max } };
    const e = err as { summary?: string; message?: string; range?: { start: number } };
    return { ok: false, offset: clamp(e.range?.start ?? 0, expression), reason: e.summary ?? e.message?.split("\n")[0] ?? "unknown error" };
  }
  const variables = new Set<string>();
  const patterns: { pattern: string; offset: number }[] = [];
  collect(ast, new Set(), variables, patterns);
  for (const { pattern, offset } of patterns) {
    try {
      compilePattern(pattern);
    } catch (err) {
      return { ok: false, offset: clamp(offset, expression), reason: (err as Error).message.split("\n")[0] ?? "", pattern };
    }
  }
  return { ok: true, variables: [...variables] };
}

/** Variables read (into `out`) and literal `matches()` patterns (into `patterns`); parseCondition bounds the depth of this recursion. */
function collect(node: ASTNode, bound: Set<string>, out: Set<string>, patterns: { pattern: string; offset: number }[]): void {
  const recurse = (n: ASTNode, b = bound) => collect(n, b, out, patterns);
  switch (node.op) {
    case "value":
      return;
    case "id":
      if (node.args !== CONDITION_VARS && !bound.has(node.args)) out.add(node.args);
      return;
    case ".":
    case ".?": {
      const [target, field] = node.args;
      if (target.op === "id" && target.args === CONDITION_VARS) out.add(field);
      else recurse(target);
      return;
    }
    case "[]":
    case "[?]": {
      const [target, index] = node.args;
      if (target.op === "id" && target.args === CONDITION_VARS && index.op === "value" && typeof index.args === "string") {
        out.add(index.args);
      } else {
        recurse(target);
        recurse(index);
      }
      return;
    }
    case "call": {
      const [name, args] = node.args;
      // has(x.y) asks whether something exists: it never needs it to be defined.
      if (name === "has") return;
      for (const a of args) recurse(a);
      return;
    }
    case "rcall": {
      const [name, receiver, args] = node.args;
      const pattern = args[0];
      if (name === MATCHES_RE2 && pattern?.op === "value" && typeof pattern.args === "string")
        patterns.push({ pattern: pattern.args, offset: pattern.start });
      recurse(receiver);
      const [first, ...rest] = args;
      if (bindingMacros.has(name) && first?.op === "id") {
        const inner = new Set(bound).add(first.args);
        for (const a of rest) recurse(a, inner);
      } else {
        for (const a of args) recurse(a);
      }
      return;
    }
    case "list":
      for (const a of node.args) recurse(a);
      return;
    case "map":
      for (const [k, v] of node.args) {
        recurse(k);
        recurse(v);
      }
      return;
    case "?:":
      for (const a of node.args) recurse(a);
      return;
    case "!_":
    case "-_":
      recurse(node.args);
      return;
    default:
      for (const a of node.args) recurse(a);
  }
}

/** A literal a variable is compared with: `mood_score < 4`, `mood_score in ["0", "1"]`, `vars["情绪"] == "低落"`. */
export interface LiteralComparison {
  variable: string;
  operator: string;
  literal: string | number | boolean;
  /** Offset of the literal in the expression. */
  offset: number;
}

const comparisonOps = new Set(["==", "!=", "<", "<=", ">", ">="]);

function variableName(node: ASTNode): string | undefined {
  if (node.op === "id") return node.args === CONDITION_VARS ? undefined : node.args;
  if ((node.op === "." || node.op === ".?") && node.args[0].op === "id" && node.args[0].args === CONDITION_VARS) return node.args[1];
  if ((node.op === "[]" || node.op === "[?]") && node.args[0].op === "id" && node.args[0].args === CONDITION_VARS) {
    const index = node.args[1];
    return index.op === "value" && typeof index.args === "string" ? index.args : undefined;
  }
  return undefined;
}

function literal(node: ASTNode): { value: string | number | boolean; offset: number } | undefined {
  if (node.op !== "value") return undefined;
  const v: unknown = node.args;
  const offset = (node as { start?: number }).start ?? 0;
  if (typeof v === "bigint") return { value: Number(v), offset };
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return { value: v, offset };
  return undefined;
}

/** Every comparison of a variable with a literal (either side, or list membership), for the validator's type check. */
export function literalComparisons(expression: string): LiteralComparison[] {
  let ast: ASTNode;
  try {
    ast = parseCondition(expression).ast;
  } catch {
    return [];
  }
  const out: LiteralComparison[] = [];
  const visit = (node: ASTNode): void => {
    if (comparisonOps.has(node.op) || node.op === "in") {
      const [left, right] = node.args as [ASTNode, ASTNode];
      const name = variableName(left);
      if (name !== undefined && node.op === "in" && right.op === "list") {
        for (const item of right.args) {
          const l = literal(item);
          if (l) out.push({ variable: name, operator: "in", literal: l.value, offset: l.offset });
        }
      } else if (node.op !== "in") {
        const rightName = variableName(right);
        const l = name !== undefined ? literal(right) : rightName !== undefined ? literal(left) : undefined;
        if (l) out.push({ variable: (name ?? rightName)!, operator: node.op, literal: l.value, offset: l.offset });
      }
    }
    const args: unknown = node.args;
    if (Array.isArray(args)) {
      for (const a of args.flat(2)) if (a && typeof a === "object" && "op" in a) visit(a as ASTNode);
    } else if (args && typeof args === "object" && "op" in args) {
      visit(args as ASTNode);
    }
  };
  visit(ast);
  return out;
}
