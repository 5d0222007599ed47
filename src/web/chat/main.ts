/**
 * The chat page at `/`: pick a published script (the sample preselected),
 * start a session, talk. A reload comes back to the same session.
 */
import { ApiError, type PublishedScript } from "../client/api";
import type { Strings } from "../client/i18n";
import { adoptHandedToken, pageClient } from "../ui/auth";
import { byId, h } from "../ui/dom";
import { currentLang, setUpPage } from "../ui/layout";
import { crisisMemory } from "../ui/crisis-panel";
import { activeSession, openSession } from "../ui/session-starter";

adoptHandedToken();
const lang = currentLang();
const t = setUpPage(() => location.reload());
const { api, auth } = pageClient("client", true, lang);
const picker = byId("picker");
const chat = byId("chat");

function label(script: PublishedScript): string {
  const name = script.sessionName ?? script.sessionId ?? script.path;
  return script.projectName === name ? name : `${script.projectName} — ${name}`;
}

/** The script in the page's language comes first; otherwise the first listed. */
function preferred(scripts: PublishedScript[]): number {
  const index = scripts.findIndex((s) => s.language === lang);
  return index === -1 ? 0 : index;
}

function showProblem(message: string, retry?: () => void) {
  const alert = h("p", { class: "problem", role: "alert" }, message);
  const children: Node[] = [alert];
  if (retry) {
    const button = h("button", { type: "button", class: "secondary" }, t.retry);
    button.addEventListener("click", retry);
    children.push(button);
  }
  picker.replaceChildren(h("h2", { id: "picker-title" }, t.pickTitle), ...children);
}

function describe(err: unknown, t: Strings): string {
  return err instanceof ApiError ? `${err.detail} (${err.code})` : t.errorStart;
}

async function showPicker() {
  chat.hidden = true;
  picker.hidden = false;
  picker.replaceChildren(h("h2", { id: "picker-title" }, t.pickTitle), h("p", { role: "status" }, t.pickLoading));
  let scripts: PublishedScript[];
  try {
    if (!(await auth.token())) return showProblem(t.signInNeeded);
    scripts = await api.publishedScripts();
  } catch (err) {
    return showProblem(describe(err, t), () => void showPicker());
  }
  if (scripts.length === 0) return showProblem(t.pickNone, () => void showPicker());

  const select = h("select", { id: "script-select", name: "script" }, ...scripts.map((s, i) => h("option", { value: String(i) }, label(s))));
  select.selectedIndex = preferred(scripts);
  const start = h("button", { type: "submit", id: "start" }, t.startButton);
  const status = h("p", { class: "hint", role: "status" });
  const form = h(
    "form",
    { class: "picker" },
    h("label", { for: "script-select" }, t.pickLabel),
    h("div", { class: "picker-row" }, select, start),
    status,
  );
  picker.replaceChildren(h("h2", { id: "picker-title" }, t.pickTitle), form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const script = scripts[select.selectedIndex]!;
    start.disabled = true;
    status.textContent = t.starting;
    try {
      const created = await api.startSession({ projectId: script.projectId, script: script.path });
      activeSession.set("chat", created.sessionId);
      crisisMemory.setLanguage(created.sessionId, script.language);
      show(created.sessionId, created);
    } catch (err) {
      start.disabled = false;
      status.textContent = `${t.errorStart} ${describe(err, t)}`;
    }
  });
  select.focus();
}

/** `info`: the session as GET /api/sessions/:id answered it on a reload. */
function show(sessionId: string, initial?: Parameters<typeof openSession>[5], info: Record<string, unknown> = {}) {
  picker.hidden = true;
  chat.hidden = false;
  const language = typeof info.language === "string" ? info.language : (crisisMemory.language(sessionId) ?? lang);
  const flagged = info.riskLevel === "high" || info.riskLevel === "imminent";
  const onNewConversation = () => {
    activeSession.clear("chat");
    location.reload();
  };
  const { focus } = openSession(chat, t, api, () => auth.token(), sessionId, initial, { onNewConversation }, { language, flagged });
  focus();
}

/** Back to the session this tab was in, if the server still has it for us. */
async function resume(sessionId: string) {
  let info: Record<string, unknown> = {};
  try {
    info = await api.request(`/api/sessions/${encodeURIComponent(sessionId)}`);
  } catch (err) {
    if (err instanceof ApiError && [401, 403, 404, 410].includes(err.status)) {
      activeSession.clear("chat");
      return showPicker();
    }
  }
  show(sessionId, undefined, info);
}

const resumed = activeSession.get("chat");
if (resumed) void resume(resumed);
else void showPicker();
