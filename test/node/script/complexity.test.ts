/**
 * Hostile YAML costs the loader work in proportion to its size: aliases are
 * resolved in one pass, duplicate keys found in one pass, and the values an
 * alias may expand to are bounded by the text's length.
 *
 * Speed itself is measured by `npm run bench:engine` (with the 254 KB inputs);
 * these tests assert on the loader's work counters, on inputs of 64 KB, with
 * only a generous wall-clock sanity bound where the old loader took seconds.
 */
import { describe, expect, it } from "vitest";
import { mergeBomb, mergeChain, nestedMergeChain, ordinaryScript } from "../../../bench/engine/hostile";
import { load } from "../../../src/engine/script";
import { MAX_NODES, MIN_NODES, NODES_PER_CHAR, nodeBudget, parseSource, TooComplexError } from "../../../src/engine/script/source";
import { only } from "./helpers";

/** The loader's work counters for `yaml`, and the error that stopped it, if any. */
function work(yaml: string) {
  try {
    const parsed = parseSource(yaml);
    return { ...parsed.work, error: undefined };
  } catch (err) {
    if (!(err instanceof TooComplexError)) throw err;
    return { written: Number.NaN, built: Number.NaN, budget: nodeBudget(yaml), error: err };
  }
}

/** Loads `yaml`, failing when it takes longer than `ms` (far above what it takes: a sanity bound, not a benchmark). */
function loadWithin(yaml: string, ms: number) {
  const began = performance.now();
  const result = load(yaml);
  expect(performance.now() - began).toBeLessThan(ms);
  return result;
}

describe("the loader's work is bounded by the size of its input", () => {
  it("the budget of values grows with the text and has a ceiling", () => {
    expect(nodeBudget("")).toBe(MIN_NODES);
    expect(nodeBudget("x".repeat(1000))).toBe(MIN_NODES + NODES_PER_CHAR * 1000);
    expect(nodeBudget("x".repeat(256 * 1024))).toBe(MAX_NODES);
  });

  it.each([100, 400])("a %i-level merge-key bomb is refused once it has built its budget of values", (levels) => {
    const yaml = mergeBomb(levels);
    const { error, budget } = work(yaml);
    expect(error?.reason).toBe("nodes");
    expect(error?.max).toBe(budget);
    expect(budget).toBeLessThanOrEqual(MIN_NODES + NODES_PER_CHAR * yaml.length);
    const d = only(loadWithin(yaml, 5_000).diagnostics, "YAML_TOO_COMPLEX");
    expect(d.message).toBe(`This file expands to more than ${budget} values, usually because aliases (\`*name\`) repeat large blocks.`);
  });

  it("a file of thousands of anchors, aliases and keys builds each value once", () => {
    const yaml = mergeChain(64_000);
    const { error, written, built, budget } = work(yaml);
    expect(error).toBeUndefined();
    // Every written node once, and each alias's few values once more: well within the budget.
    expect(written).toBeGreaterThan(10_000);
    expect(built).toBeLessThan(written * 2);
    expect(built).toBeLessThanOrEqual(budget);
    expect(only(load(yaml).diagnostics, "UNRECOGNISED_SCRIPT").line).toBe(1);
  });

  it("a chain of merges, each nesting the one before, stops at the depth limit", () => {
    const yaml = nestedMergeChain(64_000);
    expect(work(yaml).error?.reason).toBe("depth");
    expect(only(load(yaml).diagnostics, "YAML_TOO_COMPLEX").message).toMatch(/levels deep/);
  });

  it("a duplicate key among thousands is still found, where it is written", () => {
    const keys = Array.from({ length: 5_000 }, (_, i) => `k${i}: ${i}`);
    keys.push("k7: again");
    const yaml = `${keys.join("\n")}\n`;
    const d = only(load(yaml).diagnostics, "DUPLICATE_KEY");
    expect(d).toMatchObject({ line: 5_001, column: 1 });
    expect(d.message).toContain("`k7`");
  });

  it("an ordinary script of the same size loads, well within its budget", () => {
    const yaml = ordinaryScript(64_000);
    const { error, built, budget } = work(yaml);
    expect(error).toBeUndefined();
    expect(built).toBeLessThan(budget / 2);
    const result = load(yaml);
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(result.script).toBeDefined();
  });
});
