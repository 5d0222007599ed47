/** A project's conversation tests, run on a set of its files (the draft or a version). */
import type { DiagnosticLang } from "../globals";
import { classifyPath } from "../paths";
import type { TestReport } from "./report";
import { runTests, type RunOptions } from "./run";

export const isTestPath = (path: string) => classifyPath(path)?.category === "test";

/** Runs the project's tests (those of `paths` when given, in path order) against the same files. */
export function runProjectTests(
  files: readonly { path: string; content: string }[],
  options: RunOptions & { paths?: readonly string[] | undefined; lang: DiagnosticLang },
): Promise<TestReport> {
  const byPath = new Map(files.map((f) => [f.path, f.content]));
  const wanted = options.paths ? new Set(options.paths) : null;
  const tests = files
    .filter((f) => isTestPath(f.path) && (!wanted || wanted.has(f.path)))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const read = async (path: string) => byPath.get(path);
  return runTests(tests, () => read, options);
}
