/**
 * Whether a multi-round action ends after this round (upstream §4.7), from
 * the round count, the model's reply and the author's exit_criteria.
 * Sources are checked in order; the first that decides wins:
 *   max_rounds     round ≥ max_rounds
 *   (min_rounds)   exit_criteria.min_rounds not reached → continue, whatever follows says
 *   exit_flag      the reply's EXIT is true
 *   exit_criteria  understanding, open questions, custom conditions
 *   llm_suggestion the reply's should_exit is true
 */
import type { ExitCriteria } from "../script/schema";
import type { Reply } from "../prompts/reply";
import type { JsonValue } from "../runtime/state";
import { exitRequested, readBoolean } from "../variables/coerce";

export type ExitSource = "max_rounds" | "exit_flag" | "exit_criteria" | "llm_suggestion";

export interface ExitDecision {
  exit: boolean;
  source?: ExitSource;
}

export interface ExitInput {
  sources: readonly ExitSource[];
  round: number;
  maxRounds: number;
  reply: Reply;
  criteria?: ExitCriteria;
  /** Reads a variable for exit_criteria.custom_conditions (required when the criteria have some). */
  lookup?: (name: string) => JsonValue | undefined;
}

function record(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function exitFlag(reply: Reply): boolean {
  return exitRequested(reply.EXIT) || exitRequested(reply.exit);
}

function assessment(reply: Reply): Record<string, unknown> {
  const fromMetadata = record(record(reply.metadata).assessment);
  return Object.keys(fromMetadata).length ? fromMetadata : record(reply.assessment);
}

function compare(
  actual: JsonValue | undefined,
  operator: NonNullable<ExitCriteria["custom_conditions"]>[number]["operator"],
  expected: string | number | boolean,
): boolean {
  if (actual === undefined || actual === null) return false;
  const a = Number(actual);
  const e = Number(expected);
  const numeric = typeof actual !== "boolean" && actual !== "" && !Number.isNaN(a) && !Number.isNaN(e);
  switch (operator) {
    case "==":
      return numeric ? a === e : String(actual) === String(expected);
    case "!=":
      return numeric ? a !== e : String(actual) !== String(expected);
    case ">":
      return numeric && a > e;
    case "<":
      return numeric && a < e;
    case ">=":
      return numeric && a >= e;
    case "<=":
      return numeric && a <= e;
    case "contains":
      return Array.isArray(actual) ? actual.some((x) => String(x) === String(expected)) : String(actual).includes(String(expected));
  }
}

/** true: criteria met; false: a criterion blocks; undefined: nothing to evaluate. */
function criteriaMet(input: ExitInput): boolean | undefined {
  const c = input.criteria;
  if (!c) return undefined;
  let met = 0;
  if (c.understanding_threshold !== undefined) {
    const level = Number(assessment(input.reply).understanding_level ?? 0);
    if (!(level >= c.understanding_threshold)) return false;
    met++;
  }
  if (c.has_questions !== undefined) {
    if (c.has_questions === false && readBoolean(assessment(input.reply).has_questions) === true) return false;
    met++;
  }
  for (const condition of c.custom_conditions ?? []) {
    if (!compare(input.lookup?.(condition.variable), condition.operator, condition.value)) return false;
    met++;
  }
  return met > 0 ? true : undefined;
}

export function decideExit(input: ExitInput): ExitDecision {
  const sources = input.sources;
  if (sources.includes("max_rounds") && input.round >= input.maxRounds) return { exit: true, source: "max_rounds" };
  const minRounds = input.criteria?.min_rounds;
  if (minRounds !== undefined && input.round < minRounds) return { exit: false };
  if (sources.includes("exit_flag") && exitFlag(input.reply)) return { exit: true, source: "exit_flag" };
  if (sources.includes("exit_criteria")) {
    const met = criteriaMet(input);
    if (met === false) return { exit: false };
    if (met === true) return { exit: true, source: "exit_criteria" };
  }
  if (sources.includes("llm_suggestion") && (input.reply.should_exit === true || input.reply.shouldExit === true)) {
    return { exit: true, source: "llm_suggestion" };
  }
  return { exit: false };
}
