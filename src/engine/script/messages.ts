/**
 * What the loader says, in English and Simplified Chinese.
 *
 * Script authors are counselors: each message says what was found and where
 * in plain words, and each suggestion is something to type. Nothing blames
 * the author; old spellings are "older names", not mistakes.
 */
import type { Language } from "./schema";

export type MessageLanguage = Language;
type Params = Record<string, string | number>;
type Text = (p: Params) => readonly [message: string, suggestion: string];
type Entry = Record<MessageLanguage, Text>;

/** Names of the places a field can sit, for "is not a field of …". */
const places: Record<string, Record<MessageLanguage, string>> = {
  root: { en: "the top level of a script", "zh-CN": "脚本的顶层" },
  session: { en: "a session", "zh-CN": "会谈（session）" },
  phase: { en: "a phase", "zh-CN": "阶段（phase）" },
  topic: { en: "a topic", "zh-CN": "话题（topic）" },
  action: { en: "an action", "zh-CN": "动作（action）" },
  ai_say: { en: "an ai_say config", "zh-CN": "ai_say 的 config" },
  ai_ask: { en: "an ai_ask config", "zh-CN": "ai_ask 的 config" },
  ai_think: { en: "an ai_think config", "zh-CN": "ai_think 的 config" },
  handoff: { en: "a handoff config", "zh-CN": "handoff 的 config" },
  set: { en: "a set config", "zh-CN": "set 的 config" },
  output: { en: "an output entry", "zh-CN": "output 条目" },
  exit_criteria: { en: "exit_criteria", "zh-CN": "exit_criteria" },
  custom_condition: { en: "a custom condition", "zh-CN": "自定义条件（custom_conditions 条目）" },
  branch: { en: "a `next` entry", "zh-CN": "`next` 条目" },
  on_exhausted: { en: "on_exhausted", "zh-CN": "on_exhausted" },
  use_skill: { en: "a use_skill config", "zh-CN": "use_skill 的 config" },
  technique: { en: "a technique block", "zh-CN": "技术（technique）块" },
  technique_input: { en: "a technique input", "zh-CN": "技术输入（inputs 条目）" },
  technique_output: { en: "a technique output", "zh-CN": "技术输出（outputs 条目）" },
};

export function placeName(place: string, lang: MessageLanguage): string {
  return places[place]?.[lang] ?? place;
}

const typeNames: Record<string, Record<MessageLanguage, string>> = {
  string: { en: "text", "zh-CN": "文本" },
  number: { en: "a number", "zh-CN": "数字" },
  int: { en: "a whole number", "zh-CN": "整数" },
  boolean: { en: "true or false", "zh-CN": "true 或 false" },
  array: { en: "a list", "zh-CN": "列表" },
  object: { en: "a block of `key: value` fields", "zh-CN": "由 `键: 值` 组成的字段块" },
  record: { en: "a block of `key: value` fields", "zh-CN": "由 `键: 值` 组成的字段块" },
  null: { en: "empty", "zh-CN": "空值" },
};

export function typeName(type: string, lang: MessageLanguage): string {
  return typeNames[type]?.[lang] ?? type;
}

const typeExamples: Record<string, Record<MessageLanguage, (f: string) => string>> = {
  string: { en: (f) => `${f}: "…"`, "zh-CN": (f) => `${f}: "……"` },
  number: { en: (f) => `${f}: 3`, "zh-CN": (f) => `${f}: 3` },
  int: { en: (f) => `${f}: 3`, "zh-CN": (f) => `${f}: 3` },
  boolean: { en: (f) => `${f}: false`, "zh-CN": (f) => `${f}: false` },
  array: { en: (f) => `${f}:\\n  - …`, "zh-CN": (f) => `${f}:\\n  - ……` },
  object: { en: (f) => `${f}:\\n  key: value`, "zh-CN": (f) => `${f}:\\n  键: 值` },
  record: { en: (f) => `${f}:\\n  key: value`, "zh-CN": (f) => `${f}:\\n  键: 值` },
};

export function typeExample(type: string, field: string, lang: MessageLanguage): string {
  return (typeExamples[type]?.[lang] ?? typeExamples.string![lang])(field).replace(/\\n/g, "\n");
}

/** A one-line example for a required field. */
const requiredExamples: Record<string, Record<MessageLanguage, string>> = {
  session_id: { en: "session_id: intake_v1", "zh-CN": "session_id: intake_v1" },
  phase_id: { en: "phase_id: opening", "zh-CN": "phase_id: opening" },
  topic_id: { en: "topic_id: greeting", "zh-CN": "topic_id: greeting" },
  action_id: { en: "action_id: ask_name", "zh-CN": "action_id: ask_name" },
  action_type: {
    en: "action_type: ai_say   # or ai_ask, ai_think, handoff, set, use_skill",
    "zh-CN": "action_type: ai_say   # 或 ai_ask、ai_think、handoff、set、use_skill",
  },
  config: { en: 'config: { content: "Hello, thank you for coming today." }', "zh-CN": 'config: { content: "你好，谢谢你今天过来。" }' },
  content: { en: 'content: "Hello, thank you for coming today."', "zh-CN": 'content: "你好，谢谢你今天过来。"' },
  phases: { en: "phases: [ { phase_id: opening, topics: [ … ] } ]", "zh-CN": "phases: [ { phase_id: opening, topics: [ …… ] } ]" },
  topics: { en: "topics: [ { topic_id: greeting, actions: [ … ] } ]", "zh-CN": "topics: [ { topic_id: greeting, actions: [ …… ] } ]" },
  actions: {
    en: 'actions: [ { action_type: ai_say, action_id: hello, config: { content: "…" } } ]',
    "zh-CN": 'actions: [ { action_type: ai_say, action_id: hello, config: { content: "……" } } ]',
  },
  output: { en: "output: [ { get: summary } ]", "zh-CN": "output: [ { get: 总结 } ]" },
  get: { en: "get: user_name", "zh-CN": "get: 来访者称呼" },
  skill: { en: "skill: reframe_thought", "zh-CN": "skill: reframe_thought" },
  technique_id: { en: "technique_id: reframe_thought", "zh-CN": "technique_id: reframe_thought" },
  name: { en: "name: target_belief", "zh-CN": "name: target_belief" },
  variable: { en: "variable: mood_score", "zh-CN": "variable: 情绪评分" },
  operator: { en: 'operator: ">="', "zh-CN": 'operator: ">="' },
  value: { en: "value: 5", "zh-CN": "value: 5" },
  if: { en: 'if: "mood_score >= 7"', "zh-CN": 'if: "mood_score >= 7"' },
  // biome-ignore lint/suspicious/noThenProperty: `then` is the script language's word (`- if: … then: …`); these maps are never awaited.
  then: { en: "then: closing", "zh-CN": "then: closing" },
  else: { en: "else: closing", "zh-CN": "else: closing" },
  goto: { en: "goto: closing", "zh-CN": "goto: closing" },
  default: { en: "default: { mood_score: 5 }", "zh-CN": "default: { mood_score: 5 }" },
};

export function requiredExample(field: string, lang: MessageLanguage): string {
  return requiredExamples[field]?.[lang] ?? `${field}: …`;
}

const conditionHelp = {
  en: 'Conditions are CEL expressions over variables, e.g. `mood_score < 4 && has_support == "no"`; a name that is not a plain identifier (such as a Chinese name) is written `vars["名字"]`.',
  "zh-CN": '条件是基于变量的 CEL 表达式，例如 `mood_score < 4 && has_support == "no"`；不是普通标识符的变量名（例如中文名）请写成 `vars["名字"]`。',
};

export const catalog = {
  // ── YAML_SYNTAX ───────────────────────────────────────────────────────
  "yaml.generic": {
    en: (p) => [
      `The YAML could not be read from here on (${p.detail}).`,
      "Check the indentation (spaces only) and that each `key:` has its value after the colon.",
    ],
    "zh-CN": (p) => [`从这里开始 YAML 无法读取（${p.detail}）。`, "请检查缩进（只用空格）以及每个 `键:` 的冒号后面是否有值。"],
  },
  "yaml.tab": {
    en: () => [
      "A tab character is used for indentation here; YAML indents with spaces.",
      "Replace the tab with spaces (two spaces per level is usual).",
    ],
    "zh-CN": () => ["这里用了制表符（Tab）缩进，YAML 只能用空格缩进。", "请把 Tab 换成空格（通常每层两个空格）。"],
  },
  "yaml.escape": {
    en: () => [
      "This double-quoted text contains a backslash sequence YAML does not know.",
      "Write a backslash as `\\\\`, or put the text in single quotes: 'like \\ this'.",
    ],
    "zh-CN": () => ["这段双引号文本里有 YAML 不认识的反斜杠转义。", "反斜杠请写成 `\\\\`，或改用单引号：'像 \\ 这样'。"],
  },
  "yaml.documents": {
    en: () => ["This file holds more than one YAML document (separated by `---`).", "Keep one script per file."],
    "zh-CN": () => ["这个文件包含多个 YAML 文档（用 `---` 分隔）。", "每个文件只放一个脚本。"],
  },
  "yaml.alias": {
    en: () => [
      "This alias (`*name`) refers to an anchor (`&name`) that is not defined above it.",
      "Define the anchor first, or write the value out.",
    ],
    "zh-CN": () => ["这个别名（`*名字`）引用的锚点（`&名字`）在它前面没有定义。", "请先定义锚点，或直接写出内容。"],
  },
  "yaml.warning": {
    en: (p) => [`The YAML reader noticed something here: ${p.detail}.`, "Check that this part is written as you intend."],
    "zh-CN": (p) => [`YAML 读取时在这里发现一个问题：${p.detail}。`, "请确认这一部分的写法符合你的本意。"],
  },
  // ── DUPLICATE_KEY ─────────────────────────────────────────────────────
  "yaml.duplicateKey": {
    en: (p) => [`\`${p.key}\` is written twice in the same block.`, "Keep one of them; it is not clear which one is meant."],
    "zh-CN": (p) => [`\`${p.key}\` 在同一个块里出现了两次。`, "请只保留一个，否则无法确定要用哪一个。"],
  },
  // ── YAML_TOO_COMPLEX ──────────────────────────────────────────────────
  "yaml.tooManyNodes": {
    en: (p) => [
      `This file expands to more than ${p.max} values, usually because aliases (\`*name\`) repeat large blocks.`,
      "Write the repeated blocks out instead of repeating them through aliases.",
    ],
    "zh-CN": (p) => [`这个文件展开后超过 ${p.max} 个值，通常是别名（\`*名字\`）重复引用了大段内容。`, "请直接写出重复的内容，不要通过别名反复引用。"],
  },
  "yaml.tooDeep": {
    en: (p) => [`This file nests more than ${p.max} levels deep.`, "A script needs about ten levels; check the indentation around here."],
    "zh-CN": (p) => [`这个文件的嵌套超过了 ${p.max} 层。`, "脚本通常只需要十层左右，请检查这里附近的缩进。"],
  },
  // ── UNRECOGNISED_SCRIPT ───────────────────────────────────────────────
  "script.unrecognised": {
    en: () => [
      "This file has neither `session:` nor `topic:` at the top level, so it is not recognised as a script.",
      "Start a session script with `session:` or a technique script with `topic:`.",
    ],
    "zh-CN": () => [
      "这个文件的顶层既没有 `session:` 也没有 `topic:`，因此无法识别为脚本。",
      "会谈脚本请以 `session:` 开头，技术脚本请以 `topic:` 开头。",
    ],
  },
  "script.empty": {
    en: () => ["This file is empty.", "Start a session script with `session:` or a technique script with `topic:`."],
    "zh-CN": () => ["这个文件是空的。", "会谈脚本请以 `session:` 开头，技术脚本请以 `topic:` 开头。"],
  },
  "script.notMap": {
    en: (p) => [
      `The top level of this file is ${p.type}, not a block of fields.`,
      "Start a session script with `session:` or a technique script with `topic:`.",
    ],
    "zh-CN": (p) => [`这个文件的顶层是${p.type}，而不是字段块。`, "会谈脚本请以 `session:` 开头，技术脚本请以 `topic:` 开头。"],
  },
  // ── UNKNOWN_FIELD ─────────────────────────────────────────────────────
  "unknown.didYouMean": {
    en: (p) => [`\`${p.field}\` is not a field of ${p.place}.`, `Did you mean \`${p.candidate}\`?`],
    "zh-CN": (p) => [`\`${p.field}\` 不是「${p.place}」的字段。`, `你是不是想写 \`${p.candidate}\`？`],
  },
  "unknown.hint": {
    en: (p) => [`\`${p.field}\` is not a field of ${p.place}.`, `Use \`${p.candidate}\` instead: ${p.example}`],
    "zh-CN": (p) => [`\`${p.field}\` 不是「${p.place}」的字段。`, `请改用 \`${p.candidate}\`：${p.example}`],
  },
  "unknown.root": {
    en: (p) => [
      `\`${p.field}\` is not a top-level field of a script.`,
      "Remove it, or move it under `metadata:`, where free-form notes about the script belong.",
    ],
    "zh-CN": (p) => [`\`${p.field}\` 不是脚本顶层的字段。`, "请删除它，或把它移到 `metadata:` 下面（脚本的说明信息都放在那里）。"],
  },
  "unknown.plain": {
    en: (p) => [`\`${p.field}\` is not a field of ${p.place}.`, `Remove it. The fields of ${p.place} are: ${p.known}.`],
    "zh-CN": (p) => [`\`${p.field}\` 不是「${p.place}」的字段。`, `请删除它。「${p.place}」可用的字段有：${p.known}。`],
  },
  "unknown.sessionAndTopic": {
    en: () => [
      "A file holds either a session or a technique topic, not both; this `topic:` is not read.",
      "Move the technique topic into a file of its own.",
    ],
    "zh-CN": () => ["一个文件只能包含会谈（session）或技术话题（topic）之一；这里的 `topic:` 不会被读取。", "请把技术话题移到单独的文件中。"],
  },
  // ── REQUIRED_FIELD ────────────────────────────────────────────────────
  "required.field": {
    en: (p) => [`${capitalise(String(p.place))} needs \`${p.field}\`.`, `Add it, for example: ${p.example}`],
    "zh-CN": (p) => [`「${p.place}」需要 \`${p.field}\` 字段。`, `请添加，例如：${p.example}`],
  },
  // ── TYPE_MISMATCH ─────────────────────────────────────────────────────
  "type.mismatch": {
    en: (p) => [`\`${p.field}\` should be ${p.expected}, but here it is ${p.actual}.`, `Write it like this: ${p.example}`],
    "zh-CN": (p) => [`\`${p.field}\` 应该是${p.expected}，但这里是${p.actual}。`, `请这样写：${p.example}`],
  },
  // ── TYPE_COERCED ──────────────────────────────────────────────────────
  "coerced.toText": {
    en: (p) => [
      `\`${p.field}\` is written as ${p.from} (${p.value}); it is read as the text "${p.value}".`,
      `Put it in quotes to make that explicit: ${p.field}: "${p.value}"`,
    ],
    "zh-CN": (p) => [
      `\`${p.field}\` 写成了${p.from}（${p.value}），会按文本 "${p.value}" 读取。`,
      `加上引号可以让意思更明确：${p.field}: "${p.value}"`,
    ],
  },
  "coerced.toNumber": {
    en: (p) => [
      `\`${p.field}\` is written as text ("${p.value}"); it is read as the number ${p.value}.`,
      `Write it without quotes: ${p.field}: ${p.value}`,
    ],
    "zh-CN": (p) => [`\`${p.field}\` 写成了文本（"${p.value}"），会按数字 ${p.value} 读取。`, `请去掉引号：${p.field}: ${p.value}`],
  },
  // ── INVALID_VALUE ─────────────────────────────────────────────────────
  "value.min": {
    en: (p) => [`\`${p.field}\` must be at least ${p.min}; here it is ${p.value}.`, `For example: ${p.field}: ${p.min}`],
    "zh-CN": (p) => [`\`${p.field}\` 不能小于 ${p.min}，这里是 ${p.value}。`, `例如：${p.field}: ${p.min}`],
  },
  "value.max": {
    en: (p) => [`\`${p.field}\` must be at most ${p.max}; here it is ${p.value}.`, `For example: ${p.field}: ${p.max}`],
    "zh-CN": (p) => [`\`${p.field}\` 不能大于 ${p.max}，这里是 ${p.value}。`, `例如：${p.field}: ${p.max}`],
  },
  "value.integer": {
    en: (p) => [`\`${p.field}\` must be a whole number; here it is ${p.value}.`, `For example: ${p.field}: ${p.fix}`],
    "zh-CN": (p) => [`\`${p.field}\` 必须是整数，这里是 ${p.value}。`, `例如：${p.field}: ${p.fix}`],
  },
  "value.tooLong": {
    en: (p) => [`\`${p.field}\` is ${p.length} characters long; the limit is ${p.max}.`, `Shorten it to at most ${p.max} characters.`],
    "zh-CN": (p) => [`\`${p.field}\` 有 ${p.length} 个字符，上限是 ${p.max}。`, `请缩短到 ${p.max} 个字符以内。`],
  },
  "value.empty": {
    en: (p) => [`\`${p.field}\` is empty.`, `Write something here, for example: ${p.example}`],
    "zh-CN": (p) => [`\`${p.field}\` 是空的。`, `请填写内容，例如：${p.example}`],
  },
  "value.emptyList": {
    en: (p) => [`\`${p.field}\` needs at least one item.`, `For example: ${p.example}`],
    "zh-CN": (p) => [`\`${p.field}\` 至少需要一项。`, `例如：${p.example}`],
  },
  "value.sessionId": {
    en: (p) => [
      "`session_id` may contain only letters, digits and underscores (no spaces, hyphens or other characters).",
      `For example: session_id: ${p.example}`,
    ],
    "zh-CN": (p) => ["`session_id` 只能包含英文字母、数字和下划线（不能有空格、连字符或其他字符）。", `例如：session_id: ${p.example}`],
  },
  "value.enum": {
    en: (p) => [`\`${p.value}\` is not one of the values \`${p.field}\` accepts.`, `Use one of: ${p.allowed}.`],
    "zh-CN": (p) => [`\`${p.value}\` 不是 \`${p.field}\` 可接受的值。`, `请使用以下之一：${p.allowed}。`],
  },
  "value.enumDidYouMean": {
    en: (p) => [`\`${p.value}\` is not one of the values \`${p.field}\` accepts.`, `Did you mean \`${p.candidate}\`? (Accepted: ${p.allowed}.)`],
    "zh-CN": (p) => [`\`${p.value}\` 不是 \`${p.field}\` 可接受的值。`, `你是不是想写 \`${p.candidate}\`？（可用：${p.allowed}。）`],
  },
  "value.waitForReply": {
    en: (p) => [
      `\`wait_for_reply: false\` moves on without waiting for the client, so the ${p.rounds} rounds of \`max_rounds\` cannot happen.`,
      "For a line the AI says before moving on, remove `max_rounds`; for a conversation over several rounds, remove `wait_for_reply: false`.",
    ],
    "zh-CN": (p) => [
      `\`wait_for_reply: false\` 表示不等来访者回复就继续，因此 \`max_rounds\` 的 ${p.rounds} 轮无法进行。`,
      "如果只是说一句话就继续，请删除 `max_rounds`；如果需要多轮对话，请删除 `wait_for_reply: false`。",
    ],
  },
  "value.generic": {
    en: (p) => [
      `\`${p.field}\` has a value that cannot be used here (${p.detail}).`,
      'Check this value against the reference in the README ("Writing scripts").',
    ],
    "zh-CN": (p) => [`\`${p.field}\` 的值在这里无法使用（${p.detail}）。`, "请对照 README 中“Writing scripts”一节检查这个值。"],
  },
  // ── DUPLICATE_ID ──────────────────────────────────────────────────────
  "duplicate.id": {
    en: (p) => [`\`${p.field}: ${p.id}\` is already used on line ${p.line}.`, `Give each ${p.kind} its own id, for example \`${p.id}_2\`.`],
    "zh-CN": (p) => [`\`${p.field}: ${p.id}\` 已经在第 ${p.line} 行用过了。`, `每个${p.kind}需要自己的 id，例如 \`${p.id}_2\`。`],
  },
  // ── INVALID_CONDITION ─────────────────────────────────────────────────
  "condition.syntax": {
    en: (p) => [`This condition could not be read: ${p.reason}.`, conditionHelp.en],
    "zh-CN": (p) => [`这个条件无法解析：${p.reason}。`, conditionHelp["zh-CN"]],
  },
  "expression.syntax": {
    en: (p) => [
      `This expression could not be read: ${p.reason}.`,
      'A `set` expression is CEL over variables, e.g. `phq_1 + phq_2`, `attempts + 1` or `mood_score >= 7 ? "ok" : "low"`; a name that is not a plain identifier is written `vars["名字"]`.',
    ],
    "zh-CN": (p) => [
      `这个表达式无法解析：${p.reason}。`,
      '`set` 的表达式是基于变量的 CEL，例如 `phq_1 + phq_2`、`attempts + 1` 或 `mood_score >= 7 ? "ok" : "low"`；不是普通标识符的变量名请写成 `vars["名字"]`。',
    ],
  },
  "condition.tooLong": {
    en: (p) => [
      `This condition has more than ${p.max} parts; the engine does not run conditions that large.`,
      'Split it over several actions, or test membership in a list: `answer in ["a", "b", "c"]`.',
    ],
    "zh-CN": (p) => [
      `这个条件超过了 ${p.max} 个组成部分，引擎不运行这么大的条件。`,
      '请拆分到几个动作中，或者用列表判断：`answer in ["a", "b", "c"]`。',
    ],
  },
  "condition.tooDeep": {
    en: (p) => [
      `This condition nests more than ${p.max} levels deep (each \`||\`, \`&&\` or bracket adds one); the engine does not run it.`,
      'Shorten it, or test membership in a list: `answer in ["a", "b", "c"]` instead of a long chain of `||`.',
    ],
    "zh-CN": (p) => [
      `这个条件的嵌套超过了 ${p.max} 层（每个 \`||\`、\`&&\` 或括号算一层），引擎不运行它。`,
      '请缩短，或者用列表判断：用 `answer in ["a", "b", "c"]` 代替一长串 `||`。',
    ],
  },
  "condition.regex": {
    en: (p) => [
      `\`${p.pattern}\` is not a regular expression \`matches()\` can run: ${p.reason}.`,
      "`matches()` uses RE2 syntax, which has no look-ahead, look-behind or back-references; rewrite the pattern without them.",
    ],
    "zh-CN": (p) => [
      `\`${p.pattern}\` 不是 \`matches()\` 能运行的正则表达式：${p.reason}。`,
      "`matches()` 使用 RE2 语法，不支持前瞻、后顾和反向引用；请不用这些重写表达式。",
    ],
  },
  "condition.typeMismatch": {
    en: (p) => [
      `\`${p.name}\` is declared \`type: ${p.type}\`, but this condition compares it with ${p.literal}, which is of another type: the comparison would never hold.`,
      `Compare with a value of its type, e.g. \`${p.example}\`, or change the \`type\` of its output entry.`,
    ],
    "zh-CN": (p) => [
      `\`${p.name}\` 声明为 \`type: ${p.type}\`，但这个条件把它与类型不同的 ${p.literal} 比较：这个比较永远不会成立。`,
      `请与同类型的值比较，例如 \`${p.example}\`，或修改其 output 条目的 \`type\`。`,
    ],
  },
  "condition.name": {
    en: (p) => [`\`${p.name}\` cannot be used as a bare name in a condition.`, `Write it as vars["${p.name}"], e.g. vars["${p.name}"] == "…".`],
    "zh-CN": (p) => [`\`${p.name}\` 不能直接在条件里当作变量名使用。`, `请写成 vars["${p.name}"]，例如 vars["${p.name}"] == "……"。`],
  },
  // ── UNKNOWN_TARGET ────────────────────────────────────────────────────
  "target.didYouMean": {
    en: (p) => [`There is no topic \`${p.target}\` to go to.`, `Did you mean \`${p.candidate}\`?`],
    "zh-CN": (p) => [`没有可以跳转到的话题 \`${p.target}\`。`, `你是不是想写 \`${p.candidate}\`？`],
  },
  "target.unknown": {
    en: (p) => [`There is no topic \`${p.target}\` to go to.`, `Use the \`topic_id\` of a topic of this script: ${p.known}.`],
    "zh-CN": (p) => [`没有可以跳转到的话题 \`${p.target}\`。`, `请使用本脚本中某个话题的 \`topic_id\`：${p.known}。`],
  },
  // ── flow (next, reprompts, on_exhausted) ──────────────────────────────
  "branch.elseNotLast": {
    en: () => [
      "`else` is taken whenever it is reached, so the `next` entries after it would never be checked.",
      "Move `- else: …` to the end of the list.",
    ],
    "zh-CN": () => ["`else` 只要被检查到就会生效，所以它后面的 `next` 条目永远不会被检查。", "请把 `- else: ……` 移到列表的最后。"],
  },
  "reprompt.unused": {
    en: (p) => [
      `This reprompt is for question ${p.question}, but the action asks at most ${p.rounds} questions, so it is never used.`,
      `Ask more questions with \`max_rounds: ${p.fix}\`, or remove the reprompts after the ${p.used}.`,
    ],
    "zh-CN": (p) => [
      `这条 reprompt 用于第 ${p.question} 次提问，但这个动作最多只问 ${p.rounds} 次，所以它永远不会被用到。`,
      `请用 \`max_rounds: ${p.fix}\` 增加提问次数，或删除第 ${p.used} 条之后的 reprompt。`,
    ],
  },
  "exhausted.unknownOutput": {
    en: (p) => [
      `\`${p.name}\` is not an output of this ai_ask, so a default for it is never used.`,
      p.candidate ? `Did you mean \`${p.candidate}\`?` : `Give defaults only for this action's outputs: ${p.known}.`,
    ],
    "zh-CN": (p) => [
      `\`${p.name}\` 不是这个 ai_ask 的输出变量，因此它的默认值永远不会被使用。`,
      p.candidate ? `你是不是想写 \`${p.candidate}\`？` : `只能为本动作的输出变量设默认值：${p.known}。`,
    ],
  },
  "exhausted.defaultType": {
    en: (p) => [
      `The default ${p.value} for \`${p.name}\` cannot be read as its type \`${p.type}\`.`,
      `Give a value of that type, e.g. ${p.example}.`,
    ],
    "zh-CN": (p) => [`\`${p.name}\` 的默认值 ${p.value} 无法按它的类型 \`${p.type}\` 读取。`, `请给出该类型的值，例如 ${p.example}。`],
  },
  // ── UNKNOWN_SKILL, SKILL_INPUT, SKILL_OUTPUT ──────────────────────────
  "skill.unknown": {
    en: (p) => [`No technique \`${p.skill}\` is available to this script.`, `Name a technique of the project or a bundled one: ${p.known}.`],
    "zh-CN": (p) => [`这个脚本找不到技术 \`${p.skill}\`。`, `请写项目中的技术或内置技术：${p.known}。`],
  },
  "skill.unknownDidYouMean": {
    en: (p) => [`No technique \`${p.skill}\` is available to this script.`, `Did you mean \`${p.candidate}\`?`],
    "zh-CN": (p) => [`这个脚本找不到技术 \`${p.skill}\`。`, `你是不是想写 \`${p.candidate}\`？`],
  },
  "skill.inputMissing": {
    en: (p) => [
      `The technique \`${p.skill}\` needs the input \`${p.name}\`, which this action does not pass.`,
      `Add it: input: { ${p.name}: "{…}" }`,
    ],
    "zh-CN": (p) => [`技术 \`${p.skill}\` 需要输入 \`${p.name}\`，但这个动作没有传入。`, `请加上：input: { ${p.name}: "{……}" }`],
  },
  "skill.inputUnknown": {
    en: (p) => [`The technique \`${p.skill}\` has no input \`${p.name}\`.`, `Its inputs are: ${p.known}.`],
    "zh-CN": (p) => [`技术 \`${p.skill}\` 没有输入 \`${p.name}\`。`, `它的输入有：${p.known}。`],
  },
  "skill.outputUnknown": {
    en: (p) => [`The technique \`${p.skill}\` has no output \`${p.name}\`.`, `Its outputs are: ${p.known}.`],
    "zh-CN": (p) => [`技术 \`${p.skill}\` 没有输出 \`${p.name}\`。`, `它的输出有：${p.known}。`],
  },
  "skill.outputUnset": {
    en: (p) => [
      `The technique declares the output \`${p.name}\`, but none of its actions sets it, so scripts that read it get nothing.`,
      `Set it in an action (e.g. output: [{ get: ${p.name} }]) or remove it from \`outputs\`.`,
    ],
    "zh-CN": (p) => [
      `这个技术声明了输出 \`${p.name}\`，但它的动作都不会填写它，读取它的脚本什么也得不到。`,
      `请在某个动作里填写它（例如 output: [{ get: ${p.name} }]），或把它从 \`outputs\` 中删除。`,
    ],
  },
  "skill.nested": {
    en: () => ["A technique cannot run another technique.", "Write the steps of the other technique into this one's topic."],
    "zh-CN": () => ["技术里不能再运行另一个技术。", "请把另一个技术的步骤直接写进这个技术的话题里。"],
  },
  // ── DEPRECATED_FIELD ──────────────────────────────────────────────────
  "deprecated.renamed": {
    en: (p) => [
      `\`${p.field}\` is an older name for \`${p.replacement}\`; it still works and is read as \`${p.replacement}\`.`,
      `Rename it: ${p.example}`,
    ],
    "zh-CN": (p) => [`\`${p.field}\` 是 \`${p.replacement}\` 的旧名称，仍然可用，会按 \`${p.replacement}\` 读取。`, `请改名为：${p.example}`],
  },
  "deprecated.ignored": {
    en: (p) => [
      `\`${p.field}\` is an older name for \`${p.replacement}\` and is not used, because \`${p.used}\` is also set.`,
      `Remove \`${p.field}\`.`,
    ],
    "zh-CN": (p) => [`\`${p.field}\` 是 \`${p.replacement}\` 的旧名称；因为同时写了 \`${p.used}\`，它不会被使用。`, `请删除 \`${p.field}\`。`],
  },
  "deprecated.camelCase": {
    en: (p) => [
      `\`${p.field}\` is the camelCase spelling of \`${p.replacement}\`; it is read as \`${p.replacement}\`.`,
      `Rename it: ${p.replacement}: …`,
    ],
    "zh-CN": (p) => [`\`${p.field}\` 是 \`${p.replacement}\` 的驼峰式写法，会按 \`${p.replacement}\` 读取。`, `请改名为：${p.replacement}: ……`],
  },
  "deprecated.camelShadowed": {
    en: (p) => [
      `\`${p.field}\` is the camelCase spelling of \`${p.replacement}\` and is not used, because \`${p.replacement}\` is also set.`,
      `Remove \`${p.field}\`.`,
    ],
    "zh-CN": (p) => [
      `\`${p.field}\` 是 \`${p.replacement}\` 的驼峰式写法；因为同时写了 \`${p.replacement}\`，它不会被使用。`,
      `请删除 \`${p.field}\`。`,
    ],
  },
  "deprecated.sayGoal": {
    en: () => [
      "`say_goal` never changed what the AI says, so it is left out.",
      'Describe the goal in `content`, or in the topic\'s `topic_goal`, e.g. topic_goal: "Help the client feel welcome".',
    ],
    "zh-CN": () => [
      "`say_goal` 从未影响 AI 说的内容，因此会被忽略。",
      '请把目标写进 `content`，或写在话题的 `topic_goal` 里，例如 topic_goal: "让来访者感到被欢迎"。',
    ],
  },
  "deprecated.required": {
    en: () => [
      "`required` never had an effect, so it is left out.",
      'Remove it. To keep asking until there is an answer, describe that in `exit`, e.g. exit: "the client gave their name".',
    ],
    "zh-CN": () => [
      "`required` 从未起过作用，因此会被忽略。",
      '请删除它。如果希望一直问到有答案为止，请写在 `exit` 里，例如 exit: "来访者说出了称呼"。',
    ],
  },
  "deprecated.inputVariables": {
    en: () => [
      "`input_variables` is not needed: an ai_think reads variables through the placeholders in its `content`.",
      'Remove it and name the variables in `content`, e.g. content: "Summarise {chief_complaint} in one sentence".',
    ],
    "zh-CN": () => [
      "`input_variables` 不再需要：ai_think 通过 `content` 里的占位符读取变量。",
      '请删除它，并在 `content` 中写出变量，例如 content: "用一句话概括 {主诉}"。',
    ],
  },
  "deprecated.aiRole": {
    en: () => [
      "`ai_role` is left out: the AI's role comes from the built-in prompts.",
      'Remove it; describe the voice with `tone`, e.g. tone: "warm, calm".',
    ],
    "zh-CN": () => ["`ai_role` 会被忽略：AI 的角色由内置提示词决定。", '请删除它；可以用 `tone` 描述语气，例如 tone: "温暖、平和"。'],
  },
  "deprecated.targetVariable": {
    en: (p) => [
      `\`${p.field}\` is the older way to name the variable an ai_ask fills; it is read as an \`output\` entry.`,
      `Write it as: output: [{ get: ${p.name} }]`,
    ],
    "zh-CN": (p) => [`\`${p.field}\` 是指定 ai_ask 所填变量的旧写法，会按 \`output\` 条目读取。`, `请改写为：output: [{ get: ${p.name} }]`],
  },
  "deprecated.saveAnswer": {
    en: (p) => [
      `\`${p.field}\` without \`output\` or \`exit\` keeps its older meaning: the AI asks once and \`${p.name}\` stores the client's reply word for word, with no model call on the reply (\`max_rounds\` has no effect); it is read as \`save_answer: ${p.name}\`.`,
      `Write it as: save_answer: ${p.name}. For follow-up questions and the model's extraction of the value, write output: [{ get: ${p.name}, define: ${p.define} }] instead.`,
    ],
    "zh-CN": (p) => [
      `没有 \`output\` 和 \`exit\` 的 \`${p.field}\` 保持旧含义：AI 只问一次，\`${p.name}\` 原样保存来访者的回答，不对回答调用模型（\`max_rounds\` 不起作用）；会按 \`save_answer: ${p.name}\` 读取。`,
      `请改写为：save_answer: ${p.name}。如需 AI 追问并由模型提取该值，请改写为 output: [{ get: ${p.name}, define: ${p.define} }]。`,
    ],
  },
  "deprecated.extractionPromptUnused": {
    en: (p) => [
      `\`${p.field}\` is not used: this ai_ask stores the reply as written in \`${p.name}\`, so nothing is extracted.`,
      `For the model to extract the value, write output: [{ get: ${p.name}, define: ${p.define} }] in place of the older fields.`,
    ],
    "zh-CN": (p) => [
      `\`${p.field}\` 不会被使用：这个 ai_ask 把回答原样保存到 \`${p.name}\`，不做提取。`,
      `如需由模型提取该值，请用 output: [{ get: ${p.name}, define: ${p.define} }] 代替这些旧字段。`,
    ],
  },
  "deprecated.targetIgnored": {
    en: (p) => [`\`${p.field}\` is not used, because \`${p.used}\` already names the variable to fill.`, `Remove \`${p.field}\`.`],
    "zh-CN": (p) => [`\`${p.field}\` 不会被使用，因为 \`${p.used}\` 已经指定了要填的变量。`, `请删除 \`${p.field}\`。`],
  },
  "deprecated.extractionPrompt": {
    en: (p) => [
      `\`${p.field}\` is the older form of an output's \`define\`; it is read as the \`define\` of \`${p.name}\`.`,
      `Write it as: output: [{ get: ${p.name}, define: ${p.define} }]`,
    ],
    "zh-CN": (p) => [
      `\`${p.field}\` 是 output 中 \`define\` 的旧写法，会按 \`${p.name}\` 的 \`define\` 读取。`,
      `请改写为：output: [{ get: ${p.name}, define: ${p.define} }]`,
    ],
  },
  "deprecated.extractionPromptDropped": {
    en: (p) => [
      `\`${p.field}\` cannot be matched to a single output variable here, so it is left out.`,
      'Write it as the `define` of the output entry it describes: output: [{ get: name, define: "…" }]',
    ],
    "zh-CN": (p) => [
      `\`${p.field}\` 无法对应到唯一的输出变量，因此会被忽略。`,
      '请把它写成对应 output 条目的 `define`：output: [{ get: 变量名, define: "……" }]',
    ],
  },
  "deprecated.techniqueRoot": {
    en: (p) => [
      `\`${p.field}\` at the top level is the older form of the \`technique:\` block; it is read as \`technique.${p.replacement}\`.`,
      `Write it inside the block: technique: { ${p.example} }`,
    ],
    "zh-CN": (p) => [
      `顶层的 \`${p.field}\` 是 \`technique:\` 块的旧写法，会按 \`technique.${p.replacement}\` 读取。`,
      `请写到块里：technique: { ${p.example} }`,
    ],
  },
  "deprecated.rootMetadata": {
    en: (p) => [
      `\`${p.field}\` at the top level is an older place for a note about the script; it is read as \`metadata.${p.field}\`.`,
      `Move it under \`metadata:\`.`,
    ],
    "zh-CN": (p) => [`顶层的 \`${p.field}\` 是脚本说明的旧位置，会按 \`metadata.${p.field}\` 读取。`, "请把它移到 `metadata:` 下面。"],
  },
  "deprecated.outputVariables": {
    en: (p) => [
      `\`${p.field}\` is the older form of \`output\`; each name is read as an \`output\` entry.`,
      `Write it as: output: [{ get: ${p.name} }]`,
    ],
    "zh-CN": (p) => [`\`${p.field}\` 是 \`output\` 的旧写法，每个名字会按一个 \`output\` 条目读取。`, `请改写为：output: [{ get: ${p.name} }]`],
  },
  "deprecated.thinkCombined": {
    en: (p) => [
      `\`${p.field}\` is an older name for \`content\`; \`think_goal\` and \`prompt_template\` are combined into \`content\` (the goal first, then the template).`,
      `Merge them into one field: content: ${p.content}`,
    ],
    "zh-CN": (p) => [
      `\`${p.field}\` 是 \`content\` 的旧名称；\`think_goal\` 和 \`prompt_template\` 会合并为 \`content\`（目标在前，模板在后）。`,
      `请合并为一个字段：content: ${p.content}`,
    ],
  },
  "deprecated.requireAckDefault": {
    en: () => ["`require_acknowledgment: true` is what an ai_say does anyway (it waits for the client's reply), so it is left out.", "Remove it."],
    "zh-CN": () => ["`require_acknowledgment: true` 本来就是 ai_say 的默认行为（等待来访者回复），因此会被忽略。", "请删除它。"],
  },
  "deprecated.requireAckFalse": {
    en: () => [
      "`require_acknowledgment: false` is the older spelling of `wait_for_reply: false` (say it and go straight on).",
      "Rename it: wait_for_reply: false",
    ],
    "zh-CN": () => ["`require_acknowledgment: false` 是 `wait_for_reply: false`（说完直接继续）的旧写法。", "请改名为：wait_for_reply: false"],
  },
  "deprecated.requireAckNoEffect": {
    en: () => [
      "`require_acknowledgment` has no effect on an ai_say with `max_rounds` or `exit_criteria` (the client replies after every round), so it is left out.",
      "Remove it. For a line the AI says before moving straight on, use `wait_for_reply: false` without `max_rounds`.",
    ],
    "zh-CN": () => [
      "在设置了 `max_rounds` 或 `exit_criteria` 的 ai_say 上，`require_acknowledgment` 不起作用（每轮之后来访者都会回复），因此会被忽略。",
      "请删除它。如果想说完一句就直接继续，请使用 `wait_for_reply: false` 并去掉 `max_rounds`。",
    ],
  },
  // ── MISPLACED_FIELD ───────────────────────────────────────────────────
  "misplaced.config": {
    en: (p) => [
      `\`${p.field}\` sits next to \`config\` rather than inside it; it is read as part of \`config\`.`,
      `Move it under \`config:\` (indent it one level below \`config:\`).`,
    ],
    "zh-CN": (p) => [
      `\`${p.field}\` 写在了 \`config\` 旁边而不是里面，会按 \`config\` 的一部分读取。`,
      "请把它移到 `config:` 下面（比 `config:` 多缩进一层）。",
    ],
  },
  "misplaced.shadowed": {
    en: (p) => [`\`${p.field}\` is set both next to \`config\` and inside it; the value inside \`config\` is used.`, "Remove this one."],
    "zh-CN": (p) => [`\`${p.field}\` 在 \`config\` 旁边和里面都写了，将使用 \`config\` 里面的值。`, "请删除这一个。"],
  },
  // ── RESERVED_FIELD ────────────────────────────────────────────────────
  "reserved.field": {
    en: (p) => [`\`${p.field}\` is reserved for a future version and has no effect yet.`, "It can stay, but nothing reads it today."],
    "zh-CN": (p) => [`\`${p.field}\` 是为以后的版本预留的，目前不起作用。`, "可以保留，但现在不会被读取。"],
  },
  // ── UNDEFINED_VARIABLE ────────────────────────────────────────────────
  "variable.undefined": {
    en: (p) => [
      `No earlier action fills \`${p.name}\`, so ${p.raw} would be shown as written.`,
      `Fill it in an earlier action (e.g. output: [{ get: ${p.name} }]), pass it as an initial variable or project global, or check the spelling.`,
    ],
    "zh-CN": (p) => [
      `前面没有动作会填写 \`${p.name}\`，因此 ${p.raw} 会按原样显示。`,
      `请在前面的动作中填写它（例如 output: [{ get: ${p.name} }]），或作为初始变量、项目全局变量传入，或检查拼写。`,
    ],
  },
  "variable.undefinedDidYouMean": {
    en: (p) => [`No earlier action fills \`${p.name}\`, so ${p.raw} would be shown as written.`, `Did you mean \`${p.candidate}\`?`],
    "zh-CN": (p) => [`前面没有动作会填写 \`${p.name}\`，因此 ${p.raw} 会按原样显示。`, `你是不是想写 \`${p.candidate}\`？`],
  },
  "variable.conditionUndefined": {
    en: (p) => [
      `No earlier action fills \`${p.name}\`, which this condition reads.`,
      `Fill it in an earlier action (e.g. output: [{ get: ${p.name} }]), pass it as an initial variable or project global, or check the spelling.`,
    ],
    "zh-CN": (p) => [
      `前面没有动作会填写这个条件读取的 \`${p.name}\`。`,
      `请在前面的动作中填写它（例如 output: [{ get: ${p.name} }]），或作为初始变量、项目全局变量传入，或检查拼写。`,
    ],
  },
  "variable.outOfScope": {
    en: (p) => [
      `\`${p.name}\` is filled earlier with \`scope: ${p.scope}\` (in ${p.scope} \`${p.owner}\`), so it is not visible here.`,
      `To share it, use \`scope: session\` (the default) on that output entry.`,
    ],
    "zh-CN": (p) => [
      `\`${p.name}\` 在前面以 \`scope: ${p.scope}\` 填写（位于 ${p.scope} \`${p.owner}\`），因此在这里看不到。`,
      "如需共享，请把那个 output 条目改为 `scope: session`（默认值）。",
    ],
  },
} satisfies Record<string, Entry>;

export type MessageId = keyof typeof catalog;

export function render(id: MessageId, lang: MessageLanguage, params: Params = {}): { message: string; suggestion: string } {
  const [message, suggestion] = (catalog[id] as Entry)[lang](params);
  return { message, suggestion };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
