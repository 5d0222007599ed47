/**
 * Static view of an action's `condition:` (a CEL expression): does it parse,
 * and which variables does it read. Evaluation belongs to the engine; both
 * agree that variables are top-level CEL identifiers and that every variable
 * is also reachable as `vars["name"]` (the only way to reach a name that is
 * not a CEL identifier, e.g. `vars["情绪"]`).
 */
import { parse, type ASTNode } from "@marcbachmann/cel-js";

/** The map that holds every variable by name inside a condition. */
export const CONDITION_VARS = "vars";

/** Macros whose first argument names a loop variable local to the macro. */
const bindingMacros = new Set(["all", "exists", "exists_one", "map", "filter"]);

export type ConditionCheck = { ok: true; variables: string[] } | { ok: false; offset: number; reason: string };

/** Parses a condition; on failure reports the offset (0-based, in the expression) and the parser's reason. */
export function checkCondition(expression: string): ConditionCheck {
  let ast: ASTNode;
  try {
    ast = parse(expression).ast;
  } catch (err) {
    const e = err as { summary?: string; message?: string; range?: { start: number } };
    const offset = Math.max(0, Math.min(e.range?.start ?? 0, expression.length));
    return { ok: false, offset, reason: e.summary ?? e.message?.split("\n")[0] ?? "unknown error" };
  }
  const variables = new Set<string>();
  collect(ast, new Set(), variables);
  return { ok: true, variables: [...variables] };
}

function collect(node: ASTNode, bound: Set<string>, out: Set<string>): void {
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
      else collect(target, bound, out);
      return;
    }
    case "[]":
    case "[?]": {
      const [target, index] = node.args;
      if (target.op === "id" && target.args === CONDITION_VARS && index.op === "value" && typeof index.args === "string") {
        out.add(index.args);
      } else {
        collect(target, bound, out);
        collect(index, bound, out);
      }
      return;
    }
    case "call": {
      const [name, args] = node.args;
      // has(x.y) asks whether something exists: it never needs it to be defined.
      if (name === "has") return;
      for (const a of args) collect(a, bound, out);
      return;
    }
    case "rcall": {
      const [name, receiver, args] = node.args;
      collect(receiver, bound, out);
      const [first, ...rest] = args;
      if (bindingMacros.has(name) && first?.op === "id") {
        const inner = new Set(bound).add(first.args);
        for (const a of rest) collect(a, inner, out);
      } else {
        for (const a of args) collect(a, bound, out);
      }
      return;
    }
    case "list":
      for (const a of node.args) collect(a, bound, out);
      return;
    case "map":
      for (const [k, v] of node.args) {
        collect(k, bound, out);
        collect(v, bound, out);
      }
      return;
    case "?:":
      for (const a of node.args) collect(a, bound, out);
      return;
    case "!_":
    case "-_":
      collect(node.args, bound, out);
      return;
    default:
      for (const a of node.args) collect(a, bound, out);
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
    ast = parse(expression).ast;
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
