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

export type ConditionCheck =
  | { ok: true; variables: string[] }
  | { ok: false; offset: number; reason: string };

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
