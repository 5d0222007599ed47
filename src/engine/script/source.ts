/**
 * YAML text → plain values plus a map from each path to where it was written.
 *
 * The `yaml` package keeps offsets on every node; we walk its document once,
 * building the plain value ourselves so each key and value gets a 1-based
 * line and column, and so alias expansion and nesting stay bounded (a YAML
 * "billion laughs" file must not exhaust the Worker).
 */
import { FOLDED_FIELDS, foldLines } from "./fold";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";

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

/** Limits that keep hostile input cheap: far above any real counseling script. */
export const MAX_NODES = 100_000;
export const MAX_DEPTH = 64;

export class TooComplexError extends Error {
  constructor(
    readonly reason: "nodes" | "depth",
    readonly at: Loc,
    readonly path: Segment[],
  ) {
    super(reason);
  }
}

export function formatPath(path: readonly Segment[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[\p{L}_][\p{L}\p{N}_]*$/u.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out || "(root)";
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

  set(path: readonly Segment[], entry: Entry): void {
    this.entries.set(formatPath(path), entry);
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

export interface ParsedSource {
  value: unknown;
  map: SourceMap;
  document: Document.Parsed;
}

/** Parses YAML text; syntax errors are on `document.errors` (value is then meaningless). */
export function parseSource(text: string): ParsedSource {
  const lines = new LineCounter();
  const document = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    keepSourceTokens: false,
  });
  const map = new SourceMap(text, lines);
  if (document.errors.length > 0) return { value: undefined, map, document };
  let budget = MAX_NODES;

  // `via`: where the outermost alias being expanded was written; limits are reported there.
  const walk = (node: unknown, path: Segment[], depth: number, key?: Loc, via?: Loc): unknown => {
    const n = node as Node | null;
    const at = n?.range ? map.loc(n.range[0]) : (key ?? { line: 1, column: 1 });
    if (--budget < 0) throw new TooComplexError("nodes", via ?? at, path);
    if (depth > MAX_DEPTH) throw new TooComplexError("depth", via ?? at, path);
    if (isAlias(n)) {
      map.set(path, { key, value: at });
      return walk(n.resolve(document), path, depth + 1, key, via ?? at);
    }
    if (isMap(n)) {
      map.set(path, { key, value: at });
      const out: Record<string, unknown> = {};
      for (const pair of n.items) {
        const k = pair.key as Node | null;
        const name = isScalar(k) ? String(k.value) : String(k);
        const keyLoc = k?.range ? map.loc(k.range[0]) : at;
        const childPath = [...path, name];
        // Map entries with no value (`content:`) still need a position.
        map.set(childPath, { key: keyLoc, value: keyLoc });
        out[name] = walk(pair.value, childPath, depth + 1, keyLoc, via);
      }
      return out;
    }
    if (isSeq(n)) {
      map.set(path, { key, value: at });
      return n.items.map((item, i) => walk(item, [...path, i], depth + 1, undefined, via));
    }
    if (isScalar(n)) {
      const range = n.range ? ([n.range[0], n.range[1]] as [number, number]) : undefined;
      const plain = n.type === "PLAIN" && typeof n.source === "string" ? n.source : undefined;
      map.set(path, { key, value: at, range, plain });
      const field = path.at(-1);
      if (n.type === "BLOCK_LITERAL" && typeof n.value === "string" && typeof field === "string" && FOLDED_FIELDS.has(field))
        return foldLines(n.value);
      return n.value;
    }
    return null;
  };

  return { value: walk(document.contents, [], 0), map, document };
}
