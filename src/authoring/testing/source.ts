/**
 * What a test's session runs, from a project's files (the draft, a version,
 * or a folder on disk): the script, the project's globals, the template
 * scheme the script names and the project's crisis protocol for its
 * language — what a real session of that script gets (authoring/resolve.ts).
 */
import { loadCrisisScript, templateNames, type SessionScript, type TemplateName, type VariableMap } from "../../engine";
import { load } from "../../engine/script";
import { hasErrors } from "../checks";
import { parseGlobals, type DiagnosticLang } from "../globals";
import type { Diagnostic } from "../models";
import { DEFAULT_SCHEME, GLOBALS_PATH, crisisPath, templatePath } from "../paths";
import { checkTemplate } from "../templates";
import { testMessages, type TestMessages } from "./messages";

/** A project's file by path; undefined when there is none. */
export type ProjectFiles = (path: string) => Promise<string | undefined>;

export interface ScriptSource {
  script: SessionScript;
  globals: VariableMap;
  templates: Partial<Record<TemplateName, string>>;
  crisisScript: SessionScript | undefined;
}

function firstError(t: TestMessages, path: string, diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error");
  const d = errors[0]!;
  return t.fileErrors(path, errors.length, d.line, d.message);
}

/** The session `scriptPath` runs, or why it cannot run. */
export async function scriptSource(files: ProjectFiles, scriptPath: string, lang: DiagnosticLang): Promise<ScriptSource | string> {
  const t = testMessages[lang];
  const [yaml, globalsText] = await Promise.all([files(scriptPath), files(GLOBALS_PATH)]);
  if (yaml === undefined) return t.noScript(scriptPath);
  const parsedGlobals = globalsText === undefined ? null : parseGlobals(globalsText, lang);
  if (parsedGlobals && hasErrors(parsedGlobals.diagnostics)) return firstError(t, GLOBALS_PATH, parsedGlobals.diagnostics);
  const globals = parsedGlobals?.variables ?? {};
  const loaded = load(yaml, { lang, knownVariables: Object.keys(globals) });
  if (hasErrors(loaded.diagnostics)) return firstError(t, scriptPath, loaded.diagnostics);
  if (!loaded.script || !("session" in loaded.script)) return t.technique(scriptPath);
  const script = loaded.script;

  const templates: Partial<Record<TemplateName, string>> = {};
  const scheme = script.session.template_scheme;
  if (scheme && scheme !== DEFAULT_SCHEME) {
    const texts = await Promise.all(templateNames.map((name) => files(templatePath(scheme, name))));
    for (const [i, name] of templateNames.entries()) {
      const text = texts[i];
      if (text === undefined) continue;
      const issues = checkTemplate(name, text);
      if (hasErrors(issues)) return firstError(t, templatePath(scheme, name), issues);
      templates[name] = text;
    }
    if (!Object.keys(templates).length) return t.noScheme(scriptPath, scheme);
  }

  const language = script.session.language ?? "zh-CN";
  const crisisText = await files(crisisPath(language));
  let crisisScript: SessionScript | undefined;
  if (crisisText !== undefined) {
    const crisis = loadCrisisScript(crisisText);
    if (!crisis.script) {
      const path = crisisPath(language);
      return crisis.problems.length ? t.notCrisis(path, crisis.problems.join(" ")) : firstError(t, path, crisis.diagnostics);
    }
    crisisScript = crisis.script;
  }
  return { script, globals, templates, crisisScript };
}
