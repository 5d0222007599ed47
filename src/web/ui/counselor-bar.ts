/**
 * The client's side of a handoff on the chat page: where it stands (a counselor asked for, here, not
 * free, gone), the counselor's typing, a button to ask for a counselor once the session was flagged,
 * and the client's own typing sent to the counselor who holds the session.
 */
import type { ChatSession } from "../client/chat-session";
import type { Strings } from "../client/i18n";
import { h } from "./dom";

/** A typing signal is sent at most this often, and "stopped" after this long without a key. */
const TYPING_MS = 3000;

export function mountCounselorBar(container: HTMLElement, t: Strings, session: ChatSession, flagged: boolean): void {
  const status = h("p", { class: "handoff-status", role: "status", id: "handoff-status" });
  const typing = h("p", { class: "typing", "aria-live": "polite", id: "handoff-typing" });
  const ask = h("button", { type: "button", class: "secondary", id: "ask-counselor", hidden: !flagged }, t.askCounselor);
  let holding = false;
  /** Asked for already (by the client, the risk or the script): the button goes. */
  let queued = false;
  ask.addEventListener("click", () => {
    session.signal({ type: "request_counselor" });
    ask.hidden = true;
  });
  // The status and typing take room only once a counselor is or was there (the crisis panel needs the room before);
  // the button sits in the status row, which is there anyway.
  const bar = h("div", { class: "handoff", hidden: true }, status, typing);
  const dock = container.querySelector(".dock") ?? container;
  dock.prepend(bar);
  (container.querySelector(".status-bar") ?? dock).append(ask);

  const input = container.querySelector("textarea");
  let last = 0;
  let stop: ReturnType<typeof setTimeout> | undefined;
  input?.addEventListener("input", () => {
    if (!holding) return;
    if (Date.now() - last > TYPING_MS) {
      last = Date.now();
      session.signal({ type: "typing", on: true });
    }
    clearTimeout(stop);
    stop = setTimeout(() => {
      last = 0;
      session.signal({ type: "typing", on: false });
    }, TYPING_MS);
  });

  session.on("frame", (frame) => {
    if (frame.type === "safety" && frame.crisis && !holding && !queued) ask.hidden = false;
    if (frame.type === "typing" && frame.role === "counselor") typing.textContent = frame.on ? t.typingCounselor : "";
    if (frame.type === "message" && frame.role === "counselor") typing.textContent = "";
    if (frame.type !== "handoff") return;
    queued = frame.status !== "none";
    bar.hidden = frame.status === "none" || frame.status === "waiting";
    holding = frame.status === "held";
    const text: Record<string, string> = {
      held: t.handoffHeld(frame.counselorName ?? t.counselor),
      timed_out: t.handoffTimedOut,
      returned: t.handoffReturned,
    };
    status.textContent = text[frame.status] ?? "";
    if (queued) ask.hidden = true;
    if (!holding) typing.textContent = "";
  });
}
