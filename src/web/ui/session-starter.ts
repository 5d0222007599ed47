/**
 * Opens a session on the page: the reconnecting socket, the chat view, the
 * crisis panel on `safety` frames, and the tab's memory of the session so a
 * reload (or a language switch) comes back to the same conversation.
 */
import type { Api, CreatedSession } from "../client/api";
import { ChatSession } from "../client/chat-session";
import type { Strings } from "../client/i18n";
import { mountChatView, type ChatViewOptions } from "./chat-view";
import { mountCounselorBar } from "./counselor-bar";
import { download } from "./dom";
import { crisisMemory, showCrisis, showCrisisLinesFor } from "./crisis-panel";

export interface OpenedSession {
  session: ChatSession;
  focus(): void;
}

export function openSession(
  container: HTMLElement,
  t: Strings,
  api: Api,
  token: () => Promise<string | null>,
  sessionId: string,
  initial: Pick<CreatedSession, "messages" | "status"> | undefined,
  view: Omit<ChatViewOptions, "onExport"> = {},
  /** The session's language (its script's), whose crisis lines the panel lists; `flagged`: the server already saw a crisis in it. */
  crisis: { language: string; flagged?: boolean },
): OpenedSession {
  void showCrisisLinesFor(api, crisis.language, t);
  if (crisis.flagged || crisisMemory.flagged(sessionId)) showCrisis();
  const session = new ChatSession({
    address: async () => {
      const current = await token();
      if (!current) throw new Error("signed out");
      return api.socketAddress(sessionId, current);
    },
    ...(initial ? { initial } : {}),
  });
  session.on("frame", (frame) => {
    if (frame.type === "safety" && frame.crisis) {
      crisisMemory.setFlagged(sessionId);
      showCrisis();
    }
  });
  const onExport = async () => {
    const blob = await api.exportSession(sessionId);
    const extension = blob.type.includes("markdown") ? "md" : blob.type.includes("json") ? "json" : "txt";
    download(blob, `heartrule-${sessionId}.${extension}`);
  };
  const { focus } = mountChatView(container, t, session, { ...view, onExport });
  mountCounselorBar(container, t, session, crisis.flagged === true || crisisMemory.flagged(sessionId));
  session.connect();
  return { session, focus };
}

const ACTIVE_KEY = "heartrule.activeSession";

/** The session this tab is in, so a reload resumes it instead of starting over. */
export const activeSession = {
  get(scope: string): string | null {
    return sessionStorage.getItem(`${ACTIVE_KEY}.${scope}`);
  },
  set(scope: string, sessionId: string): void {
    sessionStorage.setItem(`${ACTIVE_KEY}.${scope}`, sessionId);
  },
  clear(scope: string): void {
    sessionStorage.removeItem(`${ACTIVE_KEY}.${scope}`);
  },
};
