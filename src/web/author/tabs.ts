/**
 * A WAI-ARIA tab list: arrow keys move between tabs (automatic activation),
 * each tab shows its panel. Returns a function that selects a tab by key.
 */
import { h } from "../ui/dom";

export interface Tab {
  key: string;
  label: string;
  panel: HTMLElement;
  onShow?: () => void;
}

export function tabs(container: HTMLElement, label: string, list: Tab[]): (key: string) => void {
  const buttons = list.map((tab) =>
    h("button", { type: "button", role: "tab", id: `tab-${tab.key}`, "aria-controls": `panel-${tab.key}`, class: "tab" }, tab.label),
  );
  for (const [i, tab] of list.entries()) {
    tab.panel.id = `panel-${tab.key}`;
    tab.panel.setAttribute("role", "tabpanel");
    tab.panel.setAttribute("aria-labelledby", `tab-${tab.key}`);
    tab.panel.tabIndex = 0;
    buttons[i]!.addEventListener("click", () => select(tab.key));
    buttons[i]!.addEventListener("keydown", (event) => {
      const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: list.length - 1 }[event.key];
      if (to === undefined) return;
      event.preventDefault();
      const next = list[(to + list.length) % list.length]!;
      select(next.key);
      buttons[list.indexOf(next)]!.focus();
    });
  }
  function select(key: string) {
    for (const [i, tab] of list.entries()) {
      const on = tab.key === key;
      buttons[i]!.setAttribute("aria-selected", String(on));
      buttons[i]!.tabIndex = on ? 0 : -1;
      tab.panel.hidden = !on;
      if (on) tab.onShow?.();
    }
  }
  container.replaceChildren(h("div", { role: "tablist", "aria-label": label, class: "tablist" }, ...buttons), ...list.map((t) => t.panel));
  select(list[0]!.key);
  return select;
}
