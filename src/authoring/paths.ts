import { z } from "@hono/zod-openapi";
import { languages, type Language } from "../engine/script/schema";

/** The one globals file of a project: `variables: [{ name, value }]`. */
export const GLOBALS_PATH = "globals.yaml";
/** Prompt templates live at templates/<scheme>/<templateName>.md. */
export const TEMPLATES_DIR = "templates";
/** The engine's bundled templates; read-only, never stored in a project. */
export const DEFAULT_SCHEME = "default";
/** A project's own crisis protocol lives at crisis/<language>.yaml (`crisis/en.yaml`, `crisis/zh-CN.yaml`): one per script language. */
export const CRISIS_DIR = "crisis";
/** Conversation tests live at tests/<name>.test.yaml (authoring/testing). */
export const TESTS_DIR = "tests";
export const TEST_SUFFIX = ".test.yaml";

export const MAX_PATH_LENGTH = 200;
const segment = /^[\p{L}\p{N}_-][\p{L}\p{N}_.-]*$/u;

export const SchemeNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, _ and - (at most 64)")
  .openapi({ example: "gentle" });

/**
 * A workspace path: relative, `/`-separated, no `.`/`..` segments or hidden
 * names; `.yaml`/`.yml` scripts, `globals.yaml`, `templates/<scheme>/<name>.md`,
 * `crisis/<language>.yaml`, or conversation tests `tests/<name>.test.yaml`.
 */
export const FilePathSchema = z
  .string()
  .min(1)
  .max(MAX_PATH_LENGTH)
  .refine((p) => p.split("/").every((s) => segment.test(s)), "use relative paths of letters, digits, _, - and . (no hidden or empty segments)")
  .refine(
    (p) => classifyPath(p) !== null,
    `scripts end in .yaml or .yml; templates are ${TEMPLATES_DIR}/<scheme>/<template>.md; crisis protocols ${CRISIS_DIR}/en.yaml or ${CRISIS_DIR}/zh-CN.yaml; tests ${TESTS_DIR}/<name>${TEST_SUFFIX}`,
  )
  .openapi({ example: "sessions/intake_en.yaml" });

export type PathClass =
  | { category: "globals" }
  | { category: "script" }
  | { category: "template"; scheme: string; template: string }
  | { category: "crisis"; language: Language }
  | { category: "test" };

/** What a path holds; null for paths the workspace does not accept. */
export function classifyPath(path: string): PathClass | null {
  if (path === GLOBALS_PATH) return { category: "globals" };
  const parts = path.split("/");
  if (parts[0] === TEMPLATES_DIR) {
    const [, scheme, file, ...rest] = parts;
    if (rest.length || !scheme || !file?.endsWith(".md")) return null;
    if (!SchemeNameSchema.safeParse(scheme).success || scheme === DEFAULT_SCHEME) return null;
    return { category: "template", scheme, template: file.slice(0, -3) };
  }
  if (parts[0] === CRISIS_DIR) {
    const language = languages.find((l) => path === crisisPath(l));
    return language ? { category: "crisis", language } : null;
  }
  if (parts[0] === TESTS_DIR && path.endsWith(TEST_SUFFIX)) return { category: "test" };
  return /\.ya?ml$/.test(path) ? { category: "script" } : null;
}

export function crisisPath(language: Language): string {
  return `${CRISIS_DIR}/${language}.yaml`;
}

export function templatePath(scheme: string, template: string): string {
  return `${TEMPLATES_DIR}/${scheme}/${template}.md`;
}

export function fileName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
