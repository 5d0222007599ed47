/**
 * Rendering placeholders. The syntax has one definition, the loader's
 * (script/placeholders.ts): `{x}`, `{{x}}` and `${x}` are equivalent and
 * matched in a single left-to-right pass, so `${x}` never becomes `$value`
 * (B3) and text inserted for a placeholder (a variable's value, the client's
 * words in the chat history) is never substituted again. A placeholder whose
 * name does not resolve stays exactly as written.
 */
import type { JsonValue } from "../runtime/state";

export { renderPlaceholders } from "../script/placeholders";

/** How a variable's value reads inside text. null counts as missing, so the placeholder stays visible. */
export function valueAsText(value: JsonValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}
