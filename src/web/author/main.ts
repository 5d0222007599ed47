/**
 * The author view at `/author`: the workspace (./workspace.ts) of the
 * author's projects, and a debug session of the open script with the
 * position, the variables and the model calls beside the chat. Needs an
 * author token: in development the "development sign-in" mints one;
 * elsewhere one is handed in (#token=) or pasted.
 */
import type { Api } from "../client/api";
import { adoptHandedToken, pageClient } from "../ui/auth";
import { byId, h } from "../ui/dom";
import { currentLang, setUpPage } from "../ui/layout";
import { signIn } from "../ui/sign-in";
import { openSession } from "../ui/session-starter";
import { DebugPanel, type TurnDebug } from "./debug-panel";
import { mountWorkspace, type Workspace } from "./workspace";

adoptHandedToken();
const lang = currentLang();
const t = setUpPage(() => location.reload());
const { api, auth } = pageClient("author", false, lang);
let workspace: Workspace;
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
  (me) => {
    byId("author").hidden = false;
    workspace = mountWorkspace(t, api, lang, me.role === "admin", async (yaml) => {
      const created = await api.startSession({ scriptYaml: yaml, debug: true });
      debugSession(created.sessionId, yaml, created);
    });
  },
);

function debugSession(sessionId: string, yaml: string, created: Awaited<ReturnType<Api["startSession"]>>) {
  const pane = workspace.showDebug();
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
