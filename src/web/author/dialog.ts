/**
 * The workspace's questions: a modal <dialog> (focus moves in and back, Esc
 * cancels, the rest of the page is inert while it is open) and the notice
 * that offers to undo what was just done.
 */
import type { Strings } from "../client/i18n";
import { h } from "../ui/dom";

export interface Ask {
  title: string;
  body?: string;
  confirm: string;
  danger?: boolean;
  /** Form fields shown in the dialog; their values are handed to `submit`. */
  fields?: HTMLElement[];
  /** Runs on confirm; a thrown error's message is shown in the dialog, which stays open. */
  submit?: (form: HTMLFormElement) => Promise<void> | void;
  /** Shown in the dialog when submit fails: by default the error's message. */
  explain?: (err: unknown, slot: HTMLElement) => void;
}

/** Resolves true once confirmed (and `submit` succeeded), false when cancelled. */
export function ask(t: Strings, question: Ask): Promise<boolean> {
  const opener = document.activeElement as HTMLElement | null;
  const problem = h("div", { class: "problem dialog-problem", role: "alert" });
  const ok = h("button", { type: "submit", class: question.danger ? "danger" : "", value: "ok" }, question.confirm);
  const cancel = h("button", { type: "button", class: "secondary", value: "cancel" }, t.ws.cancel);
  const form = h(
    "form",
    { method: "dialog" },
    h("h2", { id: "dialog-title" }, question.title),
    question.body ? h("p", { id: "dialog-body" }, question.body) : null,
    ...(question.fields ?? []),
    problem,
    h("div", { class: "actions" }, ok, cancel),
  );
  const dialog = h(
    "dialog",
    { class: "ws-dialog", "aria-labelledby": "dialog-title", "aria-describedby": question.body ? "dialog-body" : null },
    form,
  );
  document.body.append(dialog);
  return new Promise((resolve) => {
    let result = false;
    const close = () => {
      dialog.close();
      dialog.remove();
      opener?.focus();
      resolve(result);
    };
    cancel.addEventListener("click", close);
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      close();
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      ok.disabled = true;
      problem.replaceChildren();
      try {
        await question.submit?.(form);
        result = true;
        close();
      } catch (err) {
        if (question.explain) question.explain(err, problem);
        else problem.textContent = (err as Error).message;
        ok.disabled = false;
      }
    });
    dialog.showModal();
    (form.querySelector<HTMLElement>("input, select, textarea") ?? ok).focus();
  });
}

/** A labelled input for a dialog. */
export function field(id: string, label: string, input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  input.id = id;
  input.name = id;
  if (hint) input.setAttribute("aria-describedby", `${id}-hint`);
  return h("div", { class: "field" }, h("label", { for: id }, label), input, hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null);
}

/** Says what happened, with an Undo button while it stays. */
export function notify(region: HTMLElement, t: Strings, message: string, undo?: () => Promise<void>): void {
  const line = h("p", { class: "notice-line" }, h("span", {}, message));
  if (undo) {
    const button = h("button", { type: "button", class: "secondary undo" }, t.ws.undo);
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await undo();
        line.remove();
      } catch (err) {
        button.disabled = false;
        line.append(h("span", { class: "problem" }, ` ${(err as Error).message}`));
      }
    });
    line.append(" ", button);
  }
  region.replaceChildren(line);
}

/** A large modal view (the diff) with a Close button; `body` may be refilled while it is open. */
export function view(t: Strings, title: string, controls: HTMLElement[], body: HTMLElement): void {
  const opener = document.activeElement as HTMLElement | null;
  const close = h("button", { type: "button", class: "secondary", id: "close-view" }, t.ws.close);
  const dialog = h(
    "dialog",
    { class: "ws-dialog ws-view", "aria-labelledby": "view-title" },
    h("div", { class: "view-head" }, h("h2", { id: "view-title" }, title), ...controls, close),
    body,
  );
  const done = () => {
    dialog.close();
    dialog.remove();
    opener?.focus();
  };
  close.addEventListener("click", done);
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    done();
  });
  document.body.append(dialog);
  dialog.showModal();
  close.focus();
}
