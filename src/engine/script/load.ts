/**
 * `load(yaml)`: YAML text → a modern Script, or diagnostics saying exactly
 * what to change and where.
 *
 * Steps: parse with positions (source.ts) → recognise the kind of script →
 * map older field names and report unknown ones (normalise.ts) → validate
 * types and values with the zod schema (schema.ts) → checks the schema
 * cannot express (checks.ts). Every step reports; the script is returned
 * only when nothing is at error level.
 */
import type { z } from "zod";
import { ScriptChecks } from "./checks";
import { DiagnosticList, type Diagnostic } from "./diagnostics";
import { FlowChecks } from "./flow";
import { placeName, requiredExample, typeExample, typeName, type MessageLanguage } from "./messages";
import { isRecord, Normaliser, type Place } from "./normalise";
import { SessionScriptSchema, TechniqueScriptSchema, type Language, type ResolvedTechniques, type Script, type SessionScript } from "./schema";
import { SkillLibrary, type TechniqueSource } from "./skills";
import { closest } from "./similar";
import { formatPath, MAX_DEPTH, parseSource, TooComplexError, type ParsedSource, type Segment, type SourceMap } from "./source";

export interface LoadOptions {
  /** Language of the messages; default English. */
  lang?: MessageLanguage;
  /** Initial variables and project globals: names a placeholder may use without an earlier action filling them. */
  knownVariables?: string[];
  /** Technique files a session's use_skill may run (the project's), besides the bundled techniques. */
  techniques?: readonly TechniqueSource[];
}

export type ScriptKind = "session" | "technique";

export interface LoadResult {
  /** Present exactly when no diagnostic is an error. Always in the modern form. */
  script?: Script;
  kind?: ScriptKind;
  diagnostics: Diagnostic[];
}

export function load(yaml: string, options: LoadOptions = {}): LoadResult {
  const list = new DiagnosticList(options.lang ?? "en");
  let parsed: ParsedSource;
  try {
    parsed = parseSource(yaml);
  } catch (err) {
    if (err instanceof TooComplexError) {
      const id = err.reason === "nodes" ? "yaml.tooManyNodes" : "yaml.tooDeep";
      list.add("YAML_TOO_COMPLEX", id, { max: err.max }, err.path, err.at);
      return { diagnostics: list.sorted() };
    }
    throw err;
  }
  const { document, map } = parsed;
  if (document.errors.length > 0) {
    yamlErrors(parsed, list);
    return { diagnostics: list.sorted() };
  }
  for (const warning of document.warnings) {
    list.add("YAML_WARNING", "yaml.warning", { detail: firstLine(warning.message) }, [], map.loc(warning.pos[0]));
  }

  const root = parsed.value;
  const kind = recognise(root, map, list);
  if (!kind || !isRecord(root)) return { diagnostics: list.sorted() };

  const normaliser = new Normaliser(list, map);
  const tree = normaliser.root(root, kind);
  const script = validate(tree, kind, map, list, normaliser.suppressed);
  const skills = new SkillLibrary(options.techniques ?? [], languageOf(tree));
  new ScriptChecks(list, map).run(tree, options.knownVariables ?? [], skills);
  new FlowChecks(list, map).run(tree);
  if (list.hasErrors || !script) return { kind, diagnostics: list.sorted() };
  return { script: "session" in script ? withTechniques(script, skills) : script, kind, diagnostics: list.sorted() };
}

function languageOf(tree: Record<string, unknown>): Language {
  const language = isRecord(tree.session) ? tree.session.language : undefined;
  return language === "en" ? "en" : "zh-CN";
}

/** The script with the techniques its use_skill actions run (checked to resolve), so that it carries what it runs. */
function withTechniques(script: SessionScript, skills: SkillLibrary): SessionScript {
  const techniques: ResolvedTechniques = {};
  for (const phase of script.session.phases)
    for (const topic of phase.topics)
      for (const action of topic.actions) {
        if (action.action_type !== "use_skill") continue;
        const skill = action.config.skill;
        techniques[skill] ??= skills.resolve(skill)!;
      }
  return Object.keys(techniques).length ? { ...script, techniques } : script;
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

function yamlErrors({ document, map }: ParsedSource, list: DiagnosticList): void {
  // After the first real syntax error the parser's further complaints are echoes of it.
  let reported = false;
  for (const error of document.errors) {
    const at = map.loc(error.pos[0]);
    if (error.code === "DUPLICATE_KEY") {
      const key =
        /^[^:\n]*/
          .exec(map.text.slice(error.pos[0]))?.[0]
          ?.trim()
          .replace(/^["']|["']$/g, "") || "?";
      list.add("DUPLICATE_KEY", "yaml.duplicateKey", { key }, [], at);
      continue;
    }
    if (reported) continue;
    reported = true;
    // The parser recurses on nested flow collections; it reports running out of stack as an error.
    if (/call stack/i.test(error.message)) {
      list.add("YAML_TOO_COMPLEX", "yaml.tooDeep", { max: MAX_DEPTH }, [], at);
      continue;
    }
    const id =
      error.code === "TAB_AS_INDENT"
        ? "yaml.tab"
        : error.code === "BAD_DQ_ESCAPE"
          ? "yaml.escape"
          : error.code === "MULTIPLE_DOCS"
            ? "yaml.documents"
            : error.code === "BAD_ALIAS"
              ? "yaml.alias"
              : "yaml.generic";
    list.add("YAML_SYNTAX", id, { detail: firstLine(error.message) }, [], at);
  }
}

function recognise(root: unknown, map: SourceMap, list: DiagnosticList): ScriptKind | undefined {
  const at = map.valueLoc([]);
  if (root === null || root === undefined) {
    list.add("UNRECOGNISED_SCRIPT", "script.empty", {}, [], at);
    return undefined;
  }
  if (!isRecord(root)) {
    const type = typeName(Array.isArray(root) ? "array" : typeof root, list.lang);
    list.add("UNRECOGNISED_SCRIPT", "script.notMap", { type }, [], at);
    return undefined;
  }
  if ("session" in root) return "session";
  if ("topic" in root) return "technique";
  // A near-miss such as `sesion:` is a spelling slip, not an unknown kind of file.
  const kinds = ["session", "topic"];
  const slip = Object.keys(root).find((k) => closest(k, kinds, 1));
  if (slip) {
    list.add(
      "UNKNOWN_FIELD",
      "unknown.didYouMean",
      { field: slip, place: placeName("root", list.lang), candidate: closest(slip, kinds, 1)! },
      [slip],
      map.keyLoc([slip]),
    );
  } else {
    list.add("UNRECOGNISED_SCRIPT", "script.unrecognised", {}, [], at);
  }
  return undefined;
}

function getAt(tree: unknown, path: readonly Segment[]): unknown {
  let node: unknown = tree;
  for (const seg of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return node;
}

function setAt(tree: unknown, path: readonly Segment[], value: unknown): void {
  const parent = getAt(tree, path.slice(0, -1));
  if (parent !== null && typeof parent === "object") (parent as Record<string | number, unknown>)[path[path.length - 1]!] = value;
}

/** Which kind of object holds the field at `path` (for "X needs Y" messages). */
function placeOf(tree: unknown, path: readonly Segment[]): Place {
  const last = path[path.length - 1];
  const prev = path[path.length - 2];
  if (last === undefined) return "root";
  if (typeof last === "number") {
    const byList: Record<string, Place> = {
      phases: "phase",
      topics: "topic",
      actions: "action",
      output: "output",
      custom_conditions: "custom_condition",
      next: "branch",
      inputs: "technique_input",
      outputs: "technique_output",
    };
    return byList[String(prev)] ?? "root";
  }
  if (last === "config") {
    const type = getAt(tree, [...path.slice(0, -1), "action_type"]);
    return type === "ai_ask" || type === "ai_think" || type === "handoff" || type === "set" || type === "use_skill" ? type : "ai_say";
  }
  if (last === "session") return "session";
  if (last === "topic" && path.length === 1) return "topic";
  if (last === "technique" && path.length === 1) return "technique";
  if (last === "exit_criteria") return "exit_criteria";
  if (last === "on_exhausted") return "on_exhausted";
  return "root";
}

function fieldName(path: readonly Segment[]): string {
  const last = path[path.length - 1];
  return typeof last === "number" ? formatPath(path.slice(-2)) : String(last ?? "(root)");
}

function valueType(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value === "object" ? "object" : typeof value;
}

/** YAML that reads a number or boolean where text is meant (`version: 1.0`) is read as its text, with a warning. */
function coerce(issue: z.core.$ZodIssue, tree: unknown, map: SourceMap, list: DiagnosticList): boolean {
  if (issue.code !== "invalid_type") return false;
  const path = issue.path as Segment[];
  const value = getAt(tree, path);
  const field = fieldName(path);
  const at = map.valueLoc(path);
  if (issue.expected === "string" && (typeof value === "number" || typeof value === "boolean")) {
    const text = map.plainText(path) ?? String(value);
    setAt(tree, path, text);
    list.add("TYPE_COERCED", "coerced.toText", { field, from: typeName(typeof value, list.lang), value: text }, path, at);
    return true;
  }
  if ((issue.expected === "number" || issue.expected === "int") && typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) {
    setAt(tree, path, Number(value));
    list.add("TYPE_COERCED", "coerced.toNumber", { field, value: value.trim() }, path, at);
    return true;
  }
  return false;
}

function validate(
  tree: Record<string, unknown>,
  kind: ScriptKind,
  map: SourceMap,
  list: DiagnosticList,
  suppressed: Set<string>,
): Script | undefined {
  const schema = kind === "session" ? SessionScriptSchema : TechniqueScriptSchema;
  let result = schema.safeParse(tree);
  if (!result.success && result.error.issues.map((i) => coerce(i, tree, map, list)).some(Boolean)) {
    result = schema.safeParse(tree);
  }
  if (result.success) return result.data;
  const hidden = (path: Segment[]) => {
    for (let n = path.length; n >= 0; n--) if (suppressed.has(formatPath(path.slice(0, n)))) return true;
    return false;
  };
  for (const issue of result.error.issues.flatMap(unionExpanded)) {
    const path = issue.path as Segment[];
    if (!hidden(path)) schemaIssue(issue, path, tree, map, list);
  }
  return undefined;
}

function schemaIssue(issue: z.core.$ZodIssue, path: Segment[], tree: unknown, map: SourceMap, list: DiagnosticList): void {
  const lang = list.lang;
  const value = getAt(tree, path);
  const field = fieldName(path);
  const at = map.valueLoc(path);
  switch (issue.code) {
    case "invalid_type": {
      if (value === undefined) {
        const place = placeName(placeOf(tree, path.slice(0, -1)), lang);
        list.add("REQUIRED_FIELD", "required.field", { field, place, example: requiredExample(field, lang) }, path, map.keyLoc(path));
      } else if (issue.expected === "int" && typeof value === "number") {
        list.add("INVALID_VALUE", "value.integer", { field, value, fix: Math.max(1, Math.round(value)) }, path, at);
      } else {
        const expected = issue.expected === "int" ? "int" : String(issue.expected);
        list.add(
          "TYPE_MISMATCH",
          "type.mismatch",
          { field, expected: typeName(expected, lang), actual: typeName(valueType(value), lang), example: typeExample(expected, field, lang) },
          path,
          at,
        );
      }
      return;
    }
    case "too_small": {
      if (issue.origin === "string") list.add("INVALID_VALUE", "value.empty", { field, example: requiredExample(field, lang) }, path, at);
      else if (issue.origin === "array") list.add("INVALID_VALUE", "value.emptyList", { field, example: requiredExample(field, lang) }, path, at);
      else list.add("INVALID_VALUE", "value.min", { field, min: Number(issue.minimum), value: String(value) }, path, at);
      return;
    }
    case "too_big": {
      if (issue.origin === "string")
        list.add("INVALID_VALUE", "value.tooLong", { field, max: Number(issue.maximum), length: String(value).length }, path, at);
      else if (issue.origin === "array") list.add("INVALID_VALUE", "value.generic", { field, detail: issue.message }, path, at);
      else list.add("INVALID_VALUE", "value.max", { field, max: Number(issue.maximum), value: String(value) }, path, at);
      return;
    }
    case "invalid_format": {
      if (field === "session_id") {
        const example =
          String(value)
            .replace(/[^A-Za-z0-9_]+/g, "_")
            .replace(/^_+|_+$/g, "") || "intake_v1";
        list.add("INVALID_VALUE", "value.sessionId", { example }, path, at);
      } else {
        list.add("INVALID_VALUE", "value.generic", { field, detail: issue.message }, path, at);
      }
      return;
    }
    case "invalid_value": {
      const allowed = issue.values.map(String).join(", ");
      const candidate = closest(String(value), issue.values.map(String));
      list.add(
        "INVALID_VALUE",
        candidate ? "value.enumDidYouMean" : "value.enum",
        { field, value: String(value), allowed, ...(candidate ? { candidate } : {}) },
        path,
        at,
      );
      return;
    }
    default:
      list.add("INVALID_VALUE", "value.generic", { field, detail: issue.message }, path, at);
  }
}

/**
 * A union's issue as the issues of the form the value comes closest to (`- if: …` without `then:` is an
 * if-entry missing `then`), with paths from the root, rather than "invalid input".
 */
function unionExpanded(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== "invalid_union") return [issue];
  const nearest = nearestOption(issue.errors);
  if (!nearest) return [issue];
  return nearest.flatMap((sub) => unionExpanded({ ...sub, path: [...issue.path, ...sub.path] } as z.core.$ZodIssue));
}

/** Of a union's forms, the one the value fails least: a form it is not even the kind of (a text for a block) counts last. */
function nearestOption(options: z.core.$ZodIssue[][]): z.core.$ZodIssue[] | undefined {
  const cost = (issues: z.core.$ZodIssue[]) =>
    issues.length + (issues.some((i) => i.path.length === 0 && (i.code === "invalid_type" || i.code === "invalid_value")) ? 100 : 0);
  let best: z.core.$ZodIssue[] | undefined;
  for (const issues of options) if (issues.length > 0 && (!best || cost(issues) < cost(best))) best = issues;
  return best;
}
