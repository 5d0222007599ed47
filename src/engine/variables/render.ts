/**
 * Rendering placeholders. The syntax has one definition, the loader's
 * (script/placeholders.ts): `{x}`, `{{x}}` and `${x}` are equivalent and
 * matched in a single left-to-right pass, so `${x}` never becomes `$value`
 * (as upstream B3 rendered it) and text inserted for a placeholder (a variable's value, the client's
 * words in the chat history) is never substituted again. A placeholder whose
 * name does not resolve stays exactly as written.
 *
 * Texts (action content, prompt templates) are split into literal and
 * placeholder pieces once and cached, so a step renders by concatenation.
 * In prompt templates only variable-like names are placeholders, so the
 * JSON examples they contain (`{"detected": false}`) are plain text.
 */
import { findPlaceholders, isVariableLike } from "../script/placeholders";
import type { JsonValue } from "../runtime/state";

export { renderPlaceholders } from "../script/placeholders";

type Piece = string | { name: string; raw: string };

const MAX_CACHED = 2000;
const caches = { content: new Map<string, Piece[]>(), template: new Map<string, Piece[]>() };
export type TextKind = keyof typeof caches;

function pieces(text: string, kind: TextKind): Piece[] {
  const compiled = caches[kind];
  let hit = compiled.get(text);
  if (hit) return hit;
  hit = [];
  let at = 0;
  for (const p of findPlaceholders(text)) {
    if (kind === "template" && !isVariableLike(p.name)) continue;
    if (p.index > at) hit.push(text.slice(at, p.index));
    hit.push({ name: p.name, raw: p.raw });
    at = p.index + p.raw.length;
  }
  if (at < text.length) hit.push(text.slice(at));
  // Texts come from scripts and templates: a bounded set in practice. The cap only guards against misuse.
  if (compiled.size >= MAX_CACHED) compiled.clear();
  compiled.set(text, hit);
  return hit;
}

/** renderPlaceholders with the text's pieces cached: same result (for content), less work per call. */
export function render(text: string, lookup: (name: string) => string | undefined, kind: TextKind = "content"): string {
  let out = "";
  for (const p of pieces(text, kind)) out += typeof p === "string" ? p : (lookup(p.name) ?? p.raw);
  return out;
}

/** How a variable's value reads inside text. null counts as missing, so the placeholder stays visible. */
export function valueAsText(value: JsonValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}
