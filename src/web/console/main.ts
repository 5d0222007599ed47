/**
 * The counselor console at `/console`: sign in, the live queue (the feed of
 * GET /api/counselor/queue/ws), and a session view: its transcript and flags,
 * take over / hand back / end, messages and typing both ways, all over the
 * session's own WebSocket with the counselor's token. `?session=<id>` (the
 * alert's link) opens that session at once.
 */
import { type Api, ApiError } from "../client/api";
import type { Strings } from "../client/i18n";
import { parseServerFrame, type ClientFrame } from "../client/protocol";
import { adoptHandedToken, pageClient } from "../ui/auth";
import { byId, h } from "../ui/dom";
import { currentLang, setUpPage } from "../ui/layout";

interface QueueEntry {
  sessionId: string;
  riskLevel: string;
  reason: string;
  status: string;
  language: string;
  scriptId: string;
  queuedAt: string;
  position: { topicId: string | null; actionId: string | null };
  counselorName: string | null;
}

adoptHandedToken();
const lang = currentLang();
const t = setUpPage(() => location.reload());
const { api, auth } = pageClient("counselor", false, lang);
const signin = byId("console-signin");
const grid = byId("console");
const queuePane = byId("queue-pane");
const sessionPane = byId("session-pane");

const wsUrl = (path: string, token: string) => {
  const url = new URL(path, location.origin);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("token", token);
  return url.toString();
};

function showSignIn(): void {
  const button = h("button", { type: "button", id: "console-dev-signin" }, t.consoleSignIn);
  const problem = h("p", { class: "problem", role: "alert", hidden: true });
  button.addEventListener("click", async () => {
    try {
      if (await auth.devSignIn()) return void start();
      problem.textContent = t.signInNeeded;
    } catch (err) {
      problem.textContent = err instanceof ApiError ? `${err.detail} (${err.code})` : String(err);
    }
    problem.hidden = false;
  });
  signin.replaceChildren(h("h2", { id: "console-signin-title" }, t.consoleTitle), h("p", {}, t.signInNeeded), button, problem);
}

async function start(): Promise<void> {
  const token = await auth.token();
  if (!token) return showSignIn();
  signin.hidden = true;
  grid.hidden = false;
  followQueue(token);
  const wanted = new URLSearchParams(location.search).get("session");
  if (wanted) void openSession(api, t, wanted);
}

function followQueue(token: string): void {
  const list = h("ul", { class: "queue", id: "queue-list" });
  const empty = h("p", { class: "hint", id: "queue-empty" }, t.consoleEmpty);
  queuePane.replaceChildren(h("h2", { id: "queue-title" }, t.consoleQueue), empty, list);
  let items: QueueEntry[] = [];
  const render = () => {
    empty.hidden = items.length > 0;
    list.replaceChildren(
      ...items.map((e) => {
        const waited = Math.max(0, Math.floor((Date.now() - Date.parse(e.queuedAt)) / 1000));
        const open = h("button", { type: "button", class: "secondary", "data-session": e.sessionId }, t.consoleOpen);
        open.addEventListener("click", () => void openSession(api, t, e.sessionId));
        return h(
          "li",
          { class: `queue-item risk-${e.riskLevel}`, "data-session": e.sessionId, "data-status": e.status },
          h("span", { class: "risk" }, e.riskLevel),
          h(
            "span",
            {},
            ` ${e.reason} · ${e.status}${e.counselorName ? ` (${e.counselorName})` : ""} · ${e.language} · ${e.scriptId} · ${e.position.topicId ?? ""}/${e.position.actionId ?? ""} · ${t.consoleWaiting(waited)} `,
          ),
          open,
        );
      }),
    );
  };
  const connect = () => {
    const ws = new WebSocket(wsUrl("/api/counselor/queue/ws", token));
    ws.addEventListener("message", (event) => {
      const frame = JSON.parse(String(event.data)) as { type: string; items?: QueueEntry[] };
      if (frame.type === "queue" && frame.items) items = frame.items;
      render();
    });
    ws.addEventListener("close", () => setTimeout(() => void auth.token().then((fresh) => fresh && followQueue(fresh)), 2000));
  };
  connect();
  setInterval(render, 5000);
}

let current: WebSocket | null = null;

async function openSession(api: Api, t: Strings, sessionId: string): Promise<void> {
  current?.close(1000, "another session");
  const token = await auth.token();
  if (!token) return showSignIn();
  sessionPane.hidden = false;
  const transcript = h("ol", { class: "transcript", id: "console-transcript", "aria-label": t.transcriptLabel });
  const flags = h("p", { class: "hint", id: "console-flags" });
  const status = h("p", { class: "handoff-status", role: "status", id: "console-status" });
  const typing = h("p", { class: "typing", "aria-live": "polite", id: "console-typing" });
  const problem = h("p", { class: "problem", role: "alert", id: "console-problem", hidden: true });
  const name = h("input", { id: "console-name", name: "name", maxlength: 60, autocomplete: "nickname" });
  name.value = localStorage.getItem("heartrule.counselorName") ?? "";
  const takeOver = h("button", { type: "button", id: "console-take-over" }, t.consoleTakeOver);
  const message = h("textarea", { id: "console-message", rows: 2, maxlength: 8000 });
  const send = h("button", { type: "submit", id: "console-send" }, t.consoleSend);
  const topic = h("input", { id: "console-topic", name: "topic", placeholder: t.consoleKeepPosition });
  const handBack = h("button", { type: "button", class: "secondary", id: "console-hand-back" }, t.consoleHandBack);
  const note = h("input", { id: "console-note", name: "note", maxlength: 8000 });
  const end = h("button", { type: "button", class: "secondary", id: "console-end" }, t.consoleEnd);
  const composer = h(
    "form",
    { class: "composer", id: "console-composer" },
    h("label", { for: "console-message" }, t.consoleMessage),
    h("div", { class: "composer-row" }, message, send),
  );
  const holding = h(
    "div",
    { id: "console-holding", hidden: true },
    composer,
    h("div", { class: "picker-row" }, h("label", { for: "console-topic" }, t.consoleTopic), topic, handBack),
    h("div", { class: "picker-row" }, h("label", { for: "console-note" }, t.consoleNote), note, end),
  );
  const joining = h("div", { class: "picker-row", id: "console-joining" }, h("label", { for: "console-name" }, t.consoleName), name, takeOver);
  sessionPane.replaceChildren(h("h2", { id: "session-title" }, sessionId), flags, transcript, typing, status, problem, joining, holding);

  const seen = new Set<number>();
  const add = (m: { seq: number; role: string; content: string }) => {
    if (seen.has(m.seq)) return;
    seen.add(m.seq);
    const who = m.role === "user" ? t.you : m.role === "counselor" ? t.counselor : t.assistant;
    transcript.append(
      h(
        "li",
        { class: `line ${m.role === "user" ? "user-seen" : m.role}`, "data-seq": String(m.seq) },
        h("span", { class: "who" }, `${who}: `),
        h("span", { class: "text" }, m.content),
      ),
    );
    transcript.lastElementChild?.scrollIntoView({ block: "nearest" });
  };
  try {
    const page = await api.request<{ items: { seq: number; role: string; content: string }[] }>(
      `/api/sessions/${encodeURIComponent(sessionId)}/messages?limit=200`,
    );
    for (const m of page.items) add(m);
    const info = await api.request<{ riskLevel: string; status: string }>(`/api/sessions/${encodeURIComponent(sessionId)}`);
    flags.textContent = `${t.consoleFlags}: ${info.riskLevel} · ${info.status}`;
  } catch (err) {
    problem.hidden = false;
    problem.textContent = err instanceof ApiError ? `${err.detail} (${err.code})` : String(err);
    return;
  }

  const ws = new WebSocket(wsUrl(`/api/sessions/${encodeURIComponent(sessionId)}/ws`, token));
  current = ws;
  const signal = (frame: ClientFrame) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(frame));
  let mine = false;
  ws.addEventListener("message", (event) => {
    const frame = parseServerFrame(String(event.data));
    if (!frame) return;
    if (frame.type === "message") {
      add(frame);
      if (frame.role === "user") typing.textContent = "";
    } else if (frame.type === "typing" && frame.role === "user") typing.textContent = frame.on ? t.typingClient : "";
    else if (frame.type === "handoff") {
      const held = frame.status === "held";
      mine = held && frame.counselorName === name.value.trim() && takeOver.disabled;
      holding.hidden = !mine;
      joining.hidden = mine || frame.status === "ended";
      status.textContent = held && !mine ? t.consoleReadOnly : frame.status;
    } else if (frame.type === "error") {
      problem.hidden = false;
      problem.textContent = `${frame.message} (${frame.code})`;
      takeOver.disabled = false;
    }
  });
  takeOver.addEventListener("click", () => {
    const displayName = name.value.trim();
    if (!displayName) return name.focus();
    localStorage.setItem("heartrule.counselorName", displayName);
    problem.hidden = true;
    takeOver.disabled = true;
    signal({ type: "take_over", displayName });
  });
  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const content = message.value.trim();
    if (!content) return;
    signal({ type: "counselor_message", content });
    signal({ type: "typing", on: false });
    message.value = "";
  });
  let lastTyping = 0;
  message.addEventListener("input", () => {
    if (Date.now() - lastTyping < 3000) return;
    lastTyping = Date.now();
    signal({ type: "typing", on: true });
  });
  handBack.addEventListener("click", () => {
    const topicId = topic.value.trim();
    signal(topicId ? { type: "hand_back", topicId } : { type: "hand_back" });
  });
  end.addEventListener("click", () => {
    const text = note.value.trim();
    if (!text) return note.focus();
    signal({ type: "end_session", note: text });
  });
}

void start();
