/**
 * The author view at `/author`: edit a script with live diagnostics, run it
 * in a debug session and watch the position, the variables and the model
 * calls beside the chat. Needs an author token: in development the
 * "development sign-in" mints one; elsewhere one is handed in (#token=) or pasted.
 */
import sampleEn from "../../../scripts/sessions/intake_en.yaml";
import sampleZh from "../../../scripts/sessions/intake_zh.yaml";
import { ApiError, type Api } from "../client/api";
import type { Lang } from "../client/i18n";
import { adoptHandedToken, pageClient } from "../ui/auth";
import { byId, h } from "../ui/dom";
import { currentLang, setUpPage } from "../ui/layout";
import { signIn } from "../ui/sign-in";
import { openSession } from "../ui/session-starter";
import { DebugPanel, type TurnDebug } from "./debug-panel";
import { mountEditor } from "./editor";

const samples: Record<Lang, string> = { en: sampleEn, "zh-CN": sampleZh };
const DRAFT_KEY = "heartrule.author.draft";

adoptHandedToken();
const lang = currentLang();
const t = setUpPage(() => location.reload());
const { api, auth } = pageClient("author", false, lang);
const start = signIn(
  byId("signin"),
  api,
  auth,
  ["author", "admin"],
  {
    title: t.devSignIn,
    note: t.devSignInNote,
    devButton: t.devSignInAuthor,
    tokenLabel: t.tokenLabel,
    tokenUse: t.tokenUse,
    tokenUnreadable: t.tokenUnreadable,
    signInNeeded: t.signInNeeded,
    tokenRejected: t.tokenRejected,
    wrongRole: t.tokenWrongRole,
    signedInAs: t.signedInAs,
  },
  () => showEditor(),
);

function showEditor() {
  byId("author").hidden = false;
  const pane = byId("editor-pane");
  const body = h("div", {});
  const run = h("button", { type: "button", id: "run", disabled: true }, t.runDebug);
  const blocked = h("p", { class: "hint", id: "run-hint" }, t.runBlocked);
  const sample = h("button", { type: "button", class: "secondary", id: "load-sample" }, t.sampleScript);
  pane.replaceChildren(h("h2", { id: "editor-title" }, t.authorTitle), body, h("div", { class: "actions" }, run, sample), blocked);
  const editor = mountEditor(body, t, api, localStorage.getItem(DRAFT_KEY) ?? samples[lang], (valid) => {
    run.disabled = !valid;
    blocked.hidden = valid;
  });
  editor.textarea.addEventListener("input", () => localStorage.setItem(DRAFT_KEY, editor.value()));
  sample.addEventListener("click", () => {
    localStorage.removeItem(DRAFT_KEY);
    editor.setValue(samples[lang]);
  });
  run.addEventListener("click", async () => {
    if (!(await editor.checked())) return;
    run.disabled = true;
    const yaml = editor.value();
    try {
      const created = await api.startSession({ scriptYaml: yaml, debug: true });
      debugSession(created.sessionId, yaml, created);
    } catch (err) {
      blocked.hidden = false;
      blocked.textContent = `${t.errorStart} ${err instanceof ApiError ? `${err.detail} (${err.code})` : ""}`;
    } finally {
      run.disabled = false;
    }
  });
}

function debugSession(sessionId: string, yaml: string, created: Awaited<ReturnType<Api["startSession"]>>) {
  const pane = byId("debug-pane");
  byId("author").classList.add("running");
  pane.hidden = false;
  const chat = h("div", { class: "chat-area", id: "debug-chat" });
  const side = h("div", { class: "debug-side" });
  pane.replaceChildren(chat, side);
  const panel = new DebugPanel(side, t, yaml);
  // Turns can end faster than the variables arrive: only the newest answer is shown.
  let asked = 0;
  const refreshVariables = async () => {
    const mine = ++asked;
    try {
      const { scopes } = await api.variables(sessionId);
      if (mine === asked) panel.setScopes(scopes);
    } catch {
      // The next turn asks again; the chat goes on either way.
    }
  };
  const first = created.raw.debug as TurnDebug | undefined;
  if (first) panel.addTurn(first);
  if (created.raw.position) panel.setPosition(created.raw.position as TurnDebug["positions"][number]);
  void refreshVariables();
  const { session, focus } = openSession(chat, t, api, () => auth.token(), sessionId, created, { idPrefix: "debug" }, { language: lang });
  session.on("frame", (frame) => {
    if (frame.type === "debug") {
      panel.addTurn(frame as unknown as TurnDebug);
      void refreshVariables();
    } else if (frame.type === "state" && frame.position) panel.setPosition(frame.position as TurnDebug["positions"][number]);
  });
  focus();
}

void start();
