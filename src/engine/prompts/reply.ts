/**
 * Reading the model's JSON replies. Real models wrap JSON in code fences,
 * think aloud in `<think>` blocks, put prose (with braces of its own) around
 * it, send a draft and then a correction, break off at the token limit, or
 * write JSON with literal newlines, unescaped quotes, Python literals,
 * single or full-width quotes. parseReply() finds the last object that
 * looks like a reply and has it repaired by `jsonrepair`, a maintained
 * library, instead of more hand-written parsing. ContentStream pulls the
 * user-visible `content` string out of a reply while it is still arriving,
 * so the first words reach the client early.
 */
import { jsonrepair } from "jsonrepair";
import { exitRequested } from "../variables/coerce";

export type Reply = Record<string, unknown>;

function isObject(v: unknown): v is Reply {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const THINK = /<(think|thinking|reasoning)>[\s\S]*?(?:<\/\1>|$)/gi;

/** The text without reasoning blocks (an unclosed one runs to the end: the reply broke off while thinking). */
export function withoutThinking(text: string): string {
  return text.replace(THINK, "");
}

/** Full-width colons and commas between JSON tokens, which jsonrepair does not read as syntax. */
function halfWidthSyntax(text: string): string {
  return text.replace(/(["”'])\s*：\s*/g, "$1:").replace(/(["”'\d\]}el])\s*，\s*(?=["“'])/g, "$1,");
}

/** After a string's real closing quote: the next key, the end of its object or array, or the end of the text. */
const CLOSES_VALUE = /^\s*(?:,\s*"[^"\n]{1,40}"\s*:|[}\]]|,?\s*$)/;
const CLOSES_ITEM = /^\s*(?:,|\]|$)/;
const LOOKAHEAD = 48;

/**
 * Escapes quotes a model left unescaped inside a string value
 * (`"content": "You said "I am fine", and…"`), which jsonrepair reads as the
 * string's end when a comma follows. A quote closes a value only where what
 * follows is the next key or the end of the object; keys are left alone.
 * One pass with a bounded look-ahead, so linear in the text.
 */
function innerQuotesEscaped(text: string): string {
  const containers: string[] = [];
  let out = "";
  let string: "key" | "value" | "item" | null = null;
  let afterColon = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (string) {
      if (c === "\\") {
        out += c + (text[i + 1] ?? "");
        i++;
      } else if (c === '"') {
        const rest = text.slice(i + 1, i + 1 + LOOKAHEAD);
        const closes = string === "key" || (string === "value" ? CLOSES_VALUE : CLOSES_ITEM).test(rest);
        out += closes ? c : '\\"';
        if (closes) string = null;
      } else out += c;
      continue;
    }
    if (c === '"') string = containers.at(-1) === "[" ? "item" : afterColon ? "value" : "key";
    else if (c === "{" || c === "[") containers.push(c);
    else if (c === "}" || c === "]") containers.pop();
    if (c === ":") afterColon = true;
    else if (c === "," || c === "{" || c === "}" || c === "[" || c === "]") afterColon = false;
    out += c;
  }
  return out;
}

function repaired(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // not strict JSON: the repairs below
  }
  for (const candidate of [text, halfWidthSyntax(text), innerQuotesEscaped(text)]) {
    try {
      return JSON.parse(jsonrepair(candidate));
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

/** An object from text, also when the object was encoded twice (a JSON string holding JSON). */
function objectFrom(text: string): Reply | null {
  const value = repaired(text);
  if (isObject(value)) return value;
  if (typeof value === "string" && value.trim().startsWith("{")) {
    const inner = repaired(value);
    return isObject(inner) ? inner : null;
  }
  return null;
}

interface Spans {
  /** Balanced top-level `{…}` spans, in order. */
  complete: string[];
  /** The text from an object that never closed (a reply cut off), if any. */
  open: string | null;
}

/** Top-level `{…}` spans of text, skipping braces inside double-quoted strings. */
function spans(text: string): Spans {
  const complete: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"' || c === "\n") inString = false; // a newline ends a string that forgot to close
    } else if (c === '"' && depth > 0) inString = true;
    else if (c === "{") {
      if (depth++ === 0) start = i;
    } else if (c === "}" && depth > 0 && --depth === 0) complete.push(text.slice(start, i + 1));
  }
  return { complete, open: depth > 0 ? text.slice(start) : null };
}

/** The key of `reply` that matches `key` ignoring case (`Content` for `content`), if any. */
function keyLike(reply: Reply, key: string): string | undefined {
  if (key in reply) return key;
  const lower = key.toLowerCase();
  return Object.keys(reply).find((k) => k.toLowerCase() === lower);
}

function looksLikeReply(reply: Reply, keys: readonly string[] | undefined): boolean {
  return !keys || keys.length === 0 || keys.some((k) => keyLike(reply, k) !== undefined);
}

/** The reply with the expected keys spelled as expected (a model's `Content` is `content`). */
function withExpectedKeys(reply: Reply, keys: readonly string[] | undefined): Reply {
  for (const key of keys ?? []) {
    const found = keyLike(reply, key);
    if (found !== undefined && found !== key) {
      reply[key] = reply[found];
      delete reply[found];
    }
  }
  return reply;
}

/** A reply read from a model's text; `cut`: it came from an object that never closed (the reply broke off). */
export interface ReadReply {
  reply: Reply;
  cut: boolean;
}

/**
 * Reads a model reply into an object, or null when nothing usable is in it.
 * `keys`: the keys a reply is expected to have; an object with none of them
 * (braces in prose, an example) is not taken for the reply. Of several
 * objects the last complete one wins (a draft, then a correction); an object
 * cut off at the end counts only when no complete one looks like a reply.
 */
export function readReply(text: string, keys?: readonly string[]): ReadReply | null {
  const visible = withoutThinking(text);
  const found = spans(visible);
  const whole = objectFrom(visible.trim());
  if (whole && looksLikeReply(whole, keys)) return { reply: withExpectedKeys(whole, keys), cut: found.open !== null && found.complete.length === 0 };
  for (let i = found.complete.length - 1; i >= 0; i--) {
    const reply = objectFrom(found.complete[i]!);
    if (reply && looksLikeReply(reply, keys)) return { reply: withExpectedKeys(reply, keys), cut: false };
  }
  if (found.open === null) return null;
  const cut = objectFrom(found.open);
  return cut && looksLikeReply(cut, keys) ? { reply: withExpectedKeys(cut, keys), cut: true } : null;
}

/** readReply() without saying whether the reply was cut off. */
export function parseReply(text: string, keys?: readonly string[]): Reply | null {
  return readReply(text, keys)?.reply ?? null;
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", '"': '"', "\\": "\\", "/": "/" };

/**
 * Incremental reader of the top-level `"content"` string of a JSON reply.
 * push() takes the next chunk and returns the newly decoded content text.
 * It also notes the top-level EXIT flag, for callers that only show content
 * when the action is not about to end.
 */
export class ContentStream {
  private buf = "";
  private pos = 0;
  private depth = 0;
  private mode: "code" | "key" | "string" | "content" | "literal" = "code";
  /** At depth 1, between a `:` and the start of the value. */
  private atValue = false;
  private key = "";
  private lastKey = "";
  /** Raw text of the top-level EXIT value while it is being read. */
  private capture: string | null = null;
  private contentSeen = false;
  /** The top-level EXIT flag once read; undefined while unknown. */
  exit: boolean | undefined;

  push(chunk: string): string {
    this.buf += chunk;
    const b = this.buf;
    let out = "";
    while (this.pos < b.length) {
      const c = b[this.pos]!;
      switch (this.mode) {
        case "content": {
          if (c === '"') {
            this.mode = "code";
            this.contentSeen = true;
            this.pos++;
            break;
          }
          if (c !== "\\") {
            out += c;
            this.pos++;
            break;
          }
          const decoded = this.escape(b);
          if (decoded === null) return out; // the escape is incomplete: wait for more
          out += decoded;
          break;
        }
        case "key":
        case "string": {
          if (c === "\\") {
            if (this.pos + 1 >= b.length) return out;
            if (this.mode === "key") this.key += b[this.pos + 1];
            this.pos += 2;
            break;
          }
          this.pos++;
          if (c !== '"') {
            if (this.mode === "key") this.key += c;
            else if (this.capture !== null) this.capture += c;
            break;
          }
          if (this.mode === "key") this.lastKey = this.key;
          else if (this.capture !== null) this.finishValue();
          this.mode = "code";
          break;
        }
        case "literal": {
          if (c === "," || c === "}" || c === "]" || c.trim() === "") {
            this.finishValue();
            this.mode = "code";
            break; // the delimiter is read again as code
          }
          if (this.capture !== null) this.capture += c;
          this.pos++;
          break;
        }
        case "code": {
          this.pos++;
          if (c === "{" || c === "[") {
            this.depth++;
            this.atValue = false;
          } else if (c === "}" || c === "]") this.depth--;
          else if (this.depth !== 1) {
            if (c === '"') this.mode = "string";
          } else if (c === ":") this.atValue = true;
          else if (c === ",") this.atValue = false;
          else if (c === '"') {
            if (!this.atValue) {
              this.mode = "key";
              this.key = "";
            } else if (this.lastKey === "content" && !this.contentSeen) this.mode = "content";
            else {
              this.mode = "string";
              this.capture = this.lastKey === "EXIT" ? "" : null;
            }
            this.atValue = false;
          } else if (this.atValue && c.trim() !== "") {
            this.mode = "literal";
            this.capture = this.lastKey === "EXIT" ? c : null;
            this.atValue = false;
          }
          break;
        }
      }
    }
    return out;
  }

  private finishValue(): void {
    if (this.capture !== null) this.exit = exitRequested(this.capture);
    this.capture = null;
  }

  /** Decodes the escape at pos, or returns null when the chunk ends inside it. */
  private escape(b: string): string | null {
    const next = b[this.pos + 1];
    if (next === undefined) return null;
    if (next !== "u") {
      this.pos += 2;
      return ESCAPES[next] ?? next;
    }
    if (this.pos + 6 > b.length) return null;
    const code = parseInt(b.slice(this.pos + 2, this.pos + 6), 16);
    if (code >= 0xd800 && code <= 0xdbff) {
      // Keep a surrogate pair in one delta so no delta holds half a character.
      if (this.pos + 12 > b.length) return null;
      const low = parseInt(b.slice(this.pos + 8, this.pos + 12), 16);
      this.pos += 12;
      return String.fromCharCode(code, low);
    }
    this.pos += 6;
    return String.fromCharCode(code);
  }
}
