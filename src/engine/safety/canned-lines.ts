/**
 * The approved lines the output guard shows when a flagged line could not be
 * rewritten safely (the rewrite was flagged again, unusable or failed). They
 * cross no boundary, keep the conversation going gently and, when the model
 * saw crisis signs, point to people and crisis lines at once: the crisis
 * lines of the configured table for the script's language, else the
 * defaults, as the prompts' safety rules give them.
 */
import type { Language } from "../script/schema";
import { crisisResourcesFor, describeCrisisResource, type CrisisResource, type CrisisResourceTable } from "./resources";

const general: Record<Language, string> = {
  en: "I want to be careful with what I say here: questions like this are best looked at with a doctor or another qualified professional. I'm still here with you, though. What feels most important to talk about right now?",
  "zh-CN": "这里我想说得谨慎一些：这类问题更适合请医生或其他专业人士来帮你判断。不过我会一直在这里陪着你。你现在最想聊的是什么？",
};

const crisis: Record<Language, (lines: string, emergency: string) => string> = {
  en: (lines, emergency) =>
    `I'm concerned about your safety, and I want you to have support right now. Please reach out to someone you trust, or contact ${lines}.${emergency ? ` If you are in immediate danger, call ${emergency}.` : ""} I'm here with you. Are you safe right now?`,
  "zh-CN": (lines, emergency) =>
    `我很担心你的安全，希望你现在就能得到支持。请联系身边信任的人，或者联系${lines}。${emergency ? `如果有生命危险，请立即拨打${emergency}。` : ""}我会在这里陪着你。你现在安全吗？`,
};

function lines(resources: readonly CrisisResource[], language: Language): string {
  return resources
    .filter((r) => r.kind === "crisis_line")
    .map(describeCrisisResource)
    .join(language === "zh-CN" ? "；" : "; ");
}

/** The approved line for a language; with `inCrisis`, the one that gives the crisis lines of `configured` (or the defaults). */
export function cannedLine(language: Language, inCrisis: boolean, configured?: CrisisResourceTable): string {
  if (!inCrisis) return general[language];
  const resources = crisisResourcesFor(language, configured);
  const emergency = resources
    .filter((r) => r.kind === "emergency")
    .map((r) => r.phone ?? describeCrisisResource(r))
    .join(language === "zh-CN" ? "、" : " or ");
  return crisis[language](lines(resources, language), emergency);
}
