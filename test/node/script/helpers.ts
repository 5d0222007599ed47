import { existsSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { load, type Diagnostic, type LoadOptions } from "../../../src/engine/script";

export const repoRoot = path.resolve(import.meta.dirname, "../../..");

/** The upstream sample scripts: read in place from the shared folder beside the repository, never copied. */
export const upstreamDir = [path.resolve(repoRoot, "../shared/upstream-scripts"), "/work/shared/upstream-scripts"].find((d) => existsSync(d))!;

/** 1-based line and column of the `occurrence`-th `needle` in `text`. */
export function locate(text: string, needle: string, occurrence = 1): { line: number; column: number } {
  let index = -1;
  for (let i = 0; i < occurrence; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`'${needle}' occurs fewer than ${occurrence} times`);
  }
  const before = text.slice(0, index).split("\n");
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/** A session with one phase and one topic around the given actions (written at column 1). */
export function session(actions: string, extra = ""): string {
  const body = actions
    .trim()
    .split("\n")
    .map((l) => (l ? `            ${l}` : l))
    .join("\n");
  return `session:\n  session_id: test\n${extra}  phases:\n    - phase_id: p1\n      topics:\n        - topic_id: t1\n          actions:\n${body}\n`;
}

export function diagnose(yaml: string, options: LoadOptions = {}): Diagnostic[] {
  return load(yaml, options).diagnostics;
}

/** The only diagnostic with `code`; fails when there is not exactly one. */
export function only(diagnostics: Diagnostic[], code: string): Diagnostic {
  const found = diagnostics.filter((d) => d.code === code);
  expect(found, JSON.stringify(diagnostics, null, 2)).toHaveLength(1);
  return found[0]!;
}
