/**
 * What every page shares: the language (browser's, or the person's pick),
 * the always-visible AI disclosure, and the crisis resources panel
 * (./crisis-panel.ts).
 */
import { langs, pickLang, strings, type Lang, type Strings } from "../client/i18n";
import { mountCrisisPanel } from "./crisis-panel";
import { byId } from "./dom";

const LANG_KEY = "heartrule.lang";

export function currentLang(): Lang {
  const chosen = localStorage.getItem(LANG_KEY);
  if (chosen && (langs as string[]).includes(chosen)) return chosen as Lang;
  return pickLang(navigator.languages?.length ? navigator.languages : [navigator.language]);
}

type TextKey = { [K in keyof Strings]: Strings[K] extends string ? K : never }[keyof Strings];

/** Translates the static page, wires the language picker and the crisis panel; returns the strings. */
export function setUpPage(onLanguageChange: () => void): Strings {
  const lang = currentLang();
  const t = strings[lang];
  document.documentElement.lang = lang;
  document.title = `${t.appName}${document.body.querySelector("main.author-page") ? ` · ${t.authorTitle}` : ""}`;
  for (const el of document.querySelectorAll<HTMLElement>("[data-i18n]")) el.textContent = t[el.dataset.i18n as TextKey];
  for (const el of document.querySelectorAll<HTMLElement>("[data-i18n-label]")) el.setAttribute("aria-label", t[el.dataset.i18nLabel as TextKey]);

  const select = byId<HTMLSelectElement>("lang-select");
  select.value = lang;
  select.addEventListener("change", () => {
    localStorage.setItem(LANG_KEY, select.value);
    onLanguageChange();
  });

  mountCrisisPanel(t, lang);
  return t;
}
