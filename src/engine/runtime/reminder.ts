/**
 * The AI reminder of a minor's session: every three hours of conversation the
 * client is told again, in the script's language, that they are talking with
 * an AI and may take a break (California SB 243 asks this of companion
 * chatbots talking with minors). The text is fixed here, never the model's.
 */
import type { Language } from "../script/schema";
import type { Turn } from "./turn";

/** Conversation time between reminders: from the session's start, then from the last reminder. */
export const AI_REMINDER_INTERVAL_MS = 3 * 60 * 60 * 1000;

export const aiReminderText: Record<Language, string> = {
  en: "A reminder: you are talking with an AI, not a person. It's okay to take a break.",
  "zh-CN": "温馨提示：你正在与 AI 交谈，而不是真人。随时可以休息一下。",
};

/** Shows the reminder ahead of this step's lines when the session is a minor's and it is due. */
export function remindIfDue(turn: Turn): void {
  const s = turn.state;
  const actionId = s.position.actionId;
  if (!s.minor || actionId === null) return;
  const now = turn.stepTime();
  if (now - Date.parse(s.minor.remindedAt) < AI_REMINDER_INTERVAL_MS) return;
  s.minor = { remindedAt: new Date(now).toISOString() };
  turn.show({
    id: turn.nextMessageId(),
    actionId,
    role: "assistant",
    content: aiReminderText[turn.language],
    metadata: { round: 0, reminder: "ai_disclosure" },
  });
}
