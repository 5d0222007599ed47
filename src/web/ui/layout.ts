/**
 * What every page shares: the language (browser's, or the person's pick),
 * the always-visible AI disclosure, and the crisis resources panel that a
 * `safety` frame with crisis: true opens prominently.
 */
import { langs, pickLang, strings, type Lang, type Strings } from "../client/i18n";
import { byId, clear, h } from "./dom";

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

  renderCrisisPanel(t);
  byId("crisis-toggle").addEventListener("click", () => toggleCrisis());
  return t;
}

function renderCrisisPanel(t: Strings) {
  const panel = byId("crisis-panel");
  clear(panel);
  panel.append(
    h("h2", { id: "crisis-title" }, t.crisisTitle),
    h("p", { id: "crisis-alert", class: "crisis-alert", hidden: true }, t.crisisAlert),
    h("p", {}, t.crisisIntro),
    h("ul", {}, ...t.crisisItems.map((item) => h("li", {}, item))),
    h("p", {}, h("a", { href: "https://findahelpline.com", rel: "noopener noreferrer", target: "_blank" }, t.crisisFindLink)),
    h("button", { type: "button", class: "secondary", id: "crisis-close" }, t.crisisClose),
  );
  byId("crisis-close").addEventListener("click", () => toggleCrisis(false));
}

export function toggleCrisis(open?: boolean): void {
  const panel = byId("crisis-panel");
  const toggle = byId("crisis-toggle");
  const show = open ?? panel.hidden;
  panel.hidden = !show;
  toggle.setAttribute("aria-expanded", String(show));
  if (!show) {
    panel.classList.remove("urgent");
    byId("crisis-alert").hidden = true;
    toggle.focus();
  }
}

/** The server flagged a crisis: open the resources prominently and announce them. */
export function showCrisis(): void {
  const panel = byId("crisis-panel");
  panel.classList.add("urgent");
  const alert = byId("crisis-alert");
  alert.hidden = false;
  alert.setAttribute("role", "alert");
  toggleCrisis(true);
  panel.scrollIntoView({ block: "nearest" });
}
