/**
 * The values templates are rendered with. Each template gets the common
 * values below plus its own (see templatePlaceholders); then the script's
 * variables, in one pass, so nothing inserted is substituted again.
 */
import type { ActionNode } from "../runtime/program";
import type { HistoryEntry, SessionState } from "../runtime/state";
import type { Language } from "../script/schema";
import { render, valueAsText } from "../variables/render";
import { lookupVariable } from "../variables/store";
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

/**
 * The values every template may use, computed only when the template asks
 * for them (a project's template may not show the history, for instance).
 */
export function commonValues(state: SessionState, node: ActionNode, language: Language, now: () => number): (key: string) => string | undefined {
  const p = phrases(language);
  return (key) => {
    switch (key) {
      case "time":
        return new Date(now()).toISOString();
      case "who":
        return firstText(state, ["咨询师名", "counselor_name"]) ?? p.defaultWho;
      case "user":
        return firstText(state, ["用户名", "user_name"]) ?? p.defaultUser;
      case "chat_history":
        return chatHistory(state.history, language);
      case "topic_goal":
        return node.topic.topic_goal?.trim() || p.none;
      case "topic_strategy":
        return node.topic.strategy?.trim() || p.none;
      default:
        return undefined;
    }
  };
}

/** Renders a template (the project's override, else the bundled one): its own values, the common ones, then the script's variables. */
export function renderPrompt(
  name: TemplateName,
  language: Language,
  overrides: Partial<Record<TemplateName, string>> | undefined,
  values: Record<string, string>,
  common: (key: string) => string | undefined,
  variables: (key: string) => string | undefined,
): string {
  const template = overrides?.[name] ?? bundledTemplate(name, language);
  return render(template, (key) => (Object.hasOwn(values, key) ? values[key] : (common(key) ?? variables(key))));
}
