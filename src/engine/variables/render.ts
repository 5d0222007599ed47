/**
 * The one placeholder renderer. `{x}`, `{{x}}` and `${x}` are equivalent and
 * matched in a single left-to-right pass, so `${x}` never becomes `$value`
 * (upstream B3) and text inserted for a placeholder (a variable's value, the
 * client's own words in the chat history) is never substituted again.
 * A placeholder whose name does not resolve stays exactly as written.
 */
import type { JsonValue } from "../runtime/state";

const PLACEHOLDER = /\$\{([^{}]+)\}|\{\{([^{}]+)\}\}|\{([^{}]+)\}/g;

export type Lookup = (name: string) => string | undefined;

export function renderPlaceholders(text: string, lookup: Lookup): string {
  if (!text.includes("{")) return text;
  return text.replace(PLACEHOLDER, (raw, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c ?? "").trim();
    const value = name ? lookup(name) : undefined;
    return value === undefined ? raw : value;
  });
}

/** How a variable's value reads inside text. null counts as missing, so the placeholder stays visible. */
export function valueAsText(value: JsonValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}
