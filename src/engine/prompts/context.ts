/**
 * The values templates are rendered with. Each template gets the common
 * values below plus its own (see templatePlaceholders); then the script's
 * variables, in one pass, so nothing inserted is substituted again.
 *
 * A rendered template is the call's system message: instructions only. The
 * conversation goes in a user message of its own (conversationMessage), so
 * nothing the client types can pose as an instruction; `{{chat_history}}`
 * (the upstream's `{{chat}}`) says where it is.
 */
import type { ActionNode } from "../runtime/program";
import type { HistoryEntry } from "../runtime/state";
import type { CrisisResourceTable } from "../safety/resources";
import type { Language } from "../script/schema";
import { render } from "../variables/render";
import { safetyRules } from "./safety-rules";
import { bundledTemplate, phrases, upstreamNames, type TemplateName } from "./templates";
import { localTime, TIME_ZONE_VARIABLE } from "./time";

/** Profile variables the ai_say prompt shows when set (the upstream's names plus English ones). */
const PROFILE = ["教育背景", "心理学知识", "学习风格", "认知特点", "情感特点", "词汇水平", "语言风格", "用户常用表达", "education", "learning_style"];

type Lookup = (name: string) => string | undefined;

/** The step's clock, read once per step (ms since epoch), so every prompt of a step says the same time. */
export interface PromptClock {
  stepTime(): number;
}

/** What a deployment configures for prompts. */
export interface PromptSettings {
  crisisResources?: CrisisResourceTable | undefined;
}

function firstText(variables: Lookup, names: string[]): string | undefined {
  for (const name of names) {
    const v = variables(name);
    if (v) return v;
  }
  return undefined;
}

function transcript(history: readonly HistoryEntry[], language: Language): string {
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
export function commonValues(node: ActionNode, language: Language, clock: PromptClock, settings: PromptSettings, variables: Lookup): Lookup {
  const p = phrases(language);
  const common: Lookup = (key) => {
    switch (key) {
      case "time":
        return localTime(clock.stepTime(), language, variables(TIME_ZONE_VARIABLE));
      case "safety_rules":
        return safetyRules(language, settings.crisisResources);
      case "who":
        return firstText(variables, ["咨询师名", "counselor_name"]) ?? p.defaultWho;
      case "user":
        return firstText(variables, ["用户名", "user_name"]) ?? p.defaultUser;
      case "chat_history":
        return p.historyElsewhere;
      case "topic_goal":
        return node.topic.topic_goal?.trim() || p.none;
      case "topic_strategy":
        return node.topic.strategy?.trim() || p.none;
      case "user_profile":
        return userProfile(variables, language);
      default: {
        const modern = upstreamNames[key];
        return modern ? common(modern) : undefined;
      }
    }
  };
  return common;
}

/** The user message of every call: the conversation so far, newest last (the client's words go nowhere else). */
export function conversationMessage(history: readonly HistoryEntry[], language: Language): string {
  return `${phrases(language).historyHeading}\n${transcript(history, language)}`;
}

/**
 * Renders a template (the project's override, else the bundled one): its own values, the common
 * ones, then the script's variables. Placeholders nothing fills are left out and named in
 * `missing`. A template without `{{safety_rules}}` gets them in front: no template drops them.
 */
export function renderPrompt(
  name: TemplateName,
  language: Language,
  overrides: Partial<Record<TemplateName, string>> | undefined,
  values: Record<string, string>,
  common: Lookup,
  variables: Lookup,
  missing: string[],
): string {
  const template = overrides?.[name] ?? bundledTemplate(name, language);
  let safety = false;
  const text = render(
    template,
    (key) => {
      if (key === "safety_rules") safety = true;
      return Object.hasOwn(values, key) ? values[key] : (common(key) ?? variables(key));
    },
    "template",
    missing,
  );
  return safety ? text : `${common("safety_rules")}\n\n${text}`;
}
