/**
 * The values templates are rendered with. Each template gets the common
 * values below plus its own (see templatePlaceholders); then the script's
 * variables, in one pass, so nothing inserted is substituted again.
 */
import type { ActionNode } from "../runtime/program";
import type { HistoryEntry, SessionState } from "../runtime/state";
import type { Language } from "../script/schema";
import { render } from "../variables/render";
import { bundledTemplate, phrases, type TemplateName } from "./templates";

/** Profile variables the ai_say prompt shows when set (the upstream's names plus English ones). */
const PROFILE = ["教育背景", "心理学知识", "学习风格", "认知特点", "情感特点", "词汇水平", "语言风格", "用户常用表达", "education", "learning_style"];

type Lookup = (name: string) => string | undefined;

/** The step's time as prompts show it: read once per step, so every prompt of a step says the same time. */
export interface PromptClock {
  isoTime(): string;
}

function firstText(variables: Lookup, names: string[]): string | undefined {
  for (const name of names) {
    const v = variables(name);
    if (v) return v;
  }
  return undefined;
}

function chatHistory(history: readonly HistoryEntry[], language: Language): string {
  const p = phrases(language);
  if (history.length === 0) return p.noHistory;
  const sep = language === "zh-CN" ? "：" : ": ";
  // Concatenation rather than map().join(): no array per prompt, and the text is only copied once, by whoever reads the prompt.
  let out = "";
  for (let i = 0; i < history.length; i++) {
    const h = history[i]!;
    if (i > 0) out += "\n";
    out += (h.role === "user" ? p.client : p.counselor) + sep + h.content;
  }
  return out;
}

function userProfile(variables: Lookup, language: Language): string {
  const sep = language === "zh-CN" ? "：" : ": ";
  const lines: string[] = [];
  for (const name of PROFILE) {
    const v = variables(name);
    if (v) lines.push(`${name}${sep}${v}`);
  }
  return lines.length ? lines.join("\n") : phrases(language).noProfile;
}

/**
 * The values every template may use, computed only when the template asks
 * for them (a project's template may not show the history, for instance).
 */
export function commonValues(state: SessionState, node: ActionNode, language: Language, clock: PromptClock, variables: Lookup): Lookup {
  const p = phrases(language);
  return (key) => {
    switch (key) {
      case "time":
        return clock.isoTime();
      case "who":
        return firstText(variables, ["咨询师名", "counselor_name"]) ?? p.defaultWho;
      case "user":
        return firstText(variables, ["用户名", "user_name"]) ?? p.defaultUser;
      case "chat_history":
        return chatHistory(state.history, language);
      case "topic_goal":
        return node.topic.topic_goal?.trim() || p.none;
      case "topic_strategy":
        return node.topic.strategy?.trim() || p.none;
      case "user_profile":
        return userProfile(variables, language);
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
  common: Lookup,
  variables: Lookup,
): string {
  const template = overrides?.[name] ?? bundledTemplate(name, language);
  return render(template, (key) => (Object.hasOwn(values, key) ? values[key] : (common(key) ?? variables(key))), "template");
}
