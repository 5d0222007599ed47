import type { Context } from "hono";
import { accepts } from "hono/accepts";

export type MessageLanguage = "en" | "zh-CN";

/**
 * The language of diagnostics and other messages written for people: zh-CN when
 * the best-ranked language the client accepts is any `zh` tag, English otherwise.
 * One rule for every route, so an author sees the same language everywhere.
 */
export function messageLanguage(c: Context): MessageLanguage {
  return accepts(c, {
    header: "Accept-Language",
    supports: ["en", "zh-CN"],
    default: "en",
    match: (ranked) => {
      const best = ranked
        .filter((a) => a.q > 0)
        .sort((a, b) => b.q - a.q)
        .find((a) => /^(zh|en)(-|$)/i.test(a.type));
      return best && /^zh/i.test(best.type) ? "zh-CN" : "en";
    },
  }) as MessageLanguage;
}
