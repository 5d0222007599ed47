/**
 * Reading the model's JSON replies. Models wrap JSON in code fences, add
 * prose around it or leave trailing commas; parseReply() copes with those.
 * ContentStream pulls the user-visible `content` string out of a reply while
 * it is still arriving, so the first words reach the client early.
 */
import { exitRequested } from "../variables/coerce";

export type Reply = Record<string, unknown>;

function isObject(v: unknown): v is Reply {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function tryParse(text: string): Reply | null {
  try {
    const v: unknown = JSON.parse(text);
    return isObject(v) ? v : null;
  } catch {
    return null;
  }
}

/** The first balanced `{…}` in text, skipping braces inside strings. */
function firstObject(text: string): string | null {
  const start = text.indexOf("{");
  if (start < 0) return null;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return text.slice(start, i + 1);
  }
  return null;
}

/** Drops trailing commas and `//` comments outside strings. */
function relax(json: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i]!;
    if (inString) {
      out += c;
      if (c === "\\") out += json[++i] ?? "";
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "/" && json[i + 1] === "/") {
      while (i < json.length && json[i] !== "\n") i++;
      out += "\n";
      continue;
    } else if (c === ",") {
      const rest = json.slice(i + 1).trimStart();
      if (rest.startsWith("}") || rest.startsWith("]")) continue;
    }
    out += c;
  }
  return out;
}

/** Parses a model reply into an object, or null when nothing usable is in it. */
export function parseReply(text: string): Reply | null {
  const direct = tryParse(text);
  if (direct) return direct;
  const trimmed = text.trim();
  const block = firstObject(trimmed);
  if (!block) return null;
  return tryParse(block) ?? tryParse(relax(block));
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
