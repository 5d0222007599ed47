/**
 * Prompt templates: the bundled set (one per language, versioned with the
 * engine) and the names a project overrides them by (template schemes).
 *
 * A template is plain text with placeholders in the same syntax as scripts:
 * `{{name}}` (or `{name}`, `${name}`) where name is variable-like (letters,
 * digits, `_`), so JSON examples in braces stay text. Rendering is a single
 * pass: first the values below, then the script's variables (e.g.
 * `{{用户称呼}}`); a placeholder nothing fills is left out (and reported as a
 * diagnostic). The upstream's templates run as they are: its `{%name%}`
 * syntax and its names (`{{chat}}`, `{{ai_role}}`) are filled too. Every
 * template must ask for one JSON object and should place `{{safety_rules}}`
 * (a template without it gets them in front; validateTemplate warns).
 */
import { zhCN, zhCNText } from "./zh-CN";
import { en, enText } from "./en";
import type { Language } from "../script/schema";

export const templateNames = ["ai_say", "ai_ask", "ai_think", "extract", "ai_say_paraphrase", "rewrite"] as const;
export type TemplateName = (typeof templateNames)[number];

const common = {
  time: "The client's local date and time, with its time zone (the session's time_zone, else the script language's default).",
  safety_rules:
    "The safety section: the rules, that they take precedence over all other instructions, and the crisis lines configured for the script's language. Added in front when a template lacks it.",
  who: "Who the AI is: the variable 咨询师名 or counselor_name, else a default.",
  user: "How to refer to the client: the variable 用户名 or user_name, else a default.",
  chat_history: "Where the conversation is: it is sent as the call's user message (one turn per line), never inside the instructions.",
  topic_goal: "The current topic's topic_goal.",
  topic_strategy: "The current topic's strategy.",
  user_profile: "Known profile variables (教育背景, 学习风格, …), one `name: value` per line.",
} as const;

/** Placeholders each template can use, with what they hold. Required ones are marked. */
export const templatePlaceholders: Record<TemplateName, Record<string, string>> = {
  ai_say: {
    ...common,
    topic_content: "Required. The action's content with variables filled in.",
    tone: "The action's tone, or the default for ai_say.",
    current_round: "This round (1-based).",
    max_rounds: "The action's max_rounds.",
    exit: "The action's exit condition, or a note that there is none.",
    understanding_threshold: "exit_criteria.understanding_threshold, default 80.",
  },
  ai_say_paraphrase: {
    ...common,
    topic_content: "Required. The action's content with variables filled in.",
    tone: "The action's tone, or the default for ai_say.",
  },
  ai_ask: {
    ...common,
    task: "Required. The action's content (the questioning task) with variables filled in.",
    tone: "The action's tone, or the default for ai_ask.",
    current_round: "This question's number (1-based).",
    max_rounds: "The action's max_rounds (default 3).",
    exit: "The action's exit condition, or the default.",
    reprompt:
      "Empty, except when the action has `reprompts` and this is its 2nd, 3rd … question: then a section (starting on a new line) with the author's guidance for asking again, and why: the client's last reply was empty, or (the same call reads the answer) in case it does not answer the question.",
    output_list: 'Required when the action has output. One JSON line per output variable: `"name": "define",`.',
  },
  ai_think: {
    ...common,
    task: "Required. The action's content with variables filled in.",
    output_list: "Required. One JSON line per output variable.",
    known_variables: "The variables visible to the action, one `name: value` per line.",
  },
  extract: {
    ...common,
    output_list: "Required. One JSON line per variable still to extract.",
  },
  rewrite: {
    ...common,
    problem:
      "Required. Which safety boundaries the draft line crossed (diagnosis, prescription, guarantee, harmful advice), in words. The draft itself is sent after the conversation in the user message.",
  },
};

/** The upstream's names for engine values (its ai_ask template's `{{chat}}`, …) → the engine's. */
export const upstreamNames: Readonly<Record<string, string>> = { chat: "chat_history", ai_role: "who" };

const required: Record<TemplateName, string[]> = {
  ai_say: ["topic_content"],
  ai_say_paraphrase: ["topic_content"],
  ai_ask: ["task", "output_list"],
  ai_think: ["task", "output_list"],
  extract: ["output_list"],
  rewrite: ["problem"],
};

const bundled: Record<Language, Record<TemplateName, string>> = { "zh-CN": zhCN, en };
const texts = { "zh-CN": zhCNText, en: enText } as const;

export function bundledTemplate(name: TemplateName, language: Language): string {
  return bundled[language][name];
}

/** Fixed phrases (defaults, labels, the repair request) in a language. */
export function phrases(language: Language) {
  return texts[language];
}

export interface TemplateIssue {
  severity: "error" | "warning";
  code:
    | "EMPTY"
    | "UNCLOSED_PLACEHOLDER"
    | "LEGACY_PLACEHOLDER"
    | "NO_JSON"
    | "NO_CONTENT"
    | "NO_SAFETY"
    | "NO_SAFETY_SECTION"
    | "MISSING_PLACEHOLDER";
  message: string;
}

/** Whether the template uses the placeholder `key`, in either syntax (`{{key}}`, the upstream's `{%key%}`). */
function uses(text: string, key: string): boolean {
  return new RegExp(`\\{\\{\\s*${key}\\s*\\}\\}|\\{%\\s*${key}\\s*%\\}`).test(text);
}

/**
 * Checks a template before a project stores it. Errors make it unusable;
 * warnings mean it will run but loses something the engine relies on.
 */
export function validateTemplate(text: string, name?: TemplateName): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  if (text.trim() === "") return [{ severity: "error", code: "EMPTY", message: "The template is empty." }];
  const opens = text.split("{{").length - 1;
  const closes = text.split("}}").length - 1;
  if (opens > closes) {
    issues.push({ severity: "error", code: "UNCLOSED_PLACEHOLDER", message: "A `{{` has no matching `}}`." });
  }
  const known = name ? Object.keys(templatePlaceholders[name]) : Object.keys(common);
  const seen = new Set<string>();
  for (const m of text.matchAll(/\{%\s*([^%{}]+?)\s*%\}/g)) {
    const key = m[1]!;
    const modern = upstreamNames[key] ?? key;
    // Upstream syntax for an engine value is filled; for anything else it stands for a script variable, like {{x}}.
    if (!known.includes(modern) || seen.has(key)) continue;
    seen.add(key);
    issues.push({
      severity: "warning",
      code: "LEGACY_PLACEHOLDER",
      message: `\`${m[0]}\` is the upstream syntax; it is filled, but write \`{{${modern}}}\`.`,
    });
  }
  for (const [old, modern] of Object.entries(upstreamNames)) {
    if (new RegExp(`\\{\\{\\s*${old}\\s*\\}\\}`).test(text)) {
      issues.push({
        severity: "warning",
        code: "LEGACY_PLACEHOLDER",
        message: `\`{{${old}}}\` is the upstream name; it is filled, but write \`{{${modern}}}\`.`,
      });
    }
  }
  if (!uses(text, "safety_rules")) {
    issues.push({
      severity: "warning",
      code: "NO_SAFETY_SECTION",
      message:
        "The template has no {{safety_rules}} (the safety rules, that they take precedence, the crisis lines): the engine puts them in front of the template. Place {{safety_rules}} where they belong.",
    });
  }
  if (!/json/i.test(text)) {
    issues.push({ severity: "warning", code: "NO_JSON", message: "The template does not ask for a JSON reply; replies will need repair." });
  }
  if (name !== "extract" && name !== "ai_think" && !text.includes('"content"')) {
    issues.push({
      severity: "warning",
      code: "NO_CONTENT",
      message: "The JSON the template asks for has no `content` field (what the client sees).",
    });
  }
  for (const field of ["safety_risk", "crisis_signal"]) {
    if (!text.includes(field)) {
      issues.push({
        severity: "warning",
        code: "NO_SAFETY",
        message: `The template does not ask for \`${field}\`: safety flags from the model will be missing.`,
      });
    }
  }
  if (name) {
    for (const placeholder of required[name]) {
      if (!uses(text, placeholder)) {
        issues.push({
          severity: "warning",
          code: "MISSING_PLACEHOLDER",
          message: `A ${name} template should include {{${placeholder}}}.`,
        });
      }
    }
  }
  return issues;
}
