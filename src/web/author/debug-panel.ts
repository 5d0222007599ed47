/**
 * Beside the debug chat: where the session is in the script tree, the
 * variables by scope with what this turn changed, and every model call of
 * every turn (prompt, reply, tokens, latency). Fed by the `state` and
 * `debug` frames of a session created with `debug: true`, and by
 * GET /api/sessions/:id/variables for the scoped values.
 */
import type { Scopes } from "../client/api";
import type { Strings } from "../client/i18n";
import { h } from "../ui/dom";
import { outlineOf, placeOf, type OutlinePhase, type OutlinePosition } from "./outline";

export interface VariableChange {
  name: string;
  scope: string;
  value: unknown;
  previous?: unknown;
}

export interface ModelCall {
  actionId: string;
  purpose: string;
  attempt?: number;
  prompt: string;
  response: string;
  model?: string;
  usage?: { inputTokens?: number; outputTokens?: number };
  latencyMs?: number;
}

/** The `debug` frame (and the `debug` member of a turn's REST answer). */
export interface TurnDebug {
  turn: number;
  traces: ModelCall[];
  variableChanges: VariableChange[];
  positions: OutlinePosition[];
}

const show = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

export class DebugPanel {
  private readonly outline: OutlinePhase[];
  private position: OutlinePosition | null = null;
  private scopes: Scopes | null = null;
  private changed: VariableChange[] = [];
  private readonly positionEl = h("div", { class: "outline", id: "debug-position" });
  private readonly variablesEl = h("div", { class: "variables", id: "debug-variables" });
  private readonly callsEl = h("div", { class: "calls", id: "debug-calls" });

  constructor(
    container: HTMLElement,
    private readonly t: Strings,
    scriptYaml: string,
  ) {
    this.outline = outlineOf(scriptYaml);
    container.replaceChildren(
      h("h2", { id: "debug-title", class: "visually-hidden" }, t.debugTitle),
      h("section", { "aria-labelledby": "position-title" }, h("h3", { id: "position-title" }, t.positionTitle), this.positionEl),
      h("section", { "aria-labelledby": "variables-title" }, h("h3", { id: "variables-title" }, t.variablesTitle), this.variablesEl),
      h("section", { "aria-labelledby": "calls-title" }, h("h3", { id: "calls-title" }, t.callsTitle), this.callsEl),
    );
    this.callsEl.append(h("p", { class: "hint empty" }, t.callsEmpty));
    this.renderPosition();
    this.renderVariables();
  }

  setPosition(position: OutlinePosition): void {
    this.position = position;
    this.renderPosition();
  }

  /** A turn's debug report: its variable changes and its model calls. */
  addTurn(debug: TurnDebug): void {
    this.changed = debug.variableChanges;
    const last = debug.positions.at(-1);
    if (last) this.position = last;
    this.renderPosition();
    this.renderVariables();
    this.callsEl.querySelector(".empty")?.remove();
    const group = h("section", { class: "turn", "data-turn": debug.turn }, h("h4", {}, this.t.turn(debug.turn)));
    for (const call of debug.traces) {
      const tokensIn = call.usage?.inputTokens ?? "?";
      const tokensOut = call.usage?.outputTokens ?? "?";
      const ms = call.latencyMs === undefined ? "?" : Math.round(call.latencyMs);
      group.append(
        h(
          "details",
          { class: "call" },
          h("summary", {}, this.t.callSummary(call.purpose, call.actionId, tokensIn, tokensOut, ms)),
          h("h5", {}, this.t.prompt),
          h("pre", {}, call.prompt),
          h("h5", {}, this.t.reply),
          h("pre", {}, call.response),
        ),
      );
    }
    this.callsEl.prepend(group);
  }

  setScopes(scopes: Scopes): void {
    this.scopes = scopes;
    this.renderVariables();
  }

  private renderPosition(): void {
    const pos = this.position;
    const tree = h(
      "ol",
      { class: "tree" },
      ...this.outline.map((phase, p) =>
        h(
          "li",
          {},
          h("span", { class: "node phase" }, phase.id),
          h(
            "ol",
            {},
            ...phase.topics.map((topic, t) =>
              h(
                "li",
                {},
                h("span", { class: "node topic" }, topic.id),
                h(
                  "ol",
                  {},
                  ...topic.actions.map((action, a) => {
                    const place = placeOf(pos, p, t, a);
                    const round = place === "current" && pos?.round ? ` (${pos.round}/${pos.maxRounds ?? "?"})` : "";
                    const technique = place === "current" ? pos?.technique : null;
                    return h(
                      "li",
                      { class: `node action ${place}`, "data-action": action.id, "aria-current": place === "current" ? "step" : null },
                      h("span", { class: "mark", "aria-hidden": "true" }, place === "done" ? "✓ " : place === "current" ? "▶ " : "· "),
                      `${action.id} `,
                      h("span", { class: "type" }, action.type),
                      round,
                      technique
                        ? h(
                            "span",
                            { class: "technique", "data-technique": technique.techniqueId },
                            ` — ${this.t.inTechnique(technique.techniqueId, technique.actionId, technique.round, technique.maxRounds)}`,
                          )
                        : null,
                    );
                  }),
                ),
              ),
            ),
          ),
        ),
      ),
    );
    this.positionEl.replaceChildren(tree);
  }

  private renderVariables(): void {
    const scopes = this.scopes;
    const groups: [string, Record<string, unknown>, string][] = [];
    if (scopes) {
      groups.push(
        [this.t.scopeNames.global ?? "global", scopes.global, "global"],
        [this.t.scopeNames.session ?? "session", scopes.session, "session"],
      );
      for (const [id, vars] of Object.entries(scopes.phase)) groups.push([`${this.t.scopeNames.phase} ${id}`, vars, "phase"]);
      for (const [id, vars] of Object.entries(scopes.topic)) groups.push([`${this.t.scopeNames.topic} ${id}`, vars, "topic"]);
    }
    const filled = groups.filter(([, vars]) => Object.keys(vars).length > 0);
    if (filled.length === 0) {
      this.variablesEl.replaceChildren(h("p", { class: "hint" }, this.t.variablesEmpty));
      return;
    }
    this.variablesEl.replaceChildren(
      ...filled.map(([title, vars, scope]) =>
        h(
          "div",
          { class: "scope", "data-scope": scope },
          h("h4", {}, title),
          h(
            "dl",
            {},
            ...Object.entries(vars).flatMap(([name, value]) => {
              const change = this.changed.find((c) => c.name === name && c.scope === scope);
              return [
                h(
                  "dt",
                  { class: change ? "changed" : null, "data-name": name },
                  name,
                  change ? " " : null,
                  change ? h("span", { class: "badge" }, this.t.changedThisTurn) : null,
                ),
                h(
                  "dd",
                  { class: change ? "changed" : null },
                  show(value),
                  change && change.previous !== undefined ? h("del", {}, ` ${show(change.previous)}`) : null,
                ),
              ];
            }),
          ),
        ),
      ),
    );
  }
}
