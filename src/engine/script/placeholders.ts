/**
 * The one definition of a placeholder, shared by the loader's checks and the
 * engine's renderer so both always agree on what `{name}` means.
 *
 * `{name}`, `{{name}}` and `${name}` are equivalent. The name is one or more
 * characters other than braces, trimmed. Matching is a single left-to-right
 * scan, so `${x}` is one placeholder (never `$` + `{x}`, which upstream bug B3 rendered as `$value`) and
 * `{{x}}` is one placeholder (never `{` + `{x}` + `}`).
 */

const PLACEHOLDER_SOURCE = String.raw`\$\{([^{}]+)\}|\{\{([^{}]+)\}\}|\{([^{}]+)\}`;

export interface PlaceholderMatch {
  /** The trimmed variable name. */
  name: string;
  /** The placeholder exactly as written, e.g. `{{ user_name }}`. */
  raw: string;
  /** Offset of `raw` in the text (UTF-16 code units). */
  index: number;
}

/** Every placeholder in `text`, in order. */
export function findPlaceholders(text: string): PlaceholderMatch[] {
  const found: PlaceholderMatch[] = [];
  for (const m of text.matchAll(new RegExp(PLACEHOLDER_SOURCE, "g"))) {
    const name = (m[1] ?? m[2] ?? m[3] ?? "").trim();
    if (name) found.push({ name, raw: m[0], index: m.index });
  }
  return found;
}

/** The distinct names the placeholders in `text` refer to, in first-use order. */
export function placeholderNames(text: string): string[] {
  return [...new Set(findPlaceholders(text).map((p) => p.name))];
}

/** The variable name when `text` is one placeholder and nothing else (`"{mood_score}"`), else undefined. */
export function singlePlaceholder(text: string): string | undefined {
  const found = findPlaceholders(text.trim());
  return found.length === 1 && found[0]!.raw === text.trim() && isVariableLike(found[0]!.name) ? found[0]!.name : undefined;
}

export type PlaceholderLookup = (name: string) => string | undefined;

/**
 * Replaces every placeholder whose name `lookup` resolves; a placeholder it
 * cannot resolve (returns undefined) stays in the text verbatim. One pass:
 * inserted values are never scanned again.
 */
export function renderPlaceholders(text: string, lookup: PlaceholderLookup): string {
  if (!text.includes("{")) return text;
  return text.replace(new RegExp(PLACEHOLDER_SOURCE, "g"), (raw, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c ?? "").trim();
    const value = name ? lookup(name) : undefined;
    return value === undefined ? raw : value;
  });
}

/**
 * Whether a placeholder name looks like a variable reference rather than
 * literal text that happens to sit between braces (a JSON example such as
 * `{"score": 3}`, a set notation `{a, b}`): letters of any script, digits,
 * `_`, `-`, `.` and inner spaces only. The loader warns about undefined
 * variables only for such names, so braces in prose never produce noise.
 */
export function isVariableLike(name: string): boolean {
  return /^[\p{L}\p{N}_][\p{L}\p{M}\p{N}_ .-]*$/u.test(name);
}

/**
 * Names the engine itself provides to author text, beyond the script's own
 * variables, initial variables and project globals. None today: the prompt
 * templates' system values (time, chat history…) are not placeholders in
 * `content`. The loader's undefined-variable check reads this list.
 */
export const SYSTEM_VARIABLES: readonly string[] = [];
