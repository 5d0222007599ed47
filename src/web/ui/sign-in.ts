/**
 * The sign-in of the pages that need a role (the author view, /ops): the token the page
 * has, checked with GET /api/auth/me; otherwise a "development sign-in" button and a field
 * to paste a token. `onSignedIn` runs once a token of an allowed role is in hand.
 */
import { ApiError, type Api, type Role } from "../client/api";
import type { PageAuth } from "./auth";
import { h } from "./dom";

export interface SignInTexts {
  title: string;
  note: string;
  devButton: string;
  tokenLabel: string;
  tokenUse: string;
  tokenUnreadable: string;
  signInNeeded: string;
  tokenRejected: (detail: string) => string;
  wrongRole: (role: string) => string;
  signedInAs: (id: string, role: string) => string;
}

export function signIn(
  el: HTMLElement,
  api: Api,
  auth: PageAuth,
  allowed: Role[],
  t: SignInTexts,
  onSignedIn: (me: { id: string; role: Role }) => void,
): () => Promise<void> {
  /** `pasted`: the token was just pasted, so a refusal is explained rather than silently asking again. */
  async function start(pasted = false): Promise<void> {
    let me: { id: string; role: Role } | null = null;
    try {
      if (await auth.token()) me = await api.me();
    } catch (err) {
      if (!(err instanceof ApiError && (err.status === 401 || err.status === 403))) throw err;
      auth.signOut();
      return ask(pasted ? t.tokenRejected(`${err.detail} (${err.code})`) : undefined);
    }
    if (me && !allowed.includes(me.role)) {
      auth.signOut();
      return ask(t.wrongRole(me.role));
    }
    if (!me) return ask();
    el.classList.remove("card");
    el.replaceChildren(h("p", { class: "hint", id: "signed-in" }, t.signedInAs(me.id, me.role)));
    onSignedIn(me);
  }

  function ask(problem?: string): void {
    const dev = h("button", { type: "button", id: "dev-signin" }, t.devButton);
    const token = h("input", { id: "token-input", type: "password", autocomplete: "off" });
    const use = h("button", { type: "submit", class: "secondary" }, t.tokenUse);
    const form = h("form", { class: "token-form" }, h("label", { for: "token-input" }, t.tokenLabel), h("div", { class: "picker-row" }, token, use));
    el.replaceChildren(
      h("h2", { id: "signin-title" }, t.title),
      h("p", { class: "hint" }, t.note),
      ...(problem ? [h("p", { class: "problem", role: "alert" }, problem)] : []),
      dev,
      form,
    );
    dev.addEventListener("click", async () => {
      if (!(await auth.devSignIn())) return ask(t.signInNeeded);
      void start();
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!token.value.trim()) return;
      if (!auth.useToken(token.value.trim())) return ask(t.tokenUnreadable);
      void start(true);
    });
  }

  return start;
}
