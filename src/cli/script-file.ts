/** Scripts read from files for the commands that run or check them in-process. */
import { readFile } from "node:fs/promises";
import type { SessionScript } from "../engine";
import { load, type TechniqueScript, type TechniqueSource } from "../engine/script";

export const techniqueUsage = "[--technique <file>]…";

/**
 * Takes the `--technique FILE` flags (repeatable) out of args: technique scripts a session's use_skill may name,
 * by technique_id or by the path as given. Returns the files and the other arguments, or what is wrong.
 */
export function takeTechniqueFlags(args: string[]): { files: string[]; rest: string[] } | string {
  const files: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg !== "--technique" && !arg.startsWith("--technique=")) {
      rest.push(arg);
      continue;
    }
    const value = arg === "--technique" ? args[++i] : arg.slice("--technique=".length);
    if (!value || value.startsWith("--")) return "--technique needs a file";
    files.push(value);
  }
  return { files, rest };
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    throw new Error(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? "unknown error"})`);
  }
}

function errorsOf(file: string, diagnostics: ReturnType<typeof load>["diagnostics"]): string {
  const errors = diagnostics.filter((d) => d.severity === "error");
  return [
    `${file} has ${errors.length} error(s); run \`heartrule validate ${file}\` for details:`,
    ...errors.map((d) => `  ${d.line}:${d.column} ${d.code} ${d.message}`),
  ].join("\n");
}

/** The technique files, loaded (their warnings are validate's business), or why one cannot be used. */
export async function loadTechniques(files: readonly string[]): Promise<TechniqueSource[] | string> {
  const techniques: TechniqueSource[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readText(file);
    } catch (err) {
      return (err as Error).message;
    }
    const { script, kind, diagnostics } = load(text);
    if (!script) return errorsOf(file, diagnostics);
    if (kind !== "technique") return `${file} is a session script, not a technique (--technique takes technique scripts).`;
    techniques.push({ path: file, script: script as TechniqueScript });
  }
  return techniques;
}

/** The script, or a message saying why it cannot run (unreadable, invalid, not a session script). */
export async function loadSessionScript(file: string, techniques: readonly TechniqueSource[] = []): Promise<SessionScript | string> {
  let text: string;
  try {
    text = await readText(file);
  } catch (err) {
    return (err as Error).message;
  }
  const { script, kind, diagnostics } = load(text, { techniques });
  if (!script) return errorsOf(file, diagnostics);
  if (kind !== "session") return `${file} is a technique script: only session scripts run on their own (run one with use_skill).`;
  return script as SessionScript;
}
