/**
 * The values templates are rendered with. Each template gets the common
 * values below plus its own (see templatePlaceholders); then the script's
 * variables, in one pass, so nothing inserted is substituted again.
 */
import type { ActionNode } from "../runtime/program";
import type { HistoryEntry, SessionState } from "../runtime/state";
import type { Language } from "../script/schema";
import { renderPlaceholders, valueAsText } from "../variables/render";
import { lookupVariable, textLookup } from "../variables/store";
import { bundledTemplate, phrases, type TemplateName } from "./templates";

/** Profile variables the ai_say prompt shows when set (the upstream's names plus English ones). */
const PROFILE = ["教育背景", "心理学知识", "学习风格", "认知特点", "情感特点", "词汇水平", "语言风格", "用户常用表达", "education", "learning_style"];

function firstText(state: SessionState, names: string[]): string | undefined {
  for (const name of names) {
    const v = valueAsText(lookupVariable(state, name));
    if (v) return v;
  }
  return undefined;
}

export function chatHistory(history: readonly HistoryEntry[], language: Language): string {
  const p = phrases(language);
  if (history.length === 0) return p.noHistory;
  const sep = language === "zh-CN" ? "：" : ": ";
  return history.map((h) => `${h.role === "user" ? p.client : p.counselor}${sep}${h.content}`).join("\n");
}

export function userProfile(state: SessionState, language: Language): string {
  const sep = language === "zh-CN" ? "：" : ": ";
  const lines: string[] = [];
  for (const name of PROFILE) {
    const v = valueAsText(lookupVariable(state, name));
    if (v) lines.push(`${name}${sep}${v}`);
  }
  return lines.length ? lines.join("\n") : phrases(language).noProfile;
}

export function commonValues(state: SessionState, node: ActionNode, language: Language, time: number): Record<string, string> {
  const p = phrases(language);
  return {
    time: new Date(time).toISOString(),
    who: firstText(state, ["咨询师名", "counselor_name"]) ?? p.defaultWho,
    user: firstText(state, ["用户名", "user_name"]) ?? p.defaultUser,
    chat_history: chatHistory(state.history, language),
    topic_goal: node.topic.topic_goal?.trim() || p.none,
    topic_strategy: node.topic.strategy?.trim() || p.none,
  };
}

/** Renders a template (the project's override, else the bundled one) with its values, then the script's variables. */
export function renderPrompt(
  name: TemplateName,
  language: Language,
  overrides: Partial<Record<TemplateName, string>> | undefined,
  values: Record<string, string>,
  state: SessionState,
): string {
  const template = overrides?.[name] ?? bundledTemplate(name, language);
  const variables = textLookup(state);
  return renderPlaceholders(template, (key) => (Object.hasOwn(values, key) ? values[key] : variables(key)));
}
