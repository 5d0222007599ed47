/**
 * Every diagnostic code speaks both languages, and the README's table of
 * codes is the loader's list: counselors read the one, tools branch on the other.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diagnosticCodes } from "../../../src/engine/script/diagnostics";
import { diagnose, session } from "./helpers";

const CJK = /[\u4e00-\u9fff]/;

/** One script per code that the shared fixture in diagnostics.test.ts does not reach. */
const fixtures: Record<string, string> = {
  YAML_SYNTAX: "session:\n\tsession_id: broken\n",
  DUPLICATE_KEY: "session:\n  session_id: a\n  session_id: b\n  phases: []\n",
  YAML_TOO_COMPLEX: `${"a: &a [x, x, x, x, x, x, x, x, x, x]\n"}${Array.from(
    { length: 5 },
    (_, i) =>
      `${"b".repeat(i + 1)}: &${"b".repeat(i + 1)} [${Array(10)
        .fill(i ? `*${"b".repeat(i)}` : "*a")
        .join(", ")}]`,
  ).join("\n")}\nsession: *bbbbb\n`,
  UNRECOGNISED_SCRIPT: "notes: just some notes\n",
  TYPE_MISMATCH: "session:\n  session_id: t\n  phases: not a list\n",
  YAML_WARNING: session("- action_type: ai_say\n  action_id: s1\n  config:\n    content: !shout Hello"),
};

describe("diagnostics in English and Simplified Chinese", () => {
  it.each(Object.entries(fixtures))("%s: the same place in both languages, each message in its own language", (code, yaml) => {
    const en = diagnose(yaml, { lang: "en" }).filter((d) => d.code === code);
    const zh = diagnose(yaml, { lang: "zh-CN" }).filter((d) => d.code === code);
    expect(en.length, JSON.stringify(diagnose(yaml))).toBeGreaterThan(0);
    expect(zh.map((d) => [d.path, d.line, d.column])).toEqual(en.map((d) => [d.path, d.line, d.column]));
    for (const [e, z] of en.map((d, i) => [d, zh[i]!] as const)) {
      expect(e.severity).toBe(diagnosticCodes[code as keyof typeof diagnosticCodes]);
      expect(e.message).not.toMatch(CJK);
      expect(z.message).toMatch(CJK);
      expect(z.suggestion).toMatch(CJK);
      expect(e.suggestion.length).toBeGreaterThan(5);
    }
  });
});

describe("the README's diagnostics table", () => {
  const readme = readFileSync(join(import.meta.dirname, "../../../README.md"), "utf8");
  const start = readme.indexOf("### Diagnostics");
  const section = readme.slice(start, readme.indexOf("\n## ", start));
  const rows = section
    .split("\n")
    .filter((line) => /^\| `[A-Z_]+` \|/.test(line))
    .map((line) => line.split("|").map((cell) => cell.trim()));

  it("lists every code the loader emits with its severity, plus the CLI's FILE_UNREADABLE, once each", () => {
    const documented = rows.map(([, code, severity]) => [code!.replaceAll("`", ""), severity]);
    expect(new Set(documented.map(([code]) => code)).size).toBe(documented.length);
    expect(Object.fromEntries(documented)).toEqual({ ...diagnosticCodes, FILE_UNREADABLE: "error" });
  });
});
