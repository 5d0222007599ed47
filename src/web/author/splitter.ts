/**
 * A pane divider (WAI-ARIA "window splitter"): drag it, or focus it and use
 * the arrow keys (Home/End for the limits). It sets a CSS length on `host`
 * (the width of the pane after it) and remembers it in this browser.
 */
import { h } from "../ui/dom";

const STEP = 24;

export function splitter(host: HTMLElement, cssVar: string, label: string, limits: { min: number; max: () => number; initial: number }): HTMLElement {
  const storeKey = `heartrule.author.${cssVar.replace(/^--/, "")}`;
  const bar = h("div", {
    class: "splitter",
    role: "separator",
    tabindex: 0,
    "aria-orientation": "vertical",
    "aria-label": label,
    "aria-valuemin": limits.min,
  });
  // The author's choice, kept as chosen; what is shown is it within the limits of the moment.
  let wanted = Number(localStorage.getItem(storeKey)) || limits.initial;
  let width = wanted;
  const render = () => {
    width = Math.round(Math.max(limits.min, Math.min(limits.max(), wanted)));
    host.style.setProperty(cssVar, `${width}px`);
    bar.setAttribute("aria-valuenow", String(width));
    bar.setAttribute("aria-valuemax", String(Math.round(limits.max())));
  };
  const apply = (next: number) => {
    wanted = Math.round(Math.max(limits.min, Math.min(limits.max(), next)));
    localStorage.setItem(storeKey, String(wanted));
    render();
  };
  // Until the host is laid out its width is 0 and the limits mean nothing; render again once it is.
  new ResizeObserver(render).observe(host);

  bar.addEventListener("keydown", (event) => {
    const moves: Record<string, number> = { ArrowLeft: width + STEP, ArrowRight: width - STEP, Home: limits.max(), End: limits.min };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    apply(next);
  });
  bar.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    bar.setPointerCapture(event.pointerId);
    const startX = event.clientX;
    const startWidth = width;
    const move = (e: PointerEvent) => apply(startWidth - (e.clientX - startX));
    const up = () => {
      bar.removeEventListener("pointermove", move);
      bar.removeEventListener("pointerup", up);
    };
    bar.addEventListener("pointermove", move);
    bar.addEventListener("pointerup", up);
  });
  return bar;
}
