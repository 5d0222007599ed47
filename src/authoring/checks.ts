/**
 * Validation of workspace files, the same on every path: a file write answers
 * with these diagnostics, the draft status counts them, and publish refuses a
 * workspace where any file has an error. Each file is checked in the context
 * of its project (the globals it may use, the template schemes that exist).
 */
import { parse as parseYaml } from "yaml";
import { load } from "../engine/script";
import { loadCrisisScript, type VariableMap } from "../engine";
import type { Language } from "../engine/script/schema";
import type { FileKind } from "../store/schema/projects";
import { parseGlobals, type DiagnosticLang } from "./globals";
import { byteLength, contentHash } from "../store/hash";
import type { Diagnostic } from "./models";
import { DEFAULT_SCHEME, GLOBALS_PATH, classifyPath } from "./paths";
import { checkTemplate } from "./templates";
import { parseTest } from "./testing/parse";

export interface WorkspaceContext {
  globals: VariableMap;
  schemes: Set<string>;
  /** Every path of the workspace: a test names the script it runs by path. */
  paths: Set<string>;
}

export interface SessionInfo {
  sessionId: string;
  sessionName: string | null;
  language: Language;
  templateScheme: string | null;
}

export interface CheckedFile {
  path: string;
  content: string;
  kind: FileKind;
  contentHash: string;
  size: number;
  diagnostics: Diagnostic[];
  /** Set for session scripts that load. */
  session: SessionInfo | null;
}

export const hasErrors = (diagnostics: readonly Diagnostic[]) => diagnostics.some((d) => d.severity === "error");

/** What files are checked against: the workspace's globals and template schemes. */
export function contextOf(files: readonly { path: string; content: string }[]): WorkspaceContext {
  const globalsFile = files.find((f) => f.path === GLOBALS_PATH);
  const schemes = new Set<string>();
  for (const f of files) {
    const c = classifyPath(f.path);
    if (c?.category === "template") schemes.add(c.scheme);
  }
  return { globals: globalsFile ? parseGlobals(globalsFile.content).variables : {}, schemes, paths: new Set(files.map((f) => f.path)) };
}

/** Session or technique, for scripts the loader could not classify (so they are stored with their errors). */
function guessScriptKind(yaml: string): FileKind {
  try {
    const doc: unknown = parseYaml(yaml);
    if (doc && typeof doc === "object" && "topic" in doc && !("session" in doc)) return "technique";
  } catch {
    // unparseable: the loader's diagnostics say why
  }
  return "session";
}

function lineOf(text: string, pattern: RegExp): { line: number; column: number } {
  const lines = text.split("\n");
  const i = lines.findIndex((l) => pattern.test(l));
  return i < 0 ? { line: 1, column: 1 } : { line: i + 1, column: (lines[i]?.search(/\S/) ?? 0) + 1 };
}

const schemeMissing = {
  en: (s: string) => `This project has no template scheme "${s}".`,
  "zh-CN": (s: string) => `项目中没有名为 "${s}" 的模板方案。`,
};

function checkScript(content: string, ctx: WorkspaceContext, lang: DiagnosticLang) {
  const result = load(content, { lang, knownVariables: Object.keys(ctx.globals) });
  const diagnostics: Diagnostic[] = [...result.diagnostics];
  const kind: FileKind = result.kind ?? guessScriptKind(content);
  let session: SessionInfo | null = null;
  if (result.script && "session" in result.script) {
    const s = result.script.session;
    const scheme = s.template_scheme && s.template_scheme !== DEFAULT_SCHEME ? s.template_scheme : null;
    if (scheme && !ctx.schemes.has(scheme)) {
      diagnostics.push({
        severity: "error",
        code: "TEMPLATE_SCHEME_NOT_FOUND",
        path: "session.template_scheme",
        ...lineOf(content, /^\s*template_scheme\s*:/),
        message: schemeMissing[lang](scheme),
        suggestion: ctx.schemes.size
          ? `Use one of: ${[DEFAULT_SCHEME, ...ctx.schemes].join(", ")}.`
          : `Create the scheme first, or use "${DEFAULT_SCHEME}".`,
      });
    }
    session = { sessionId: s.session_id, sessionName: s.session_name ?? null, language: s.language ?? "zh-CN", templateScheme: scheme };
  }
  return { kind, diagnostics, session };
}

const crisisMessages = {
  en: {
    notProtocol: (problems: string[]) => `This file is not a crisis protocol: ${problems.join(" ")}`,
    language: (wanted: Language, found: Language) =>
      `A file at crisis/${wanted}.yaml is the protocol of ${wanted} scripts; this one speaks ${found}.`,
  },
  "zh-CN": {
    notProtocol: (problems: string[]) => `此文件不是危机处理流程：${problems.join(" ")}`,
    language: (wanted: Language, found: Language) => `crisis/${wanted}.yaml 是 ${wanted} 脚本的危机流程；此文件的语言是 ${found}。`,
  },
};

/**
 * A project's crisis protocol (crisis/<language>.yaml): the engine's loader and protocol contract
 * (loadCrisisScript), and the language its path names. Kind `session` (it is a session script),
 * but no session starts it: sessions of that language run it when a client's words show a risk.
 */
export function checkCrisis(content: string, language: Language, lang: DiagnosticLang): Diagnostic[] {
  const loaded = loadCrisisScript(content);
  const diagnostics: Diagnostic[] = [...loaded.diagnostics];
  const error = (code: string, at: RegExp, message: string) =>
    diagnostics.push({ severity: "error", code, path: "session", ...lineOf(content, at), message });
  if (loaded.problems.length) error("CRISIS_SCRIPT_INVALID", /^\s*session\s*:/, crisisMessages[lang].notProtocol(loaded.problems));
  const found = loaded.script?.session.language ?? "zh-CN";
  if (loaded.script && found !== language) error("CRISIS_LANGUAGE_MISMATCH", /^\s*language\s*:/, crisisMessages[lang].language(language, found));
  return diagnostics;
}

const testMessages = {
  en: { noScript: (p: string) => `The project has no script ${p}; \`script:\` names a session script by its path.` },
  "zh-CN": { noScript: (p: string) => `项目中没有脚本 ${p}；\`script:\` 用路径指定一个会谈脚本。` },
};

/** A conversation test (tests/<name>.test.yaml): its format, and that the script it runs is in the project. Running it is publish's job. */
function checkTest(content: string, ctx: WorkspaceContext, lang: DiagnosticLang): Diagnostic[] {
  const parsed = parseTest(content);
  if (!("test" in parsed))
    return [{ severity: "error", code: "TEST_INVALID", path: "(root)", line: parsed.line ?? 1, column: 1, message: parsed.message }];
  if (ctx.paths.has(parsed.test.script)) return [];
  const line = parsed.lineOf(["script"]);
  return [
    { severity: "error", code: "TEST_SCRIPT_NOT_FOUND", path: "script", line, column: 1, message: testMessages[lang].noScript(parsed.test.script) },
  ];
}

export async function checkFile(path: string, content: string, ctx: WorkspaceContext, lang: DiagnosticLang): Promise<CheckedFile> {
  const where = classifyPath(path);
  const base = { path, content, contentHash: await contentHash(content), size: byteLength(content) };
  if (where?.category === "globals") {
    return { ...base, kind: "globals", diagnostics: parseGlobals(content, lang).diagnostics, session: null };
  }
  if (where?.category === "template") {
    return { ...base, kind: "template", diagnostics: checkTemplate(where.template, content), session: null };
  }
  if (where?.category === "test") {
    return { ...base, kind: "test", diagnostics: checkTest(content, ctx, lang), session: null };
  }
  if (where?.category === "crisis") {
    return { ...base, kind: "session", diagnostics: checkCrisis(content, where.language, lang), session: null };
  }
  return { ...base, ...checkScript(content, ctx, lang) };
}

/** Checks every file of a workspace against the workspace itself. */
export function checkWorkspace(files: readonly { path: string; content: string }[], lang: DiagnosticLang): Promise<CheckedFile[]> {
  const ctx = contextOf(files);
  return Promise.all(files.map((f) => checkFile(f.path, f.content, ctx, lang)));
}
