/**
 * set: computes variables from CEL expressions (a counter, a score summed
 * from several answers) with no model call. Nothing is shown; the flow goes
 * on in the same step. Entries run in order, so a later one reads the ones
 * before it. A result that cannot be computed, or is not of the declared
 * type, is not stored: authors get a diagnostic and the session goes on, as
 * with a condition that fails.
 */
import { compileExpression, type CompiledExpression } from "../conditions";
import { memo } from "../runtime/program";
import type { JsonValue } from "../runtime/state";
import type { Turn } from "../runtime/turn";
import type { Assignment } from "../script/schema";
import { visibleVariables } from "../variables/store";
import { done, type ActionHandler, type NodeOf } from "./types";

const compiledKey = Symbol("setExpressions");

/** The result as the declared type, or undefined when it is not one (no loose reading: the author wrote the expression). */
export function typedResult(entry: Pick<Assignment, "type" | "values">, value: unknown): JsonValue | undefined {
  switch (entry.type ?? "text") {
    case "integer":
      return typeof value === "number" && Number.isInteger(value) ? value : undefined;
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? value : undefined;
    case "boolean":
      return typeof value === "boolean" ? value : undefined;
    case "enum":
      return typeof value === "string" ? entry.values?.find((v) => v.toLowerCase() === value.toLowerCase()) : undefined;
    default:
      return typeof value === "string" ? value : undefined;
  }
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "list";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value === "object" ? "map" : typeof value;
}

function run(turn: Turn, node: NodeOf<"set">) {
  const entries = node.action.config.variables;
  const compiled = memo<CompiledExpression[]>(node, compiledKey, () => entries.map((e) => compileExpression(e.expression)));
  const actionId = node.action.action_id;
  entries.forEach((entry, i) => {
    const outcome = compiled[i]!.evaluate(visibleVariables(turn.state));
    if (!outcome.ok) {
      turn.emit({
        type: "diagnostic",
        actionId,
        code: "SET_ERROR",
        message: `The expression for "${entry.name}" in action "${actionId}" could not be evaluated (${outcome.reason}); "${entry.name}" was not set.`,
        names: [entry.name],
      });
      return;
    }
    const value = typedResult(entry, outcome.value);
    if (value === undefined) {
      const type = entry.type ?? "text";
      turn.emit({
        type: "diagnostic",
        actionId,
        code: "SET_TYPE_MISMATCH",
        message: `The expression for "${entry.name}" in action "${actionId}" gave a ${kindOf(outcome.value)}, not ${type === "enum" ? `one of its values` : `a ${type}`}; "${entry.name}" was not set.`,
        names: [entry.name],
      });
      return;
    }
    turn.write(node, [{ field: { get: entry.name, ...(entry.scope ? { scope: entry.scope } : {}) }, value }]);
  });
  return done;
}

export const set: ActionHandler<"set"> = {
  maxRounds: () => 1,
  begin: (turn, node) => Promise.resolve(run(turn, node)),
  // Never in flight (it does not wait): resuming only happens if a host forces it.
  resume: (turn, node) => Promise.resolve(run(turn, node)),
};
