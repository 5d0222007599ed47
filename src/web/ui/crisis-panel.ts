/**
 * The crisis resources panel under the disclosure: the lines of the session's
 * language from the server (built-in defaults until it answers, or when it
 * cannot), opened prominently by a `safety` frame with crisis: true and again
 * after a reload of a session that was flagged. Its title and Close button
 * stay put while only the list scrolls; the danger line's button reopens it.
 */
import type { Api } from "../client/api";
import { crisisLinesFor } from "../client/crisis-resources";
import type { Strings } from "../client/i18n";
import { crisisResourcesFor } from "../../engine/safety/crisis-lines";
import type { CrisisResource } from "../../engine/safety/resources";
import { byId, h } from "./dom";

/** Whose lines the list shows: a late answer for another language is dropped. */
let shownLocale = "";

/** Builds the panel with the built-in lines of `locale` and wires its buttons. */
export function mountCrisisPanel(t: Strings, locale: string): void {
  const close = h("button", { type: "button", class: "secondary", id: "crisis-close" }, t.crisisClose);
  byId("crisis-panel").replaceChildren(
    h("div", { class: "crisis-head" }, h("h2", { id: "crisis-title" }, t.crisisTitle), close),
    h(
      "div",
      { class: "crisis-body", id: "crisis-body", tabindex: 0, "aria-labelledby": "crisis-title" },
      // The lines first: on a small screen they are what must show without scrolling.
      h("ul", { class: "crisis-lines", id: "crisis-lines" }),
      h("p", { id: "crisis-alert", class: "crisis-alert", hidden: true }, t.crisisAlert),
      h("p", {}, t.crisisIntro),
      h("p", {}, h("a", { href: "https://findahelpline.com", rel: "noopener noreferrer", target: "_blank" }, t.crisisFindLink)),
    ),
  );
  close.addEventListener("click", () => toggleCrisis(false));
  byId("crisis-toggle").addEventListener("click", () => toggleCrisis());
  renderLines(locale, crisisResourcesFor(locale), t);
}

/** Shows the lines for `locale` (a session's language): the server's once it answers. */
export async function showCrisisLinesFor(api: Api, locale: string, t: Strings): Promise<void> {
  // The built-in lines of that language meanwhile, never another language's.
  renderLines(locale, crisisResourcesFor(locale), t);
  const { resources } = await crisisLinesFor(api, locale);
  if (shownLocale === locale) renderLines(locale, resources, t);
}

function renderLines(locale: string, resources: CrisisResource[], t: Strings): void {
  shownLocale = locale;
  byId("crisis-lines").replaceChildren(...resources.map((r) => line(r, t)));
  byId("crisis-lines").setAttribute("lang", locale);
}

function line(resource: CrisisResource, t: Strings): HTMLLIElement {
  const ways: (Node | string)[] = [];
  if (resource.phone) ways.push(h("a", { href: `tel:${resource.phone.replace(/[^\d+]/g, "")}` }, resource.phone));
  if (resource.text) ways.push(resource.text);
  if (resource.chat) ways.push(h("a", { href: resource.chat, rel: "noopener noreferrer", target: "_blank" }, t.crisisChat));
  const between = ways.flatMap((way, i) => (i ? [" · ", way] : [way]));
  return h("li", { class: resource.kind }, h("strong", {}, resource.name), ": ", ...between, resource.hours ? ` (${resource.hours})` : null);
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
  byId("crisis-toggle").classList.add("flagged");
  const alert = byId("crisis-alert");
  alert.hidden = false;
  alert.setAttribute("role", "alert");
  toggleCrisis(true);
}

const MEMORY_KEY = "heartrule.session";

/** What the tab keeps of a session for the panel: its language, and whether it was flagged (so a reload opens the panel again). */
export const crisisMemory = {
  language(sessionId: string): string | null {
    return sessionStorage.getItem(`${MEMORY_KEY}.${sessionId}.language`);
  },
  setLanguage(sessionId: string, language: string): void {
    sessionStorage.setItem(`${MEMORY_KEY}.${sessionId}.language`, language);
  },
  flagged(sessionId: string): boolean {
    return sessionStorage.getItem(`${MEMORY_KEY}.${sessionId}.flagged`) === "1";
  },
  setFlagged(sessionId: string): void {
    sessionStorage.setItem(`${MEMORY_KEY}.${sessionId}.flagged`, "1");
  },
};
