/**
 * A file's unified patch (FileDiff.patch) shown unified or side by side,
 * added and removed lines highlighted, with the line numbers of each side.
 */
import type { Strings } from "../client/i18n";
import { h } from "../ui/dom";
import type { VersionDiff } from "./workspace-api";

export type DiffLayout = "unified" | "split";

interface Row {
  kind: "context" | "add" | "del" | "hunk";
  text: string;
  oldLine?: number;
  newLine?: number;
}

function rowsOf(patch: string): Row[] {
  const rows: Row[] = [];
  let oldLine = 0;
  let newLine = 0;
  for (const line of patch.split("\n")) {
    if (line.startsWith("--- ") || line.startsWith("+++ ") || line.startsWith("\\")) continue;
    const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (hunk) {
      oldLine = Number(hunk[1]);
      newLine = Number(hunk[2]);
      rows.push({ kind: "hunk", text: line });
    } else if (line.startsWith("+")) rows.push({ kind: "add", text: line.slice(1), newLine: newLine++ });
    else if (line.startsWith("-")) rows.push({ kind: "del", text: line.slice(1), oldLine: oldLine++ });
    else if (line.startsWith(" ")) rows.push({ kind: "context", text: line.slice(1), oldLine: oldLine++, newLine: newLine++ });
  }
  return rows;
}

const num = (n: number | undefined) => h("td", { class: "num" }, n === undefined ? "" : String(n));
const code = (row: Row | undefined, cls = row?.kind ?? "empty") =>
  h(
    "td",
    { class: `code ${cls}` },
    row ? h("span", { class: "mark", "aria-hidden": "true" }, { add: "+", del: "−", context: " ", hunk: "" }[row.kind]) : null,
    row?.text ?? "",
  );

function unified(rows: Row[]): HTMLElement[] {
  return rows.map((row) =>
    row.kind === "hunk"
      ? h("tr", { class: "hunk" }, h("td", { colspan: 3 }, row.text))
      : h("tr", { class: row.kind, "data-kind": row.kind }, num(row.oldLine), num(row.newLine), code(row)),
  );
}

/** Removed lines face the added lines that replaced them, in order. */
function split(rows: Row[]): HTMLElement[] {
  const out: HTMLElement[] = [];
  let i = 0;
  while (i < rows.length) {
    const row = rows[i]!;
    if (row.kind === "hunk") {
      out.push(h("tr", { class: "hunk" }, h("td", { colspan: 4 }, row.text)));
      i++;
    } else if (row.kind === "context") {
      out.push(h("tr", { class: "context" }, num(row.oldLine), code(row), num(row.newLine), code(row)));
      i++;
    } else {
      const dels: Row[] = [];
      const adds: Row[] = [];
      while (rows[i]?.kind === "del") dels.push(rows[i++]!);
      while (rows[i]?.kind === "add") adds.push(rows[i++]!);
      for (let k = 0; k < Math.max(dels.length, adds.length); k++) {
        const d = dels[k];
        const a = adds[k];
        out.push(h("tr", { class: "change" }, num(d?.oldLine), code(d), num(a?.newLine), code(a)));
      }
    }
  }
  return out;
}

export function renderDiff(t: Strings, diff: VersionDiff, layout: DiffLayout): HTMLElement {
  const { summary } = diff;
  const files = diff.files.map((file) => {
    const rows = rowsOf(file.patch);
    const head =
      layout === "split"
        ? h("tr", {}, h("th", { colspan: 2 }, diff.compareWith.versionNumber), h("th", { colspan: 2 }, diff.version.versionNumber))
        : h("tr", {}, h("th", {}, diff.compareWith.versionNumber), h("th", {}, diff.version.versionNumber), h("th", {}, ""));
    return h(
      "section",
      { class: "diff-file", "data-path": file.path, "data-status": file.status },
      h(
        "h4",
        {},
        `${file.path} `,
        h("span", { class: `badge ${file.status}` }, t.ws.changeStatus[file.status]),
        ` +${file.additions} −${file.deletions}`,
      ),
      h(
        "div",
        { class: "diff-scroll" },
        h("table", { class: `diff ${layout}` }, h("thead", {}, head), h("tbody", {}, ...(layout === "split" ? split(rows) : unified(rows)))),
      ),
    );
  });
  return h(
    "div",
    { class: "diff-view", id: "diff-view", "data-layout": layout },
    h("p", { class: "hint", id: "diff-summary" }, t.ws.diffSummary(diff.compareWith.versionNumber, diff.version.versionNumber, summary)),
    ...files,
  );
}
