/** The project's audit trail, newest first: who did what to which file or version (never contents). */
import type { Strings } from "../client/i18n";
import { h } from "../ui/dom";
import type { WorkspaceApi } from "./workspace-api";

export class AuditPanel {
  private readonly list = h("ol", { class: "audit", id: "audit" });

  constructor(
    readonly el: HTMLElement,
    private readonly t: Strings,
    private readonly ws: WorkspaceApi,
    private readonly projectId: () => string,
  ) {
    el.replaceChildren(h("h3", {}, t.ws.auditTitle), this.list);
  }

  async refresh(): Promise<void> {
    const events = await this.ws.audit(this.projectId());
    this.list.replaceChildren(
      ...events.map((e) =>
        h(
          "li",
          { "data-action": e.action },
          h("time", { datetime: e.at }, new Date(e.at).toLocaleString()),
          " ",
          h("strong", {}, this.t.ws.auditAction[e.action] ?? e.action),
          e.target ? h("code", {}, ` ${e.target}`) : null,
          e.detail.forced ? h("span", { class: "badge forced" }, this.t.ws.forced(Number(e.detail.testsFailed ?? 0))) : null,
          h("span", { class: "hint" }, ` · ${e.actorId} (${e.actorRole})`),
        ),
      ),
    );
  }
}
