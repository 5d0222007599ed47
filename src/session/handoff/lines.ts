/**
 * What the session says about a handoff, in the script's language. Fixed text, never a model's: the
 * client must be told plainly who is there and, when nobody came, that nobody came.
 */
import { resourceVariables } from "../../engine/crisis/resource-line";
import type { Language } from "../../engine";
import type { CrisisResourceTable } from "../../engine/safety/resources";

const lines = {
  en: {
    joined: (name: string) => `A counselor, ${name}, has joined the conversation.`,
    handedBack: (name: string) => `${name} has handed the conversation back to the AI assistant.`,
    timedOut: (resources: string, emergency: string) =>
      `I'm sorry, no counselor is free to join right now. I'm still here with you, and you can talk to a trained person right now:\n\n${resources}\n\nIf you are in immediate danger, call ${emergency}.`,
  },
  "zh-CN": {
    joined: (name: string) => `咨询师 ${name} 已加入对话。`,
    handedBack: (name: string) => `${name} 已把对话交还给 AI 助手。`,
    timedOut: (resources: string, emergency: string) =>
      `很抱歉，现在没有咨询师能加入。我还在这里陪着你，你也可以马上联系专业的人：\n\n${resources}\n\n如果你现在有危险，请拨打 ${emergency}。`,
  },
} satisfies Record<Language, unknown>;

export const languageOf = (language: string | undefined): Language => (language === "en" ? "en" : "zh-CN");

export const joinedLine = (language: Language, name: string) => lines[language].joined(name);
export const handedBackLine = (language: Language, name: string) => lines[language].handedBack(name);

/** The timeout line with the crisis lines from configuration (the same ones the crisis protocol shows), and their table's locale. */
export function timedOutLine(language: Language, configured: CrisisResourceTable | undefined): { text: string; locale: string } {
  const { locale, crisis_resources, emergency_resources } = resourceVariables(language, configured);
  return { text: lines[language].timedOut(crisis_resources, emergency_resources), locale };
}
