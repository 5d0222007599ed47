/**
 * The conversation on screen: transcript, one status line, the composer.
 * Used by the chat page and by the author view's debug session.
 *
 * Accessibility: the status is a polite live region with text (never colour
 * alone); AI text streams visually but only the completed message is
 * announced, through its own polite live region; Enter sends, Shift+Enter
 * adds a line, and nothing is sent while an input method is composing.
 */
import type { ChatSession } from "../client/chat-session";
import type { Line } from "../client/conversation";
import type { Strings } from "../client/i18n";
import type { ChatStatus } from "../client/status";
import { h } from "./dom";

export interface ChatViewOptions {
  /** Shown under the transcript once the conversation is completed. */
  onExport?: () => Promise<void>;
  onNewConversation?: () => void;
  /** Prefix for element ids, so two views could share a page. */
  idPrefix?: string;
}

export function mountChatView(container: HTMLElement, t: Strings, session: ChatSession, options: ChatViewOptions = {}): { focus(): void } {
  const id = (name: string) => `${options.idPrefix ?? "chat"}-${name}`;
  const statusText = h("span", { class: "status-text" });
  const status = h(
    "p",
    { class: "status", role: "status", id: id("status"), "data-status": "connecting" },
    h("span", { class: "status-mark", "aria-hidden": "true" }),
    statusText,
  );
  const retry = h("button", { type: "button", class: "secondary", id: id("retry"), hidden: true }, t.retry);
  const transcript = h("ol", { class: "transcript", id: id("transcript"), "aria-label": t.transcriptLabel });
  const announcer = h("div", { class: "visually-hidden", "aria-live": "polite", id: id("announcer") });
  // The server takes messages of up to 8000 characters.
  const input = h("textarea", { id: id("input"), name: "message", rows: 2, maxlength: 8000, "aria-describedby": id("hint"), autocomplete: "off" });
  const send = h("button", { type: "submit", id: id("send") }, t.send);
  const composer = h(
    "form",
    { class: "composer", id: id("composer") },
    h("label", { for: id("input") }, t.composerLabel),
    h("div", { class: "composer-row" }, input, send),
    h("p", { class: "hint", id: id("hint") }, t.composerHint),
  );
  const exportButton = h("button", { type: "button", id: id("export"), hidden: !options.onExport }, t.exportButton);
  const newButton = h("button", { type: "button", class: "secondary", id: id("new"), hidden: !options.onNewConversation }, t.newConversation);
  const done = h(
    "div",
    { class: "completed", id: id("completed"), hidden: true },
    h("p", {}, t.completedNote),
    h("div", { class: "actions" }, exportButton, newButton),
  );

  // The dock keeps the status and the composer on screen while the transcript scrolls.
  container.replaceChildren(transcript, announcer, h("div", { class: "dock" }, h("div", { class: "status-bar" }, status, retry), done, composer));

  // A turn's messages turn final together: each is added (not replacing the one before), so all are read.
  const announce = (text: string) => {
    announcer.append(h("p", {}, text));
    while (announcer.childElementCount > 3) announcer.firstElementChild!.remove();
  };
  const items = new Map<string, HTMLLIElement>();
  const follow = follower(transcript);
  const render = (line: Line) => {
    const atEnd = follow.atEnd();
    let li = items.get(line.key);
    if (!li) {
      li = h(
        "li",
        { class: `line ${line.role}` },
        h("span", { class: "who" }, `${line.role === "user" ? t.you : line.role === "counselor" ? t.counselor : t.assistant}: `),
        h("span", { class: "text" }),
        h("span", { class: "note" }),
      );
      items.set(line.key, li);
      transcript.append(li);
    }
    li.dataset.state = line.state;
    li.dataset.seq = line.seq === null ? "" : String(line.seq);
    li.querySelector(".text")!.textContent = line.content;
    li.querySelector(".note")!.textContent = line.state === "sending" ? ` (${t.sending})` : line.state === "failed" ? ` (${t.notSent})` : "";
    if (line.role !== "user" && line.state === "final") announce(line.content);
    if (atEnd) follow.toEnd();
  };
  // A line taken back (a discarded model attempt, a failed turn) leaves the screen; its replacement streams in as a new one.
  const remove = (line: Line) => {
    items.get(line.key)?.remove();
    items.delete(line.key);
  };
  for (const line of session.conversation.lines) render(line);
  session.conversation.onChange(({ kind, line }) => (kind === "removed" ? remove(line) : render(line)));

  const showStatus = (s: ChatStatus) => {
    status.dataset.status = s;
    statusText.textContent = s === "error" && session.error?.message ? `${t.status.error}: ${session.error.message}` : t.status[s];
    retry.hidden = s !== "error";
    const completed = s === "completed";
    composer.hidden = completed;
    done.hidden = !completed;
    if (completed) (options.onExport ? exportButton : newButton).focus();
  };
  showStatus(session.status);
  session.on("status", showStatus);

  retry.addEventListener("click", () => {
    session.retry();
    input.focus();
  });
  const submit = () => {
    const content = input.value.trim();
    if (!content) return;
    session.send(content);
    input.value = "";
    input.focus();
  };
  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  exportButton.addEventListener("click", () => void options.onExport?.());
  newButton.addEventListener("click", () => options.onNewConversation?.());
  return { focus: () => input.focus() };
}

/**
 * Follows new text only when the reader is at the end already (checked before
 * the text changes), never pulling them away from what they scrolled back to.
 * Instant, not smooth: streamed text grows faster than a smooth scroll settles.
 * A transcript that scrolls by itself also keeps its end in view when its box
 * shrinks (the crisis panel opening above it, the composer growing).
 */
function follower(transcript: HTMLElement) {
  // The chat page's and the author view's transcripts scroll by themselves; a page without that style scrolls the window.
  const own = () => getComputedStyle(transcript).overflowY === "auto";
  const atEnd = () =>
    own()
      ? transcript.scrollTop + transcript.clientHeight >= transcript.scrollHeight - 48
      : window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 48;
  const toEnd = () => (own() ? (transcript.scrollTop = transcript.scrollHeight) : window.scrollTo(0, document.documentElement.scrollHeight));
  let pinned = true;
  transcript.addEventListener("scroll", () => (pinned = atEnd()), { passive: true });
  new ResizeObserver(() => {
    if (pinned && own()) toEnd();
  }).observe(transcript);
  return {
    atEnd,
    toEnd: () => {
      toEnd();
      pinned = true;
    },
  };
}
