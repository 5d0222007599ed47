/**
 * One step's expectations checked against what the step did: the first one
 * that does not hold, with what was expected and what came instead.
 */
import { flatVariables, type EngineEvent, type JsonValue, type SessionState, type StepResult } from "../../engine";
import { compilePattern } from "../../engine/conditions/cel";
import { VariableCheckSchema, type Expect, type SafetyMatch, type VariableType } from "./format";
import type { TestMessages } from "./messages";
import type { Segment } from "./parse";

export type SafetyEvent = Extract<EngineEvent, { type: "safety" }>;

/** What a step did, as the expectations see it. */
export interface StepOutcome {
  result: StepResult;
  /** The state after the step (the one before, when the step failed). */
  state: SessionState;
  /** The AI's lines of this step, one per line. */
  text: string;
  safety: SafetyEvent[];
}

export interface Mismatch {
  expectation: string;
  /** Where in the step's `expect:` (null: the step itself). */
  at: Segment[] | null;
  expected: string;
  got: string;
  message: string;
}

const json = (v: unknown) => JSON.stringify(v);
const said = (text: string) => (text ? json(text) : "(the AI said nothing)");

/** JSON with sorted keys, so equal values compare equal whatever order their keys were written in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${json(k)}:${canonical(x)}`).join(",")}}`;
  }
  return json(v);
}

function typeOf(v: JsonValue): VariableType | "null" {
  if (v === null) return "null";
  if (Array.isArray(v)) return "list";
  if (typeof v === "string") return "text";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v === "boolean" ? "boolean" : "object";
}

const isType = (v: JsonValue, type: VariableType) => typeOf(v) === type || (type === "number" && typeOf(v) === "integer");

/** The strings of a one-or-more field, each with where it is written. */
function each(value: string | string[], key: string): [string, Segment[]][] {
  return typeof value === "string" ? [[value, [key]]] : value.map((s, i) => [s, [key, i]]);
}

function textChecks(expect: Expect, text: string, t: TestMessages): Mismatch | null {
  for (const [needle, at] of each(expect.contains ?? [], "contains")) {
    if (!text.includes(needle)) return { expectation: "contains", at, expected: json(needle), got: said(text), message: t.notContains(json(needle)) };
  }
  for (const [needle, at] of each(expect.not_contains ?? [], "not_contains")) {
    if (text.includes(needle))
      return { expectation: "not_contains", at, expected: `no ${json(needle)}`, got: said(text), message: t.contains(json(needle)) };
  }
  for (const [pattern, at] of each(expect.matches ?? [], "matches")) {
    let found: boolean;
    try {
      found = compilePattern(pattern).test(text);
    } catch (err) {
      const why = (err as Error).message.split("\n")[0] ?? "";
      return { expectation: "matches", at, expected: pattern, got: "an invalid pattern", message: t.badPattern(why) };
    }
    if (!found) return { expectation: "matches", at, expected: `/${pattern}/`, got: said(text), message: t.noMatch(pattern) };
  }
  return null;
}

function variableCheck(name: string, want: unknown, variables: Record<string, JsonValue>, t: TestMessages): Mismatch | null {
  const expectation = `variables.${name}`;
  const at = ["variables", name];
  const has = Object.hasOwn(variables, name) && variables[name] !== null;
  const value = variables[name] ?? null;
  const check = VariableCheckSchema.safeParse(want);
  const spec = check.success ? check.data : { value: want as JsonValue };
  if (spec.set === false) {
    return has ? { expectation, at, expected: "no value", got: json(value), message: t.hasValue(name) } : null;
  }
  const expected = [spec.value !== undefined ? json(spec.value) : null, spec.type ? `(${spec.type})` : null].filter(Boolean).join(" ");
  if (!has && spec.value !== null) return { expectation, at, expected, got: "no value", message: t.noValue(name) };
  if (spec.type && !isType(value, spec.type)) {
    return { expectation, at, expected, got: `${json(value)} (${typeOf(value)})`, message: t.notType(name, spec.type) };
  }
  if (spec.value !== undefined && canonical(spec.value) !== canonical(value)) {
    return { expectation, at, expected, got: json(value), message: t.notValue(name, json(spec.value)) };
  }
  return null;
}

const safetyFields = { source: "source", crisis: "crisis", level: "level", risk_type: "riskType" } as const;

function describeSafety(e: SafetyEvent): string {
  return json({ source: e.source, crisis: e.crisis, ...(e.level ? { level: e.level } : {}), ...(e.riskType ? { risk_type: e.riskType } : {}) });
}

function safetyCheck(want: NonNullable<Expect["safety"]>, events: SafetyEvent[], t: TestMessages): Mismatch | null {
  const got = events.length ? events.map(describeSafety).join(", ") : "no safety event";
  if (want === "none") {
    return events.length ? { expectation: "safety", at: ["safety"], expected: "no safety event", got, message: t.safetyRaised } : null;
  }
  const matches: [SafetyMatch, Segment[]][] = Array.isArray(want) ? want.map((m, i) => [m, ["safety", i]]) : [[want, ["safety"]]];
  for (const [match, at] of matches) {
    const keys = Object.keys(match) as (keyof SafetyMatch)[];
    if (!events.some((e) => keys.every((k) => e[safetyFields[k]] === match[k]))) {
      return { expectation: "safety", at, expected: json(match), got, message: t.noSafetyMatch };
    }
  }
  return null;
}

const statusName = { waiting_input: "active", completed: "completed", error: "error" } as const;

/** The first expectation of `expect` the step does not meet, in the order they are listed here; null when all hold. */
export function firstMismatch(expect: Expect, outcome: StepOutcome, t: TestMessages): Mismatch | null {
  const { result, state } = outcome;
  const status = statusName[result.status];
  const failure = result.error ? `error (${result.error.code}: ${result.error.message})` : status;
  if (result.error && expect.status !== "error" && !expect.error) {
    return { expectation: "status", at: null, expected: expect.status ?? "the step to succeed", got: failure, message: t.stepFailed };
  }
  if (expect.status && expect.status !== status)
    return { expectation: "status", at: ["status"], expected: expect.status, got: failure, message: t.status(status) };
  if (expect.error && expect.error !== result.error?.code)
    return { expectation: "error", at: ["error"], expected: expect.error, got: failure, message: t.notError(expect.error) };
  const text = textChecks(expect, outcome.text, t);
  if (text) return text;
  const variables = flatVariables(state);
  for (const [name, want] of Object.entries(expect.variables ?? {})) {
    const mismatch = variableCheck(name, want, variables, t);
    if (mismatch) return mismatch;
  }
  if (expect.position) {
    const where = { phase: state.position.phaseId, topic: state.position.topicId, action: state.position.actionId };
    for (const key of ["phase", "topic", "action"] as const) {
      const want = expect.position[key];
      if (want !== undefined && want !== where[key]) {
        const got = where[key] ?? (state.status === "completed" ? "(the script has ended)" : "(none)");
        return { expectation: `position.${key}`, at: ["position", key], expected: want, got, message: t.notAt(key, want) };
      }
    }
  }
  if (expect.safety) {
    const mismatch = safetyCheck(expect.safety, outcome.safety, t);
    if (mismatch) return mismatch;
  }
  if (expect.crisis !== undefined && expect.crisis !== (state.crisis !== null)) {
    const [expected, got] = expect.crisis ? ["the crisis protocol", "the script"] : ["the script", "the crisis protocol"];
    return {
      expectation: "crisis",
      at: ["crisis"],
      expected,
      got,
      message: expect.crisis ? t.crisisNotRunning : t.crisisRunning,
    };
  }
  return null;
}
