/**
 * Diagnostics: what the loader reports, with stable codes and positions.
 */
import { render, type MessageId, type MessageLanguage } from "./messages";
import { formatPath, type Loc, type Segment } from "./source";

export type Severity = "error" | "warning";

/** Every code the loader emits, with its severity. Codes are stable: tools may branch on them. */
export const diagnosticCodes = {
  YAML_SYNTAX: "error",
  DUPLICATE_KEY: "error",
  YAML_TOO_COMPLEX: "error",
  UNRECOGNISED_SCRIPT: "error",
  UNKNOWN_FIELD: "error",
  REQUIRED_FIELD: "error",
  TYPE_MISMATCH: "error",
  INVALID_VALUE: "error",
  DUPLICATE_ID: "error",
  INVALID_CONDITION: "error",
  UNKNOWN_TARGET: "error",
  UNUSED_REPROMPT: "warning",
  UNKNOWN_SKILL: "error",
  SKILL_INPUT_MISSING: "error",
  SKILL_INPUT_UNKNOWN: "error",
  SKILL_OUTPUT_UNKNOWN: "error",
  NESTED_SKILL: "error",
  DEPRECATED_FIELD: "warning",
  MISPLACED_FIELD: "warning",
  RESERVED_FIELD: "warning",
  TYPE_COERCED: "warning",
  UNDEFINED_VARIABLE: "warning",
  CONDITION_TYPE_MISMATCH: "warning",
  TECHNIQUE_OUTPUT_UNSET: "warning",
  YAML_WARNING: "warning",
} as const satisfies Record<string, Severity>;

export type DiagnosticCode = keyof typeof diagnosticCodes;

export interface Diagnostic {
  severity: Severity;
  code: DiagnosticCode;
  /** Where in the script, e.g. `session.phases[0].topics[1].actions[2].config.content`. */
  path: string;
  /** 1-based. */
  line: number;
  /** 1-based, in characters (UTF-16 code units) from the start of the line. */
  column: number;
  message: string;
  suggestion: string;
}

/** Collects diagnostics in one language; the severity follows from the code. */
export class DiagnosticList {
  readonly items: Diagnostic[] = [];

  constructor(readonly lang: MessageLanguage) {}

  add(code: DiagnosticCode, id: MessageId, params: Record<string, string | number>, path: readonly Segment[] | string, at: Loc): void {
    this.items.push({
      severity: diagnosticCodes[code],
      code,
      path: typeof path === "string" ? path : formatPath(path),
      line: at.line,
      column: at.column,
      ...render(id, this.lang, params),
    });
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === "error");
  }

  /** In reading order; reports at the same place keep the order they were found in. */
  sorted(): Diagnostic[] {
    return this.items
      .map((d, i) => [d, i] as const)
      .sort(([a, i], [b, j]) => a.line - b.line || a.column - b.column || i - j)
      .map(([d]) => d);
  }
}
