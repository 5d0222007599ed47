/**
 * The file editor: a plain textarea with a line-number gutter (no editor
 * dependency), checked `delay` ms after the last keystroke (scripts by
 * POST /api/scripts/validate about 300 ms after it; other files by their
 * autosave). Diagnostics are listed as line:column and marked in the
 * gutter; choosing one puts the caret there.
 */
import type { Diagnostic } from "../client/api";
import type { Strings } from "../client/i18n";
import { h } from "../ui/dom";

export const VALIDATE_DEBOUNCE_MS = 300;

export interface Editor {
  readonly textarea: HTMLTextAreaElement;
  value(): string;
  setValue(text: string): void;
  /** Resolves once the current text has been checked: true when it has no errors. */
  checked(): Promise<boolean>;
  /** Puts the caret on a line (1-based) and scrolls it into view. */
  goToLine(line: number, column?: number): void;
}

export type Check = (text: string) => Promise<{ valid: boolean; diagnostics: Diagnostic[] }>;

export interface EditorOptions {
  label: string;
  check: Check;
  delay?: number;
  readOnly?: boolean;
  onResult: (valid: boolean) => void;
  onInput?: (text: string) => void;
}

export function mountEditor(container: HTMLElement, t: Strings, initial: string, options: EditorOptions): Editor {
  const { check, onResult, delay = VALIDATE_DEBOUNCE_MS } = options;
  const gutter = h("div", { class: "gutter", "aria-hidden": "true" });
  const textarea = h("textarea", {
    id: "yaml",
    wrap: "off",
    spellcheck: "false",
    autocapitalize: "off",
    autocomplete: "off",
    "aria-describedby": "editor-hint diag-summary",
    readonly: options.readOnly,
  });
  const summary = h("p", { id: "diag-summary", role: "status", class: "diag-summary" });
  const list = h("ul", { id: "diagnostics", class: "diagnostics", "aria-label": t.editorLabel });
  container.replaceChildren(
    h("label", { for: "yaml", class: "visually-hidden" }, options.label),
    h("p", { id: "editor-hint", class: "hint" }, t.editorHint),
    h("div", { class: "editor" }, gutter, textarea),
    summary,
    list,
  );

  let marks = new Map<number, Diagnostic["severity"]>();
  const renderGutter = () => {
    const count = textarea.value.split("\n").length;
    const rows: HTMLElement[] = [];
    for (let line = 1; line <= count; line++) {
      const severity = marks.get(line);
      rows.push(
        h(
          "div",
          { class: severity ? `ln ${severity}` : "ln", "data-line": line },
          severity === "error" ? "● " : severity === "warning" ? "▲ " : "",
          String(line),
        ),
      );
    }
    gutter.replaceChildren(...rows);
    gutter.scrollTop = textarea.scrollTop;
  };

  const goTo = (d: Pick<Diagnostic, "line" | "column">) => {
    const lines = textarea.value.split("\n");
    let offset = 0;
    for (let i = 0; i < d.line - 1 && i < lines.length; i++) offset += lines[i]!.length + 1;
    offset += Math.max(0, Math.min(d.column - 1, (lines[d.line - 1] ?? "").length));
    textarea.focus();
    textarea.setSelectionRange(offset, offset);
    const lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 20;
    textarea.scrollTop = Math.max(0, (d.line - 3) * lineHeight);
  };

  const show = (diagnostics: Diagnostic[]) => {
    marks = new Map();
    for (const d of diagnostics) if (marks.get(d.line) !== "error") marks.set(d.line, d.severity);
    renderGutter();
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    summary.textContent = diagnostics.length === 0 ? t.noProblems : t.problemCount(errors, diagnostics.length - errors);
    summary.dataset.state = errors ? "error" : diagnostics.length ? "warning" : "ok";
    list.replaceChildren(
      ...diagnostics.map((d) => {
        const where = h(
          "button",
          { type: "button", class: "link-button where", "aria-label": t.goToLine(d.line, d.column) },
          `${d.line}:${d.column}`,
        );
        where.addEventListener("click", () => goTo(d));
        return h(
          "li",
          { class: `diag ${d.severity}`, "data-line": d.line, "data-code": d.code },
          where,
          " ",
          h("span", { class: "severity" }, t.severity[d.severity]),
          " ",
          h("code", {}, d.code),
          " ",
          h("span", { class: "message" }, d.message),
          d.suggestion ? h("span", { class: "suggestion" }, d.suggestion) : null,
        );
      }),
    );
  };

  // One promise per stretch of edits: it settles with the check of the text as it stands after them.
  let timer: ReturnType<typeof setTimeout> | undefined;
  let generation = 0;
  let settled = true;
  let resolve: (valid: boolean) => void = () => {};
  let latest = Promise.resolve(false);
  const validate = async (mine: number) => {
    summary.textContent = t.checking;
    summary.dataset.state = "checking";
    let valid = false;
    try {
      const result = await check(textarea.value);
      if (mine !== generation) return;
      show(result.diagnostics);
      valid = result.valid;
    } catch (err) {
      if (mine !== generation) return;
      summary.textContent = (err as Error).message;
      summary.dataset.state = "error";
    }
    onResult(valid);
    settled = true;
    resolve(valid);
  };
  const schedule = (delay: number) => {
    const mine = ++generation;
    if (settled) {
      settled = false;
      latest = new Promise((r) => (resolve = r));
    }
    onResult(false);
    renderGutter();
    clearTimeout(timer);
    timer = setTimeout(() => void validate(mine), delay);
  };

  textarea.addEventListener("input", () => {
    options.onInput?.(textarea.value);
    schedule(delay);
  });
  textarea.addEventListener("scroll", () => (gutter.scrollTop = textarea.scrollTop));
  textarea.value = initial;
  schedule(0);

  return {
    textarea,
    value: () => textarea.value,
    setValue(text) {
      textarea.value = text;
      schedule(0);
    },
    checked: () => latest,
    goToLine: (line, column = 1) => goTo({ line, column }),
  };
}
