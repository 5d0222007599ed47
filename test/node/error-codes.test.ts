/**
 * One table (src/errors.ts) decides each code's status and title. The README's error list is
 * what API consumers code against and the OpenAPI `Problem.code` enum is what generated clients
 * see: both must say exactly what the table says.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { stepErrorCodes } from "../../src/engine/runtime/events";
import { DomainError, errorCodes, statusOf, type ErrorCode } from "../../src/errors";
import { problemBody } from "../../src/http/problem";

const readme = readFileSync(join(import.meta.dirname, "../../README.md"), "utf8");

/** `[status, code]` for every code the README's Errors table lists. */
function documentedCodes(): [number, string][] {
  const start = readme.indexOf("## Errors");
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
  const rows = section.split("\n").filter((line) => /^\| [0-9]/.test(line));
  return rows.flatMap((row) => {
    const [, status, codes] = row.split("|");
    return [...codes!.matchAll(/`([A-Z_]+)`/g)].map((m): [number, string] => [Number(status!.trim()), m[1]!]);
  });
}

const table = Object.entries(errorCodes) as [ErrorCode, { status: number; title: string }][];

describe("the error code table", () => {
  it("gives every code an error status and a title", () => {
    for (const [code, { status, title }] of table) {
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
      expect(title.trim(), code).not.toBe("");
    }
  });

  it("is what a domain error and its problem body carry", () => {
    for (const [code, { status, title }] of table) {
      expect(new DomainError(code).status, code).toBe(status);
      expect(problemBody(code, "req-1"), code).toMatchObject({ status, title, code });
    }
  });

  it("answers an unknown code (from a peer on another build) as an internal error", () => {
    expect(statusOf("NO_SUCH_CODE")).toBe(500);
  });

  it("covers every way an engine step can fail, since a failed turn answers with its code", () => {
    expect(Object.keys(errorCodes)).toEqual(expect.arrayContaining([...stepErrorCodes]));
  });
});

describe("README error list", () => {
  it("lists every code of the table once, with the table's status", () => {
    const documented = documentedCodes();
    expect(new Set(documented.map(([, code]) => code)).size).toBe(documented.length);
    expect(Object.fromEntries(documented.map(([status, code]) => [code, status]))).toEqual(
      Object.fromEntries(table.map(([code, { status }]) => [code, status])),
    );
  });
});

describe("OpenAPI Problem schema", () => {
  it("enumerates exactly the table's codes", async () => {
    const res = await createApp().request("/openapi.json", {}, { ENVIRONMENT: "development" });
    const doc = (await res.json()) as { components: { schemas: { Problem: { properties: { code: { enum: string[] } } } } } };
    expect([...doc.components.schemas.Problem.properties.code.enum].sort()).toEqual(Object.keys(errorCodes).sort());
  });
});
