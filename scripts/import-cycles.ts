// The import graph of src/ (type-only imports included: a type cycle still ties
// the modules together for the compiler and the reader) and the cycles in it.
// TypeScript 7 ships no JavaScript API, so specifiers are read with regular
// expressions; only relative ones are followed (packages cannot import us back).
// `npx tsx scripts/import-cycles.ts [file…]` prints the shortest cycle through each
// file (default src/config.ts) and exits 1 if there is one.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const SPECIFIERS = [
  // import x from "…", import type { A } from "…", export * from "…", export { a } from "…"
  /\b(?:import|export)\s+(?:type\s+)?[\w$*{},\s]*?\s*from\s*["']([^"']+)["']/g,
  // import "…" (for its effects)
  /\bimport\s+["']([^"']+)["']/g,
  // import("…"), also as a type: typeof import("…")
  /\bimport\(\s*["']([^"']+)["']\s*\)/g,
];

/** Comments out of the way, so an example in a doc comment is not an import. */
const withoutComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");

/** The relative specifiers one module imports, in the order they appear. */
export function specifiers(text: string): string[] {
  const code = withoutComments(text);
  const found: string[] = [];
  for (const pattern of SPECIFIERS) for (const m of code.matchAll(pattern)) if (m[1]) found.push(m[1]);
  return found.filter((s) => s.startsWith("."));
}

/** The source file a relative specifier names, or null (JSON, YAML, assets: not modules that import). */
function resolveFrom(file: string, spec: string): string | null {
  const base = resolve(dirname(file), spec);
  const candidates = [base, base.replace(/\.m?js$/, ".ts"), `${base}.ts`, `${base}.tsx`, join(base, "index.ts")];
  return candidates.find((c) => /\.(ts|tsx|mts|mjs)$/.test(c) && existsSync(c) && statSync(c).isFile()) ?? null;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : sources(path);
    return /\.(ts|tsx|mts|mjs)$/.test(e.name) && !e.name.endsWith(".d.ts") ? [path] : [];
  });
}

export type ImportGraph = Map<string, string[]>;

/** Each file under `root` (repo-relative) and the files it imports. */
export function importGraph(root = "src"): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const file of sources(join(repo, root))) {
    const targets = specifiers(readFileSync(file, "utf8"))
      .map((s) => resolveFrom(file, s))
      .filter((t): t is string => t !== null);
    graph.set(relative(repo, file), [...new Set(targets.map((t) => relative(repo, t)))]);
  }
  return graph;
}

/** The shortest chain of imports that leads from `file` back to itself (first and last entry `file`), or null. */
export function cycleThrough(graph: ImportGraph, file: string): string[] | null {
  const cameFrom = new Map<string, string>();
  const queue = [file];
  for (const at of queue) {
    for (const next of graph.get(at) ?? []) {
      if (next === file) {
        const path: string[] = [];
        for (let step = at; step !== file; step = cameFrom.get(step) ?? file) path.unshift(step);
        return [file, ...path, file];
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, at);
        queue.push(next);
      }
    }
  }
  return null;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2);
  const graph = importGraph();
  let found = false;
  for (const file of files.length ? files : ["src/config.ts"]) {
    const cycle = cycleThrough(graph, file);
    if (cycle) {
      found = true;
      console.log(`${file}: ${cycle.length - 1} files in a cycle: ${cycle.join(" → ")}`);
    } else console.log(`${file}: in no import cycle`);
  }
  process.exit(found ? 1 : 0);
}
