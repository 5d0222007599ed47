/**
 * A test file's YAML → the checked test, plus the line each part was written
 * on, so every failure and every format problem points at its line.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { TestFileSchema, type TestFile } from "./format";

/** Largest test file read, in UTF-8 bytes (a script's limit: tests are shorter than what they test). */
export const MAX_TEST_BYTES = 256 * 1024;

export type Segment = string | number;

export interface FormatProblem {
  message: string;
  line?: number;
}

export interface ParsedTest {
  test: TestFile;
  /** The line of the value at `path` (of its key, for a mapping entry); the nearest written ancestor's when the path is not written. */
  lineOf(path: readonly Segment[]): number;
}

function lineFinder(doc: Document, counter: LineCounter): (path: readonly Segment[]) => number {
  const lineAt = (offset: number) => counter.linePos(offset).line;
  return (path) => {
    let node: unknown = doc.contents;
    let line = 1;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && p.key.value === seg);
        if (!pair) break;
        const keyRange = (pair.key as Node).range;
        if (keyRange) line = lineAt(keyRange[0]);
        node = pair.value;
      } else if (isSeq(node) && typeof seg === "number") {
        const item = node.items[seg] as Node | undefined;
        if (!item) break;
        if (item.range) line = lineAt(item.range[0]);
        node = item;
      } else break;
    }
    return line;
  };
}

function describePath(path: readonly PropertyKey[]): string {
  return path
    .map((s) => (typeof s === "number" ? `[${s}]` : `.${String(s)}`))
    .join("")
    .replace(/^\./, "");
}

export function parseTest(text: string): ParsedTest | FormatProblem {
  if (new TextEncoder().encode(text).byteLength > MAX_TEST_BYTES) return { message: `Test files are limited to ${MAX_TEST_BYTES} bytes (256 KiB).` };
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) return { message: `Not valid YAML: ${first.message.split("\n")[0]}`, line: counter.linePos(first.pos[0]).line };
  let value: unknown;
  try {
    // maxAliasCount bounds alias expansion: a "billion laughs" file must not exhaust the Worker.
    value = doc.toJS({ maxAliasCount: 50 });
  } catch (err) {
    return { message: `Not a test file: ${err instanceof Error ? err.message : "unreadable YAML"}` };
  }
  const lineOf = lineFinder(doc, counter);
  const parsed = TestFileSchema.safeParse(value ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.filter((s): s is Segment => typeof s === "string" || typeof s === "number");
    const where = describePath(issue.path);
    return { message: `${where ? `${where}: ` : ""}${issue.message}`, line: lineOf(path) };
  }
  const test = parsed.data;
  const bad = test.cases.findIndex((c) => (test.model === "scripted") !== (c.replies !== undefined));
  if (bad >= 0) {
    return test.model === "scripted"
      ? { message: `cases[${bad}]: model: scripted needs \`replies\` (what each model call answers).`, line: lineOf(["cases", bad]) }
      : { message: `cases[${bad}].replies: replies are for \`model: scripted\`.`, line: lineOf(["cases", bad, "replies"]) };
  }
  for (const [i, c] of test.cases.entries()) {
    const late = c.steps.findIndex((s, j) => j > 0 && s.start);
    if (late >= 0) return { message: `cases[${i}].steps[${late}]: \`start\` can only be the first step.`, line: lineOf(["cases", i, "steps", late]) };
  }
  return { test, lineOf };
}
