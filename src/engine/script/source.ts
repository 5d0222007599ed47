/**
 * YAML text → plain values plus a map from each path to where it was written.
 *
 * The `yaml` package keeps offsets on every node; we walk its document once,
 * building the plain value ourselves so each key and value gets a 1-based
 * line and column, and so alias expansion and nesting stay bounded (a YAML
 * "billion laughs" file must not exhaust the Worker).
 */
import { FOLDED_FIELDS, foldLines } from "./fold";
import { type Alias, type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, visit, YAMLParseError } from "yaml";

export type Segment = string | number;

export interface Loc {
  line: number;
  column: number;
}

interface Entry {
  /** Where the key was written (map entries only). */
  key?: Loc;
  /** Where the value starts. */
  value: Loc;
  /** For scalars: the source range, to place a position inside the text. */
  range?: [number, number];
  /** For plain scalars: the text exactly as written (`1.0` stays `1.0`). */
  plain?: string;
}

/**
 * Limits that keep hostile input cheap: far above any real counseling script.
 * A written script has fewer values than characters, so the budget grows with
 * the text: aliases may repeat blocks, but the values the loader builds (and
 * everything after it checks) stay within a few per character written.
 */
export const MAX_NODES = 50_000;
export const NODES_PER_CHAR = 2;
export const MIN_NODES = 1_000;
export const MAX_DEPTH = 64;

/** How many values a text may expand to. */
export function nodeBudget(text: string): number {
  return Math.min(MAX_NODES, MIN_NODES + NODES_PER_CHAR * text.length);
}

export class TooComplexError extends Error {
  constructor(
    readonly reason: "nodes" | "depth",
    readonly at: Loc,
    readonly path: Segment[],
    /** The limit that was crossed. */
    readonly max: number,
  ) {
    super(reason);
  }
}

/** `prefix` (a formatted path, "" at the root) followed by one more segment. */
function appendSegment(prefix: string, seg: Segment): string {
  if (typeof seg === "number") return `${prefix}[${seg}]`;
  if (/^[\p{L}_][\p{L}\p{N}_]*$/u.test(seg)) return prefix ? `${prefix}.${seg}` : seg;
  return `${prefix}[${JSON.stringify(seg)}]`;
}

export function formatPath(path: readonly Segment[]): string {
  return path.reduce<string>(appendSegment, "") || "(root)";
}

export class SourceMap {
  private readonly entries = new Map<string, Entry>();
  private readonly aliases = new Map<string, string>();

  constructor(
    readonly text: string,
    private readonly lines: LineCounter,
  ) {}

  loc(offset: number): Loc {
    const { line, col } = this.lines.linePos(Math.max(0, Math.min(offset, this.text.length)));
    return { line, column: col };
  }

  /** `formatted`: the path as formatPath writes it, built a segment at a time by the walk (formatting whole paths again at every value costs their depth). */
  set(formatted: string, entry: Entry): void {
    this.entries.set(formatted || "(root)", entry);
  }

  /** Positions of `to` are those of `from` (a field the loader renamed or moved). */
  alias(to: readonly Segment[], from: readonly Segment[]): void {
    const key = formatPath(to);
    const source = formatPath(from);
    if (key !== source) this.aliases.set(key, source);
  }

  private find(path: readonly Segment[]): Entry | undefined {
    let key = formatPath(path);
    for (let hops = 0; hops < 8; hops++) {
      const found = this.entries.get(key);
      if (found) return found;
      const next = this.aliases.get(key);
      if (!next) break;
      key = next;
    }
    return undefined;
  }

  /** Nearest written position for `path`: the path itself, else its closest written ancestor. */
  private nearest(path: readonly Segment[]): { entry: Entry; exact: boolean } {
    for (let n = path.length; n >= 0; n--) {
      const entry = this.find(path.slice(0, n));
      if (entry) return { entry, exact: n === path.length };
    }
    return { entry: { value: { line: 1, column: 1 } }, exact: false };
  }

  /** Where the field's key is written (for "this field…" messages); missing fields point at their parent. */
  keyLoc(path: readonly Segment[]): Loc {
    const { entry } = this.nearest(path);
    return entry.key ?? entry.value;
  }

  /** Where the field's value starts (for "this value…" messages). */
  valueLoc(path: readonly Segment[]): Loc {
    const { entry, exact } = this.nearest(path);
    return exact ? entry.value : (entry.key ?? entry.value);
  }

  /** The plain-scalar source text of a value, if it was written as a plain scalar. */
  plainText(path: readonly Segment[]): string | undefined {
    return this.find(path)?.plain;
  }

  /**
   * Position of character `offset` of a string value. The text of a scalar
   * differs from its source by quotes, escapes, folding and indentation, so
   * this walks value and source side by side, skipping source characters
   * that are not in the value. If the walk does not land inside the scalar
   * (unusual escapes), the scalar's own start is the answer.
   */
  locInValue(path: readonly Segment[], value: string, offset: number): Loc {
    const entry = this.find(path);
    if (!entry?.range) return this.valueLoc(path);
    const [start, end] = entry.range;
    let j = start;
    const head = this.text[start];
    if (head === "|" || head === ">") {
      const nl = this.text.indexOf("\n", start);
      j = nl < 0 ? end : nl + 1;
    } else if (head === '"' || head === "'") {
      j = start + 1;
    }
    for (let i = 0; i < offset && i < value.length; i++) {
      while (j < end && this.text[j] !== value[i]) j++;
      if (j >= end) return entry.value;
      j++;
    }
    // At the very end of the text: just after its last character.
    if (offset >= value.length) return this.loc(j);
    while (j < end && this.text[j] !== value[offset]) j++;
    return j < end ? this.loc(j) : entry.value;
  }
}

/** What the walk cost: the work of the loader is bounded by `budget`, which is bounded by the text's length. */
export interface SourceWork {
  /** Nodes of the document as written (each visited once to resolve anchors). */
  written: number;
  /** Values built, aliases expanded. */
  built: number;
  budget: number;
}

export interface ParsedSource {
  value: unknown;
  map: SourceMap;
  document: Document.Parsed;
  work: SourceWork;
}

/**
 * One pass over the document as written: which node each alias stands for
 * (the last node with that anchor before it, YAML's rule) and which keys are
 * written twice in one map. The `yaml` package can do both, but its
 * `Alias.resolve` walks the whole document for every alias and its
 * `uniqueKeys` compares each key with every earlier key of its map: both turn
 * quadratic on a file of many aliases or keys.
 */
function indexDocument(document: Document.Parsed): { targets: Map<Alias, Node>; written: number } {
  const anchors = new Map<string, Node>();
  const targets = new Map<Alias, Node>();
  let written = 0;
  visit(document, {
    Node: (_key, node) => {
      written++;
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (target) targets.set(node, target);
        return;
      }
      if (node.anchor) anchors.set(node.anchor, node);
      if (!isMap(node)) return;
      const seen = new Set<unknown>();
      for (const { key } of node.items) {
        if (!isScalar(key)) continue;
        if (seen.has(key.value) && key.range)
          document.errors.push(new YAMLParseError([key.range[0], key.range[0] + 1], "DUPLICATE_KEY", "Map keys must be unique"));
        seen.add(key.value);
      }
    },
  });
  return { targets, written };
}

/** Parses YAML text; syntax errors are on `document.errors` (value is then meaningless). */
export function parseSource(text: string): ParsedSource {
  const lines = new LineCounter();
  const document = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    // Duplicate keys are found by indexDocument, in linear time.
    uniqueKeys: false,
    keepSourceTokens: false,
  });
  const map = new SourceMap(text, lines);
  const budget = nodeBudget(text);
  const { targets, written } = indexDocument(document);
  const work: SourceWork = { written, built: 0, budget };
  if (document.errors.length > 0) return { value: undefined, map, document, work };

  // `via`: where the outermost alias being expanded was written; limits are reported there.
  // `name`: `path` as formatPath writes it ("" at the root).
  const walk = (node: unknown, path: Segment[], name: string, depth: number, key?: Loc, via?: Loc): unknown => {
    const n = node as Node | null;
    const at = n?.range ? map.loc(n.range[0]) : (key ?? { line: 1, column: 1 });
    if (++work.built > budget) throw new TooComplexError("nodes", via ?? at, path, budget);
    if (depth > MAX_DEPTH) throw new TooComplexError("depth", via ?? at, path, MAX_DEPTH);
    if (isAlias(n)) {
      map.set(name, { key, value: at });
      return walk(targets.get(n), path, name, depth + 1, key, via ?? at);
    }
    if (isMap(n)) {
      map.set(name, { key, value: at });
      const out: Record<string, unknown> = {};
      for (const pair of n.items) {
        const k = pair.key as Node | null;
        const field = isScalar(k) ? String(k.value) : String(k);
        const keyLoc = k?.range ? map.loc(k.range[0]) : at;
        const childName = appendSegment(name, field);
        // Map entries with no value (`content:`) still need a position.
        map.set(childName, { key: keyLoc, value: keyLoc });
        out[field] = walk(pair.value, [...path, field], childName, depth + 1, keyLoc, via);
      }
      return out;
    }
    if (isSeq(n)) {
      map.set(name, { key, value: at });
      return n.items.map((item, i) => walk(item, [...path, i], appendSegment(name, i), depth + 1, undefined, via));
    }
    if (isScalar(n)) {
      const range = n.range ? ([n.range[0], n.range[1]] as [number, number]) : undefined;
      const plain = n.type === "PLAIN" && typeof n.source === "string" ? n.source : undefined;
      map.set(name, { key, value: at, range, plain });
      const field = path.at(-1);
      if (n.type === "BLOCK_LITERAL" && typeof n.value === "string" && typeof field === "string" && FOLDED_FIELDS.has(field))
        return foldLines(n.value);
      return n.value;
    }
    return null;
  };

  return { value: walk(document.contents, [], "", 0), map, document, work };
}
