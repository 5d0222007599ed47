/**
 * config.ts is imported by nearly every module; a module it imports that
 * imports it back (even for types only) ties all of them into one cycle.
 * The actor binding is typed with src/session/rpc.ts for that reason.
 */
import { describe, expect, it } from "vitest";
import { cycleThrough, importGraph, specifiers } from "../../scripts/import-cycles";

describe("import cycles", () => {
  const graph = importGraph();

  it("src/config.ts does not reach itself through its imports", () => {
    expect(graph.get("src/config.ts")).toContain("src/session/rpc.ts");
    expect(cycleThrough(graph, "src/config.ts")).toBeNull();
  });

  it("the RPC surface the config names imports nothing that imports the config", () => {
    const reached = new Set<string>();
    const visit = (file: string) => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const next of graph.get(file) ?? []) visit(next);
    };
    visit("src/session/rpc.ts");
    expect(reached.has("src/session/requests.ts")).toBe(true);
    expect(reached.has("src/config.ts")).toBe(false);
  });

  it("reads type-only, multi-line, re-exported and dynamic imports, but not ones in comments or packages", () => {
    const source = [
      'import type { A } from "./a";',
      "import {\n  b,\n  type C,\n} from '../b';",
      'export { d } from "./d";',
      'export * as e from "./e";',
      'type F = typeof import("./f");',
      'import "./g";',
      'import { z } from "zod";',
      '// import { h } from "./h";',
      '/** e.g. import { i } from "./i" */',
    ].join("\n");
    expect(specifiers(source).sort()).toEqual(["../b", "./a", "./d", "./e", "./f", "./g"]);
  });

  it("finds the shortest cycle back to a file", () => {
    const g = new Map([
      ["a", ["b", "x"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["x", ["a"]],
      ["y", ["y"]],
    ]);
    expect(cycleThrough(g, "a")).toEqual(["a", "x", "a"]);
    expect(cycleThrough(g, "b")).toEqual(["b", "c", "a", "b"]);
    expect(cycleThrough(g, "y")).toEqual(["y", "y"]);
  });
});
