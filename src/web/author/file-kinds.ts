/**
 * The kinds of file an author adds from the workspace: where each lives
 * (the server decides a file's kind from its path and content,
 * src/authoring/paths.ts) and what a new one starts with.
 */
import helloEn from "../../authoring/starters/hello_world.en.yaml";
import helloZh from "../../authoring/starters/hello_world.zh-CN.yaml";
import type { Lang } from "../client/i18n";
import type { FileSummary } from "./workspace-api";

export const newFileKinds = ["session", "technique", "template", "test"] as const;
export type NewFileKind = (typeof newFileKinds)[number];
export type TreeGroup = NewFileKind | "other";

/** A file name: letters, digits, _ and - (the server accepts a little more; this keeps paths plain). */
export const NAME_PATTERN = "[\\p{L}\\p{N}_\\-]+";

export function pathFor(kind: NewFileKind, name: string, scheme: string): string {
  switch (kind) {
    case "session":
      return `sessions/${name}.yaml`;
    case "technique":
      return `techniques/${name}.yaml`;
    case "template":
      return `templates/${scheme}/${name}.md`;
    case "test":
      return `tests/${name}.test.yaml`;
  }
}

function isTestPath(path: string): boolean {
  return path.startsWith("tests/") && path.endsWith(".test.yaml");
}

export function groupOf(file: Pick<FileSummary, "kind" | "path">): TreeGroup {
  if (file.kind === "session" || file.kind === "technique" || file.kind === "template" || file.kind === "test") return file.kind;
  return "other";
}

/** Scripts are checked live by POST /api/scripts/validate; other files by the save itself. */
export function checkedLive(path: string): boolean {
  return /\.ya?ml$/.test(path) && path !== "globals.yaml" && !path.startsWith("crisis/") && !isTestPath(path);
}

/** What a new script or test starts with; a template starts from the engine's own text (asked of the server). */
export function starterContent(kind: Exclude<NewFileKind, "template">, name: string, lang: Lang): string {
  switch (kind) {
    case "session":
      return (lang === "zh-CN" ? helloZh : helloEn).replace("session_id: hello_world", `session_id: ${name}`);
    case "technique":
      return [
        "topic:",
        `  topic_id: ${name}`,
        `  topic_name: ${name}`,
        "  actions:",
        "    - action_type: ai_say",
        "      action_id: say_intro",
        "      config:",
        `        content: ${lang === "zh-CN" ? "我们来试一个小练习。" : "Let's try a short exercise."}`,
        "        max_rounds: 1",
        "",
      ].join("\n");
    case "test":
      return [
        `# Conversation tests of sessions/${name}.yaml: each case is a conversation, step by step.`,
        `script: sessions/${name}.yaml`,
        "cases:",
        "  - name: the opening",
        "    steps:",
        "      - start: true",
        "        expect:",
        "          status: active",
        "",
      ].join("\n");
  }
}
