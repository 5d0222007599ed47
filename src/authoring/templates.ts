/**
 * Prompt templates in projects. A template file at
 * templates/<scheme>/<templateName>.md overrides the engine's bundled
 * template of that name for sessions whose script sets
 * `session.template_scheme: <scheme>`; names it does not override fall back
 * to the bundled set (the read-only `default` scheme).
 */
import { templateNames, validateTemplate, type TemplateName } from "../engine";
import type { Diagnostic } from "./models";

export function isTemplateName(name: string): name is TemplateName {
  return (templateNames as readonly string[]).includes(name);
}

/** The engine's checks as diagnostics; an unknown name is an error (the engine would never use the file). */
export function checkTemplate(name: string, content: string): Diagnostic[] {
  if (!isTemplateName(name)) {
    return [
      {
        severity: "error",
        code: "UNKNOWN_TEMPLATE",
        path: "",
        line: 1,
        column: 1,
        message: `"${name}" is not a template the engine uses.`,
        suggestion: `Name the file after one of: ${templateNames.join(", ")}.`,
      },
    ];
  }
  return validateTemplate(content, name).map((issue) => ({
    severity: issue.severity,
    code: `TEMPLATE_${issue.code}`,
    path: "",
    line: 1,
    column: 1,
    message: issue.message,
  }));
}
