/**
 * Script diagnostics for people, each with its line and column: how
 * `heartrule validate` prints them and how `heartrule chat --script` reports
 * a script the server refused. Type-only imports: `chat` stays free of the
 * engine's loader.
 */
import type { Diagnostic } from "../engine/script";

export function describeDiagnostics(file: string, diagnostics: (Omit<Diagnostic, "code"> & { code: string })[]): string[] {
  const out = [file];
  for (const d of diagnostics) {
    out.push(`  ${d.line}:${d.column}  ${d.severity}  ${d.code}  ${d.message}`);
    out.push(`      → ${d.suggestion.replace(/\n/g, "\n        ")}`);
    out.push(`      (${d.path})`);
  }
  return out;
}
