/**
 * Publishing and the version history: the publish dialog (number and
 * release note; a refusal is shown inside it), the versions newest first,
 * the diff between any two of them, and rollback (asked first; undone by
 * rolling forward to the version that was current).
 */
import { ApiError } from "../client/api";
import type { Strings } from "../client/i18n";
import { h } from "../ui/dom";
import { ask, field, notify, view } from "./dialog";
import { renderDiff, type DiffLayout } from "./diff-view";
import { renderReport } from "./tests-panel";
import type { TestReport } from "../../authoring/testing/report";
import type { VersionSummary, WorkspaceApi } from "./workspace-api";

export interface VersionsContext {
  t: Strings;
  ws: WorkspaceApi;
  projectId: () => string;
  readOnly: () => boolean;
  /** Admins may publish past failing tests. */
  isAdmin: boolean;
  /** Saves what is unsaved before the server snapshots the workspace. */
  flush: () => Promise<void>;
  /** After a publish or a rollback: the project, the files and the audit changed. */
  changed: (opts: { filesReplaced: boolean }) => Promise<void>;
  notices: HTMLElement;
  goTo: (path: string, line: number) => void;
}

/** The next minor number after the highest version, or 1.0.0. */
export function nextVersion(versions: VersionSummary[]): string {
  const top = versions[0]?.versionNumber;
  if (!top) return "1.0.0";
  const [major = 0, minor = 0] = top.split(".").map(Number);
  return `${major}.${minor + 1}.0`;
}

export class VersionsPanel {
  private versions: VersionSummary[] = [];
  private layout: DiffLayout = "split";
  private readonly list = h("ol", { class: "versions", id: "versions" });
  private readonly from = h("select", { id: "diff-from" });
  private readonly to = h("select", { id: "diff-to" });
  private readonly compare: HTMLFieldSetElement;

  constructor(
    readonly el: HTMLElement,
    private readonly c: VersionsContext,
  ) {
    const { t } = c;
    const compare = h("button", { type: "button", class: "secondary", id: "compare" }, t.ws.compare);
    compare.addEventListener("click", () => void this.showDiff());
    this.compare = h(
      "fieldset",
      { class: "compare" },
      h("legend", {}, t.ws.compareTitle),
      h("div", { class: "field" }, h("label", { for: "diff-from" }, t.ws.diffFrom), this.from),
      h("div", { class: "field" }, h("label", { for: "diff-to" }, t.ws.diffTo), this.to),
      compare,
    );
    el.replaceChildren(h("h3", {}, t.ws.versionsTitle), this.list, this.compare);
  }

  async refresh(): Promise<void> {
    const { t } = this.c;
    this.versions = await this.c.ws.versions(this.c.projectId());
    this.list.replaceChildren(
      ...this.versions.map((v) => {
        const rollback = h("button", { type: "button", class: "secondary", "data-rollback": v.versionNumber }, t.ws.rollbackTo(v.versionNumber));
        rollback.disabled = v.isCurrent || this.c.readOnly();
        rollback.addEventListener("click", () => void this.rollback(v));
        return h(
          "li",
          { class: v.isCurrent ? "version current" : "version", "data-version": v.versionNumber },
          h("strong", {}, v.versionNumber),
          v.isCurrent ? h("span", { class: "badge current" }, t.ws.current) : null,
          v.isRollback ? h("span", { class: "badge" }, t.ws.rollbackBadge) : null,
          h("span", { class: "hint" }, ` ${new Date(v.publishedAt).toLocaleString()} · ${v.publishedBy}`),
          v.releaseNote ? h("p", { class: "note" }, v.releaseNote) : null,
          rollback,
        );
      }),
    );
    if (this.versions.length === 0) this.list.replaceChildren(h("li", { class: "hint" }, t.ws.noVersions));
    this.compare.hidden = this.versions.length < 2;
    const options = () => this.versions.map((v) => h("option", { value: v.id }, v.versionNumber));
    const keep = [this.from.value, this.to.value];
    this.from.replaceChildren(...options());
    this.to.replaceChildren(...options());
    this.to.value = keep[1] && this.versions.some((v) => v.id === keep[1]) ? keep[1] : (this.versions[0]?.id ?? "");
    this.from.value = keep[0] && this.versions.some((v) => v.id === keep[0]) ? keep[0] : (this.versions[1]?.id ?? this.versions[0]?.id ?? "");
  }

  /** Opens the differences in a wide view, where side by side has room; the layout choice is kept. */
  private async showDiff(): Promise<void> {
    const { t } = this.c;
    if (!this.from.value || !this.to.value) return;
    const diff = await this.c.ws.diff(this.c.projectId(), this.to.value, this.from.value);
    const body = h("div", { class: "view-body" }, renderDiff(t, diff, this.layout));
    const layout = h(
      "select",
      { id: "diff-layout" },
      h("option", { value: "split" }, t.ws.sideBySide),
      h("option", { value: "unified" }, t.ws.unified),
    );
    layout.value = this.layout;
    layout.addEventListener("change", () => {
      this.layout = layout.value as DiffLayout;
      body.replaceChildren(renderDiff(t, diff, this.layout));
    });
    view(
      t,
      t.ws.diffTitle(diff.compareWith.versionNumber, diff.version.versionNumber),
      [h("label", { for: "diff-layout" }, t.ws.diffLayout), layout],
      body,
    );
  }

  async publishDialog(): Promise<void> {
    const { t, ws } = this.c;
    await this.c.flush();
    const number = h("input", { required: true, pattern: "v?\\d+\\.\\d+\\.\\d+", autocomplete: "off", value: nextVersion(this.versions) });
    const note = h("textarea", { rows: 3, maxlength: 5000 });
    const force = h("input", { type: "checkbox", id: "publish-force", name: "publish-force" });
    const forceField = h("div", { class: "check-field", hidden: true }, force, h("label", { for: "publish-force" }, t.ws.publishForce));
    const done = await ask(t, {
      title: t.ws.publishTitle,
      body: t.ws.publishBody,
      confirm: t.ws.publish,
      fields: [
        field("version-number", t.ws.versionNumber, number, t.ws.versionNumberHint),
        field("release-note", t.ws.releaseNote, note),
        forceField,
      ],
      submit: async () => {
        await ws.publish(this.c.projectId(), number.value.trim(), note.value, force.checked);
      },
      explain: (err, slot) => {
        this.explainRefusal(err, slot);
        // Failing tests stop an author; an admin may go on, which the audit trail records.
        if (err instanceof ApiError && err.code === "TESTS_FAILED" && this.c.isAdmin) forceField.hidden = false;
      },
    });
    if (!done) return;
    notify(this.c.notices, t, t.ws.published(number.value.trim().replace(/^v/, "")));
    await this.c.changed({ filesReplaced: false });
  }

  /** DRAFT_INVALID lists each file's errors, TESTS_FAILED the failing cases; both link to the line. */
  private explainRefusal(err: unknown, slot: HTMLElement): void {
    const { t } = this.c;
    if (!(err instanceof ApiError)) {
      slot.textContent = (err as Error).message;
      return;
    }
    slot.replaceChildren(h("p", {}, `${err.detail} (${err.code})`));
    if (err.code === "DRAFT_INVALID" && Array.isArray(err.problem.files)) {
      const files = err.problem.files as { path: string; diagnostics: { line: number; column: number; message: string; severity: string }[] }[];
      slot.append(
        h(
          "ul",
          { class: "refusal", id: "publish-refusal" },
          ...files.flatMap((f) =>
            f.diagnostics
              .filter((d) => d.severity === "error")
              .map((d) => {
                const go = h("button", { type: "button", class: "link-button" }, `${f.path}:${d.line}:${d.column}`);
                go.addEventListener("click", () => this.leaveDialogTo(f.path, d.line));
                return h("li", {}, go, ` ${d.message}`);
              }),
          ),
        ),
      );
    } else if (err.code === "TESTS_FAILED" && err.problem.report) {
      slot.append(renderReport(t, err.problem.report as TestReport, (path, line) => this.leaveDialogTo(path, line)));
    }
  }

  private leaveDialogTo(path: string, line: number): void {
    document.querySelector<HTMLDialogElement>("dialog.ws-dialog button.secondary[value=cancel]")?.click();
    this.c.goTo(path, line);
  }

  private async rollback(target: VersionSummary): Promise<void> {
    const { t, ws } = this.c;
    const current = this.versions.find((v) => v.isCurrent);
    const done = await ask(t, {
      title: t.ws.rollbackTitle(target.versionNumber),
      body: t.ws.rollbackBody,
      confirm: t.ws.rollbackTo(target.versionNumber),
      danger: true,
      submit: async () => {
        await this.c.flush();
        await ws.rollback(this.c.projectId(), target.id);
      },
    });
    if (!done) return;
    await this.c.changed({ filesReplaced: true });
    notify(
      this.c.notices,
      t,
      t.ws.rolledBack(target.versionNumber),
      current
        ? async () => {
            await ws.rollback(this.c.projectId(), current.id);
            await this.c.changed({ filesReplaced: true });
          }
        : undefined,
    );
  }
}
