/**
 * The README's error table is what API consumers code against: it must name
 * every code the API can answer with, and nothing it cannot.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { problemTitles } from "../../src/http/problem";
import { stepErrorCodes } from "../../src/engine/runtime/events";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

function documentedCodes(): string[] {
  const section = readme.slice(readme.indexOf("## Errors"), readme.indexOf("\n## ", readme.indexOf("## Errors") + 1));
  const rows = section.split("\n").filter((line) => /^\| [0-9]/.test(line));
  return rows.flatMap((row) => [...row.split("|")[2]!.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]!));
}

describe("README error codes", () => {
  it("lists every code with a fixed title, once", () => {
    const documented = documentedCodes();
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual(Object.keys(problemTitles).sort());
  });

  it("covers every way an engine step can fail, since a failed turn answers with its code", () => {
    expect(Object.keys(problemTitles)).toEqual(expect.arrayContaining([...stepErrorCodes]));
  });
});
