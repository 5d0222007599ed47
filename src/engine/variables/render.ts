/**
 * Rendering placeholders. The syntax has one definition, the loader's
 * (script/placeholders.ts): `{x}`, `{{x}}` and `${x}` are equivalent and
 * matched in a single left-to-right pass, so `${x}` never becomes `$value`
 * (as upstream B3 rendered it) and text inserted for a placeholder (a variable's value, the client's
 * words) is never substituted again.
 *
 * A variable-like placeholder that does not resolve (a variable a skipped
 * branch would have set, an ai_think output that came back null) is left
 * out and its name reported to the caller, so no model and no client ever
 * reads `{会谈总结}`; braces around anything else (`{"detected": false}`,
 * `{a, b}`) are text and stay as written.
 *
 * Texts (action content, prompt templates) are split into literal and
 * placeholder pieces once and cached, so a step renders by concatenation.
 * Prompt templates also accept the upstream's `{%name%}` syntax.
 */
import { findPlaceholders, isVariableLike } from "../script/placeholders";
import type { JsonValue } from "../runtime/state";
import { wrappedText } from "./coerce";

export { renderPlaceholders } from "../script/placeholders";

/** A placeholder piece; `optional`: a name that is not variable-like, kept as written when nothing resolves it. */
type Piece = string | { name: string; raw: string; optional: boolean };

const MAX_CACHED = 2000;
const caches = { content: new Map<string, Piece[]>(), template: new Map<string, Piece[]>() };
export type TextKind = keyof typeof caches;

/** The upstream templates' system-variable syntax, `{%time%}`: read as `{{time}}` in templates. */
const UPSTREAM = /^%\s*(.+?)\s*%$/;

function piece(name: string, raw: string, kind: TextKind): Piece {
  const upstream = kind === "template" ? UPSTREAM.exec(name)?.[1] : undefined;
  if (upstream !== undefined && isVariableLike(upstream)) return { name: upstream, raw, optional: false };
  if (isVariableLike(name)) return { name, raw, optional: false };
  // In templates only variable-like names are placeholders (JSON examples stay text); in content any name may be a variable's.
  return kind === "template" ? raw : { name, raw, optional: true };
}

function pieces(text: string, kind: TextKind): Piece[] {
  const compiled = caches[kind];
  let hit = compiled.get(text);
  if (hit) return hit;
  hit = [];
  let at = 0;
  for (const p of findPlaceholders(text)) {
    if (p.index > at) hit.push(text.slice(at, p.index));
    hit.push(piece(p.name, p.raw, kind));
    at = p.index + p.raw.length;
  }
  if (at < text.length) hit.push(text.slice(at));
  // Texts come from scripts and templates: a bounded set in practice. The cap only guards against misuse.
  if (compiled.size >= MAX_CACHED) compiled.clear();
  compiled.set(text, hit);
  return hit;
}

/**
 * Fills the placeholders of `text` from `lookup`. A variable-like placeholder without a value is
 * left out and its name added to `missing` (once), for the caller's diagnostic.
 */
export function render(text: string, lookup: (name: string) => string | undefined, kind: TextKind = "content", missing?: string[]): string {
  let out = "";
  for (const p of pieces(text, kind)) {
    if (typeof p === "string") {
      out += p;
      continue;
    }
    const value = lookup(p.name);
    if (value !== undefined) out += value;
    else if (p.optional) out += p.raw;
    else if (missing && !missing.includes(p.name)) missing.push(p.name);
  }
  return out;
}

/**
 * How a variable's value reads inside text. null is missing. An object stands for the text it
 * wraps (`{"value": "叫我小林", "confidence": …}` reads as 叫我小林) and is missing when it wraps
 * none; a list reads as its items. Never JSON: that would put bookkeeping in front of a client.
 */
export function valueAsText(value: JsonValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (!Array.isArray(value)) return wrappedText(value);
  const items = value.flatMap((item) => valueAsText(item) ?? []);
  return items.length ? items.join(", ") : undefined;
}
