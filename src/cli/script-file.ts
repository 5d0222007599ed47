/** A session script read from a file for the commands that run one in-process. */
import { readFile } from "node:fs/promises";
import type { SessionScript } from "../engine";
import { load } from "../engine/script";

/** The script, or a message saying why it cannot run (unreadable, invalid, not a session script). */
export async function loadSessionScript(file: string): Promise<SessionScript | string> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    return `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? "unknown error"})`;
  }
  const { script, kind, diagnostics } = load(text);
  if (!script) {
    const errors = diagnostics.filter((d) => d.severity === "error");
    return [
      `${file} has ${errors.length} error(s); run \`heartrule validate ${file}\` for details:`,
      ...errors.map((d) => `  ${d.line}:${d.column} ${d.code} ${d.message}`),
    ].join("\n");
  }
  if (kind !== "session") return `${file} is a technique script: only session scripts run on their own.`;
  return script as SessionScript;
}
