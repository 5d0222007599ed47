/**
 * The client's local time as prompts show it (`{{time}}`): in the time zone
 * of the session's `time_zone` variable (an IANA name such as
 * `Asia/Shanghai`, given when the session starts), else the script
 * language's default. A model told the UTC time greets a client in Beijing
 * at 5 p.m. with "good morning".
 */
import type { Language } from "../script/schema";

/** The variable that holds the client's time zone. */
export const TIME_ZONE_VARIABLE = "time_zone";

/** Chinese scripts are for clients in China (one time zone); English ones have no single zone, so UTC, said as such. */
export const defaultTimeZones: Record<Language, string> = { "zh-CN": "Asia/Shanghai", en: "UTC" };

const formats = new Map<string, Intl.DateTimeFormat | null>();

function format(language: Language, timeZone: string): Intl.DateTimeFormat | null {
  const key = `${language} ${timeZone}`;
  let f = formats.get(key);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat(language === "zh-CN" ? "zh-CN" : "en-US", {
        timeZone,
        weekday: "long",
        year: "numeric",
        month: "long",
        day: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
        timeZoneName: "shortOffset",
      });
    } catch {
      f = null; // not a time zone this runtime knows
    }
    if (formats.size > 500) formats.clear();
    formats.set(key, f);
  }
  return f;
}

/**
 * The IANA name of the time zone `name` stands for (`asia/shanghai` → `Asia/Shanghai`), or undefined
 * when it is not one the runtime knows. Offsets (`+08:00`) are not time zones: they ignore daylight saving.
 */
export function canonicalTimeZone(name: string): string | undefined {
  if (name.trim() === "" || /^[+-]/.test(name.trim())) return undefined;
  return format("en", name.trim())?.resolvedOptions().timeZone;
}

/** `at` (ms since epoch) in the client's time zone, e.g. "2026年1月1日星期四 17:00 GMT+8 (Asia/Shanghai)". */
export function localTime(at: number, language: Language, timeZone: string | undefined): string {
  const zone = timeZone && format(language, timeZone) ? timeZone : defaultTimeZones[language];
  return `${format(language, zone)!.format(at)} (${zone})`;
}
