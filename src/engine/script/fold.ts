/**
 * Line folding for what the client reads. Authors write long `content` as a
 * YAML literal block (`|`) and wrap it to fit their editor; those wraps are
 * not meant as line breaks in a chat bubble. A single newline becomes a space
 * (nothing between Chinese or Japanese characters), a blank line stays a
 * paragraph break, and a line that starts a list item keeps its own line.
 */

/** Fields whose literal blocks are folded: `content` and the legacy names the loader maps to it. */
export const FOLDED_FIELDS: ReadonlySet<string> = new Set(["content", "content_template", "question_template", "prompt_template", "think_goal"]);

const LIST_ITEM = /^\s*(?:[-*•·]|\d+[.)、]|[（(]?\d+[）)])\s/u;
const WIDE = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/u;

function joinLines(lines: string[]): string {
  let out = lines[0]!.trimEnd();
  for (const raw of lines.slice(1)) {
    const line = raw.trim();
    if (line === "") continue;
    if (LIST_ITEM.test(raw)) {
      out += `\n${line}`;
      continue;
    }
    const before = out.at(-1) ?? "";
    out += WIDE.test(before) || WIDE.test(line[0]!) ? line : ` ${line}`;
  }
  return out;
}

export function foldLines(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .trim()
    .split(/\n[ \t]*\n+/)
    .map((paragraph) => joinLines(paragraph.split("\n")))
    .join("\n\n");
}
