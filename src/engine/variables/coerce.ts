/**
 * Reading what a model returns as the type an output entry declares.
 *
 * Models type values however they like: a score comes back as `3`, `"3"`,
 * `"3分"`, `"三"` or `"3/10"`; a yes/no as `true`, `"是"`, `"Yes"` or `1`.
 * Conditions compare typed values, so every value is normalised here before
 * it is stored; a value that cannot be read as the declared type is missing
 * (`undefined`), never stored as something a condition would misread.
 *
 * Also reads the model's `EXIT` flag, which is the same yes/no question.
 */
import type { OutputField } from "../script/schema";
import type { JsonValue } from "../runtime/state";

const TRUE = new Set(["true", "yes", "y", "1", "是", "是的", "对", "有", "真"]);
const FALSE = new Set(["false", "no", "n", "0", "否", "不是", "不", "没有", "无", "假"]);

/** Full-width forms to ASCII (NFKC: `３` → `3`, `Ｙｅｓ` → `Yes`), trimmed and lower-cased, trailing punctuation dropped. */
function normalised(text: string): string {
  return text
    .normalize("NFKC")
    .trim()
    .toLowerCase()
    .replace(/[\s.!?。！？,，;；]+$/u, "");
}

/** A yes/no in any of the spellings models use; undefined when it is neither. */
export function readBoolean(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value === 1 ? true : value === 0 ? false : undefined;
  if (typeof value !== "string") return undefined;
  const word = normalised(value);
  if (TRUE.has(word)) return true;
  if (FALSE.has(word)) return false;
  return undefined;
}

/** Whether the model's EXIT (or exit) flag says to end the action: only a clear yes does. */
export function exitRequested(value: unknown): boolean {
  return readBoolean(value) === true;
}

const CHINESE_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const ENGLISH_NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

/** 零 … 九十九 (the range of scores and counts people say aloud). */
function chineseNumber(text: string): number | undefined {
  const m = /^([一二两三四五六七八九]?)(十?)([零〇一二两三四五六七八九]?)$/u.exec(text);
  if (!m || text === "") return undefined;
  const [, tens = "", ten = "", units = ""] = m;
  // Without 十 the one digit lands in the first group (or the last, for 零/〇).
  if (ten === "") return tens === "" || units === "" ? CHINESE_DIGITS[tens || units] : undefined;
  return (tens === "" ? 1 : CHINESE_DIGITS[tens]!) * 10 + (units === "" ? 0 : CHINESE_DIGITS[units]!);
}

/** The first number a value states: `3`, `"3"`, `"3分"`, `"3/10"`, `"三"`, `"three"`, `"３"`. */
export function readNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string") return undefined;
  const text = normalised(value);
  const digits = /-?\d+(?:\.\d+)?/.exec(text);
  if (digits) return Number(digits[0]);
  const chinese = /[零〇一二两三四五六七八九十]+/u.exec(text);
  if (chinese) {
    const n = chineseNumber(chinese[0]);
    if (n !== undefined) return n;
  }
  const word = /[a-z]+/.exec(text);
  const index = word ? ENGLISH_NUMBERS.indexOf(word[0]) : -1;
  return index >= 0 ? index : undefined;
}

/** A value worth keeping: not null, not an empty or blank string. */
export function hasValue(v: unknown): v is JsonValue {
  return v !== undefined && v !== null && !(typeof v === "string" && v.trim() === "");
}

/** The text an object stands for when a model wraps a value (`{"value": "叫我小林", "confidence": …}`). */
export function wrappedText(value: { [k: string]: JsonValue } | JsonValue[]): string | undefined {
  if (Array.isArray(value)) return undefined;
  for (const key of ["value", "text", "content", "answer"]) {
    const inner = value[key];
    if (typeof inner === "string" || typeof inner === "number" || typeof inner === "boolean") return String(inner);
  }
  return undefined;
}

function asText(value: unknown): string | undefined {
  if (typeof value === "string") return value.trim() === "" ? undefined : value.trim();
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object" && value !== null) return wrappedText(value as { [k: string]: JsonValue });
  return undefined;
}

/** Matches an enum value ignoring case and full/half width; returns the value as the author wrote it. */
function readEnum(value: unknown, values: readonly string[]): string | undefined {
  const text = asText(value);
  if (text === undefined) return undefined;
  const wanted = normalised(text);
  return values.find((v) => normalised(v) === wanted);
}

/**
 * The value to store for an output, read as its declared type (default
 * `text`); undefined when the model gave none or one that is not of that type.
 */
export function coerceOutput(field: Pick<OutputField, "type" | "values">, value: unknown): JsonValue | undefined {
  switch (field.type ?? "text") {
    case "text":
      return asText(value);
    case "number":
      return readNumber(typeof value === "object" && value !== null ? asText(value) : value);
    case "integer": {
      const n = readNumber(typeof value === "object" && value !== null ? asText(value) : value);
      return n !== undefined && Number.isInteger(n) ? n : undefined;
    }
    case "boolean":
      return readBoolean(typeof value === "object" && value !== null ? asText(value) : value);
    case "enum":
      return readEnum(value, field.values ?? []);
  }
}
