/**
 * `heartrule validate <file…> [--json] [--lang en|zh-CN] [--technique <file>]…`: checks scripts the
 * way the API does. Exit 0 when no file has an error (warnings allowed), 1
 * otherwise.
 */
import { readFile } from "node:fs/promises";
import { load, type Diagnostic, type TechniqueScript, type TechniqueSource } from "../../engine/script";
import { describeDiagnostics } from "../diagnostics-text";
import type { Command } from "../main";
import { takeTechniqueFlags, techniqueUsage } from "../script-file";

type Lang = "en" | "zh-CN";

/** A file the CLI could not read is reported like a script problem, with its own code. */
type FileDiagnostic = Omit<Diagnostic, "code"> & { code: Diagnostic["code"] | "FILE_UNREADABLE" };

interface FileResult {
  file: string;
  valid: boolean;
  diagnostics: FileDiagnostic[];
}

const unreadable: Record<Lang, (reason: string) => Pick<Diagnostic, "message" | "suggestion">> = {
  en: (reason) => ({ message: `This file could not be read (${reason}).`, suggestion: "Check the path and that the file is readable." }),
  "zh-CN": (reason) => ({ message: `无法读取这个文件（${reason}）。`, suggestion: "请检查路径以及文件是否可读。" }),
};

async function read(file: string, lang: Lang): Promise<string | FileResult> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? "unknown error";
    const diagnostic: FileDiagnostic = {
      severity: "error",
      code: "FILE_UNREADABLE",
      path: "(root)",
      line: 1,
      column: 1,
      ...unreadable[lang](reason),
    };
    return { file, valid: false, diagnostics: [diagnostic] };
  }
}

/**
 * Checks every file; a session's use_skill may name the techniques among them or given with --technique
 * (by technique_id, or by the path as given), as a project's sessions name the project's techniques.
 */
async function checkAll(files: string[], techniqueFiles: string[], lang: Lang): Promise<FileResult[]> {
  const texts = new Map<string, string | FileResult>();
  for (const file of new Set([...files, ...techniqueFiles])) texts.set(file, await read(file, lang));
  const techniques: TechniqueSource[] = [];
  for (const [file, text] of texts) {
    if (typeof text !== "string") continue;
    const loaded = load(text, { lang });
    if (loaded.kind === "technique" && loaded.script) techniques.push({ path: file, script: loaded.script as TechniqueScript });
  }
  return [...new Set([...files, ...techniqueFiles])].map((file) => {
    const text = texts.get(file)!;
    if (typeof text !== "string") return text;
    const { diagnostics } = load(text, { lang, techniques });
    return { file, valid: !diagnostics.some((d) => d.severity === "error"), diagnostics };
  });
}

function human(results: FileResult[], lang: Lang): string {
  const out: string[] = [];
  for (const { file, diagnostics } of results) {
    if (diagnostics.length === 0) continue;
    out.push(...describeDiagnostics(file, diagnostics), "");
  }
  const errors = results.flatMap((r) => r.diagnostics).filter((d) => d.severity === "error").length;
  const warnings = results.flatMap((r) => r.diagnostics).length - errors;
  const failed = results.filter((r) => !r.valid).length;
  out.push(
    lang === "en"
      ? `${results.length} file(s) checked: ${failed} with errors; ${errors} error(s), ${warnings} warning(s).`
      : `已检查 ${results.length} 个文件：${failed} 个有错误；共 ${errors} 个错误、${warnings} 个警告。`,
  );
  return out.join("\n");
}

export const validateCommand: Command = {
  summary: "Check counseling scripts and explain every problem with its line and column.",
  usage: `heartrule validate <file…> [--json] [--lang en|zh-CN] ${techniqueUsage}`,
  async run(all) {
    const taken = takeTechniqueFlags(all);
    if (typeof taken === "string") {
      console.error(`heartrule validate: ${taken}\nusage: ${this.usage}`);
      return 1;
    }
    const args = taken.rest;
    let json = false;
    let lang: Lang = "en";
    const files: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (arg === "--json") json = true;
      else if (arg === "--lang" || arg.startsWith("--lang=")) {
        const value = arg === "--lang" ? args[++i] : arg.slice("--lang=".length);
        if (value !== "en" && value !== "zh-CN") {
          console.error(`heartrule validate: --lang takes en or zh-CN${value ? `, not '${value}'` : ""}`);
          return 1;
        }
        lang = value;
      } else if (arg.startsWith("-")) {
        console.error(`heartrule validate: unknown option '${arg}'\nusage: ${this.usage}`);
        return 1;
      } else files.push(arg);
    }
    if (files.length === 0) {
      console.error(`heartrule validate: name at least one script file\nusage: ${this.usage}`);
      return 1;
    }
    const results = await checkAll(files, taken.files, lang);
    console.log(json ? JSON.stringify(results, null, 2) : human(results, lang));
    return results.every((r) => r.valid) ? 0 : 1;
  },
};
