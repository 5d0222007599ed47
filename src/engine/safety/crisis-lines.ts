/**
 * The documented default crisis lines per locale and the lookup that picks a
 * locale's lines from a configured table and these defaults. No zod here
 * (types only, from ./resources.ts): the web client bundles this module as
 * its fallback when the server cannot be reached, and zod would multiply the
 * page's size.
 */
import type { CrisisResource, CrisisResourceTable } from "./resources";

export const defaultCrisisResources: CrisisResourceTable = {
  "en-US": [
    {
      name: "988 Suicide & Crisis Lifeline",
      kind: "crisis_line",
      phone: "988",
      text: "Text 988",
      chat: "https://988lifeline.org/chat/",
      hours: "24/7",
    },
    { name: "Crisis Text Line", kind: "crisis_line", text: "Text HOME to 741741", hours: "24/7" },
    { name: "Emergency services", kind: "emergency", phone: "911" },
  ],
  "en-GB": [
    { name: "Samaritans", kind: "crisis_line", phone: "116 123", hours: "24/7" },
    { name: "Shout", kind: "crisis_line", text: "Text SHOUT to 85258", hours: "24/7" },
    { name: "Emergency services", kind: "emergency", phone: "999" },
  ],
  "zh-CN": [
    { name: "全国心理援助热线", kind: "crisis_line", phone: "12356" },
    { name: "希望24热线", kind: "crisis_line", phone: "400-161-9995", hours: "24小时" },
    { name: "北京心理危机研究与干预中心", kind: "crisis_line", phone: "010-82951332", hours: "24小时" },
    { name: "急救电话", kind: "emergency", phone: "120" },
  ],
};

/** A bare language picks its usual region's table. */
const regionOf: Record<string, string> = { en: "en-US", zh: "zh-CN" };

/**
 * The resources for a locale: the configured table first, then the defaults;
 * the exact locale, then the language's usual region or any region of the
 * language; en-US when neither table has the language.
 */
export function crisisResourcesFor(locale: string | undefined, configured?: CrisisResourceTable): CrisisResource[] {
  const tables = configured ? [configured, defaultCrisisResources] : [defaultCrisisResources];
  const language = (locale ?? "").split("-")[0]?.toLowerCase() ?? "";
  // An exact locale first (a US client keeps 988 in a deployment that
  // configured en-GB); then a table's own entries for the client's language
  // beat another table's, so a deployment that configures en-GB is used for
  // an "en" script.
  for (const table of tables) {
    const exact = locale ? table[locale] : undefined;
    if (exact) return exact;
  }
  for (const table of tables) {
    const key = [regionOf[language], ...Object.keys(table).filter((k) => k.split("-")[0] === language)].find((k) => k && table[k]);
    if (key) return table[key] as CrisisResource[];
  }
  for (const table of tables) {
    const fallback = table["en-US"];
    if (fallback) return fallback;
  }
  return defaultCrisisResources["en-US"] as CrisisResource[];
}

/** One line per resource, e.g. "988 Suicide & Crisis Lifeline: 988 · Text 988 · https://988lifeline.org/chat/ (24/7)". */
export function describeCrisisResource(resource: CrisisResource): string {
  const ways = [resource.phone, resource.text, resource.chat].filter(Boolean).join(" · ");
  return `${resource.name}: ${ways}${resource.hours ? ` (${resource.hours})` : ""}`;
}
