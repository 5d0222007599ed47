/**
 * The project globals file (`globals.yaml`), in the upstream format:
 *
 *   variables:
 *     - name: counselor_name
 *       value: Lin
 *
 * Every session of the project starts with these as initial variables.
 * Entries without a value are skipped (as upstream), with a warning.
 */
import { LineCounter, isMap, isNode, isSeq, parseDocument, type Node } from "yaml";
import type { JsonValue, VariableMap } from "../engine";
import type { Diagnostic } from "./models";

export type DiagnosticLang = "en" | "zh-CN";

const messages = {
  syntax: { en: "The YAML is not valid: ", "zh-CN": "YAML 语法错误：" },
  shape: {
    en: "The globals file is a mapping with a `variables` list of { name, value } entries.",
    "zh-CN": "全局变量文件应为包含 `variables` 列表的映射，每项为 { name, value }。",
  },
  entry: { en: "Each variable needs a non-empty string `name`.", "zh-CN": "每个变量都需要非空字符串 `name`。" },
  noValue: { en: "This variable has no `value` and is skipped.", "zh-CN": "该变量没有 `value`，将被忽略。" },
  duplicate: { en: "This name is defined twice; the later value wins.", "zh-CN": "变量名重复定义，以后者为准。" },
} as const;

export interface ParsedGlobals {
  variables: VariableMap;
  diagnostics: Diagnostic[];
}

export function parseGlobals(text: string, lang: DiagnosticLang = "en"): ParsedGlobals {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (node: unknown, offset = 0) => {
    const start = isNode(node) && node.range ? node.range[0] : offset;
    return lineCounter.linePos(start);
  };
  const diagnostic = (
    severity: Diagnostic["severity"],
    code: string,
    path: string,
    position: { line: number; col: number },
    message: string,
    suggestion?: string,
  ): Diagnostic => ({ severity, code, path, line: position.line, column: position.col, message, ...(suggestion ? { suggestion } : {}) });

  if (doc.errors.length) {
    return {
      variables: {},
      diagnostics: doc.errors.map((e) =>
        diagnostic("error", "YAML_SYNTAX", "", lineCounter.linePos(e.pos[0]), messages.syntax[lang] + e.message.split("\n")[0]),
      ),
    };
  }
  const root = doc.contents;
  const list = isMap(root) ? root.get("variables", true) : undefined;
  // An empty file and `variables:` with nothing under it both mean "no globals".
  if (root === null || (isMap(root) && (list === undefined || (isNode(list) && (list as { value?: unknown }).value === null)))) {
    return { variables: {}, diagnostics: [] };
  }
  if (!isSeq(list)) {
    return {
      variables: {},
      diagnostics: [
        diagnostic(
          "error",
          "GLOBALS_SHAPE",
          "variables",
          at(list ?? root),
          messages.shape[lang],
          "variables:\n  - name: counselor_name\n    value: Lin",
        ),
      ],
    };
  }

  const variables: VariableMap = {};
  const diagnostics: Diagnostic[] = [];
  list.items.forEach((item, i) => {
    const path = `variables[${i}]`;
    const name = isMap(item) ? item.get("name") : undefined;
    if (typeof name !== "string" || name.trim() === "") {
      diagnostics.push(diagnostic("error", "GLOBALS_ENTRY", path, at(item as Node), messages.entry[lang]));
      return;
    }
    const map = item as { has(key: string): boolean; get(key: string, keepNode: true): unknown };
    if (!map.has("value")) {
      diagnostics.push(diagnostic("warning", "GLOBALS_NO_VALUE", path, at(item as Node), messages.noValue[lang]));
      return;
    }
    if (Object.hasOwn(variables, name)) {
      diagnostics.push(diagnostic("warning", "GLOBALS_DUPLICATE", `${path}.name`, at(map.get("name", true)), messages.duplicate[lang]));
    }
    // The YAML core schema yields JSON values only.
    variables[name] = (item as { toJSON(): { value: JsonValue } }).toJSON().value;
  });
  return { variables, diagnostics };
}
