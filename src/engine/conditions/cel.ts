/**
 * The one CEL environment conditions are parsed and run in, for the loader's
 * checks and the engine alike.
 *
 * Bounded: an expression has at most MAX_CONDITION_NODES parts and nests at
 * most MAX_CONDITION_DEPTH levels. cel-js parses `a || b || c …` in a loop but
 * type-checks and evaluates it recursively, so a few thousand terms overflow
 * the stack; real conditions have a handful of parts.
 *
 * `matches()` runs in linear time: CEL specifies RE2 regular expressions,
 * while cel-js runs them with the backtracking `RegExp`, where a pattern
 * such as `^(a+)+$` takes time exponential in the length of the answer it is
 * matched against. cel-js does not let an environment replace a built-in
 * function, so every `x.matches(p)` in a parsed expression is pointed at
 * MATCHES_RE2, the same function on `re2js` (a pure-JS port of RE2).
 */
import { Environment, type ASTNode, type ParseResult } from "@marcbachmann/cel-js";
import { RE2JS } from "re2js";

export const MAX_CONDITION_NODES = 1000;
export const MAX_CONDITION_DEPTH = 100;

/** What `matches` is renamed to in a parsed expression. */
export const MATCHES_RE2 = "matches_re2";

/** The limit a condition crossed, and where (0-based offset in the expression). */
export class ConditionLimitError extends Error {
  constructor(
    readonly limit: "nodes" | "depth",
    readonly max: number,
    readonly offset: number,
  ) {
    super(limit === "nodes" ? `more than ${max} parts` : `nested more than ${max} levels deep`);
  }
}

const patterns = new Map<string, RE2JS>();
const MAX_CACHED_PATTERNS = 256;

/** Compiles an RE2 pattern (cached: a script uses a few, over and over); throws on syntax RE2 does not have. */
export function compilePattern(pattern: string): RE2JS {
  let re = patterns.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern);
    if (patterns.size >= MAX_CACHED_PATTERNS) patterns.delete(patterns.keys().next().value!);
    patterns.set(pattern, re);
  }
  return re;
}

const environment = new Environment({
  unlistedVariablesAreDyn: true,
  limits: { maxAstNodes: MAX_CONDITION_NODES, maxDepth: MAX_CONDITION_DEPTH },
}).registerFunction(`string.${MATCHES_RE2}(string): bool`, (value: string, pattern: string) => {
  let re: RE2JS;
  try {
    re = compilePattern(pattern);
  } catch (err) {
    throw new Error(`invalid regular expression (RE2 syntax): ${(err as Error).message.split("\n")[0]}`);
  }
  return re.test(value);
});

/** The child nodes of a node, whatever its kind (calls hold them in nested lists). */
function children(node: ASTNode): ASTNode[] {
  const out: ASTNode[] = [];
  const add = (arg: unknown): void => {
    if (Array.isArray(arg)) for (const a of arg) add(a);
    else if (arg !== null && typeof arg === "object" && "op" in arg && "args" in arg) out.push(arg as ASTNode);
  };
  add(node.args);
  return out;
}

/**
 * Parses a condition within the limits, with `matches` on RE2. Throws cel-js's
 * parse error, or ConditionLimitError. The tree is walked without recursion,
 * since its depth is what is being checked.
 */
export function parseCondition(expression: string): ParseResult {
  let program: ParseResult;
  try {
    program = environment.parse(expression);
  } catch (err) {
    const e = err as { code?: unknown; range?: { start: number } };
    if (e.code === "limit_exceeded") {
      const depth = /maxDepth/.test((err as Error).message);
      throw new ConditionLimitError(depth ? "depth" : "nodes", depth ? MAX_CONDITION_DEPTH : MAX_CONDITION_NODES, e.range?.start ?? 0);
    }
    throw err;
  }
  const stack: [ASTNode, number][] = [[program.ast, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > MAX_CONDITION_DEPTH) throw new ConditionLimitError("depth", MAX_CONDITION_DEPTH, node.start);
    if (node.op === "rcall" && node.args[0] === "matches" && node.args[2].length === 1) node.args[0] = MATCHES_RE2;
    for (const child of children(node)) stack.push([child, depth + 1]);
  }
  return program;
}
