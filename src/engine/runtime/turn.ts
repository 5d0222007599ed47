/**
 * One step in progress: the working copy of the state, the messages and
 * statistics gathered so far, and the services actions use (rendering,
 * prompts, messages, variable writes, model calls).
 */
import type { OutputField } from "../script/schema";
import { commonValues, renderPrompt } from "../prompts/context";
import type { Reply } from "../prompts/reply";
import type { TemplateName } from "../prompts/templates";
import { render } from "../variables/render";
import { textLookup, writeVariable } from "../variables/store";
import { guardLine, modelSafety, review, type GuardFinding } from "./guard";
import { callModel, type ModelCall } from "./model";
import type { ActionNode, Program } from "./program";
import { HISTORY_LIMIT, type JsonValue, type SessionState } from "./state";
import type { EngineEvent, EngineMessage, StepOptions, StepStats, VariableChange } from "./events";

const realClock = () => performance.timeOrigin + performance.now();

export class Turn {
  readonly messages: EngineMessage[] = [];
  readonly stats: StepStats = { llmCalls: 0, modelMs: 0, inputTokens: 0, outputTokens: 0 };
  readonly now: () => number;
  /** The crisis protocol's turn (crisis/protocol.ts): its messages carry `metadata.crisis`. */
  crisis = false;

  constructor(
    readonly program: Program,
    /** The working copy: step() discards it when the step fails. */
    readonly state: SessionState,
    readonly options: StepOptions,
  ) {
    this.now = options.now ?? realClock;
  }

  private time: number | undefined;
  /** The step's time, read once: every prompt of a step says the same time. */
  stepTime(): number {
    return (this.time ??= this.now());
  }

  /** Placeholders already reported as unrendered, per action: one diagnostic each per step. */
  private unrendered = new Set<string>();

  /** Tells authors which placeholders of an action had no value and were left out of what the model or client read. */
  private reportUnrendered(node: ActionNode, names: string[]): void {
    if (!this.listening) return;
    const actionId = node.action.action_id;
    const fresh = names.filter((name) => {
      const key = `${actionId}\u0000${name}`;
      if (this.unrendered.has(key)) return false;
      this.unrendered.add(key);
      return true;
    });
    if (fresh.length === 0) return;
    this.emit({
      type: "diagnostic",
      actionId,
      code: "UNRENDERED_PLACEHOLDER",
      message: `Action "${actionId}" uses ${fresh.map((n) => `{${n}}`).join(", ")} with no value here (not set yet, set by a skipped action, or null); it was left out.`,
      names: fresh,
    });
  }

  /** Whether anyone receives events: when nobody does, events need not be built. */
  get listening(): boolean {
    return this.options.emit !== undefined;
  }

  get language() {
    return this.program.language;
  }

  emit(event: EngineEvent): void {
    this.options.emit?.(event);
  }

  /** The id the next assistant message will get. */
  nextMessageId(): string {
    return `msg_${this.state.messageCount + 1}`;
  }

  /** The action's content with `{x}`, `{{x}}`, `${x}` filled from the variables visible here, trimmed. */
  content(node: ActionNode & { action: { config: { content: string } } }): string {
    const missing: string[] = [];
    const text = render(node.action.config.content, textLookup(this.state), "content", missing);
    if (missing.length) this.reportUnrendered(node, missing);
    return text.trim();
  }

  /** The call's instructions (its system message): the template rendered for this action. */
  prompt(name: TemplateName, node: ActionNode, values: Record<string, string>): string {
    const variables = textLookup(this.state);
    const common = commonValues(node, this.language, this, this.options, variables);
    const missing: string[] = [];
    const text = renderPrompt(name, this.language, this.options.templates, values, common, variables, missing);
    if (missing.length) this.reportUnrendered(node, missing);
    return text;
  }

  /** Calls the model; a line the client would see goes through the output guard before the action commits it. */
  async callModel(call: ModelCall): Promise<Reply> {
    if (!call.stream) return callModel(this, call);
    const guarded: { finding?: GuardFinding } = {};
    const reply = await callModel(this, call, (r) => (guarded.finding = review(call, r)) !== undefined);
    return guarded.finding ? guardLine(this, this.runningNode(call.request.actionId), call, reply, guarded.finding) : reply;
  }

  /** The action being run: the one at the state's position while its handler runs. */
  private runningNode(actionId: string): ActionNode {
    const { phaseIndex, topicIndex, actionIndex } = this.state.position;
    const node = this.program.nodes[this.program.flatIndex(phaseIndex, topicIndex, actionIndex)];
    if (node?.action.action_id === actionId) return node;
    return this.program.nodes.find((n) => n.action.action_id === actionId)!;
  }

  recordHistory(role: "user" | "assistant", content: string, actionId: string | null): void {
    const history = this.state.history;
    history.push({ role, content, actionId });
    if (history.length > HISTORY_LIMIT) history.splice(0, history.length - HISTORY_LIMIT);
  }

  /** Shows a line to the client: records it, emits it, and reports any safety flag in the reply behind it. */
  say(node: ActionNode, content: string, round: number, reply?: Reply): EngineMessage {
    const id = this.nextMessageId();
    const safety = reply ? modelSafety(reply) : undefined;
    const message: EngineMessage = {
      id,
      actionId: node.action.action_id,
      role: "assistant",
      content,
      metadata: { round, ...(this.crisis ? { crisis: true as const } : {}), ...(safety ? { safety } : {}) },
    };
    this.show(message);
    if (safety) this.emit({ type: "safety", actionId: message.actionId, messageId: id, ...safety });
    return message;
  }

  /** Commits a line the client will see: counted for message ids, recorded in the history, returned and emitted. */
  show(message: EngineMessage): void {
    this.state.messageCount++;
    this.recordHistory("assistant", message.content, message.actionId);
    this.messages.push(message);
    this.emit({ type: "message", message });
  }

  /** Reports a safety flag from a reply that shows nothing (ai_ask's last reply, ai_think, extraction). */
  flagSilently(node: ActionNode, reply: Reply): void {
    const safety = modelSafety(reply);
    if (safety) this.emit({ type: "safety", actionId: node.action.action_id, ...safety });
  }

  /** Writes extracted values (scope from each output entry, session by default) and emits one `variables` event. */
  write(node: ActionNode, values: { field: OutputField; value: JsonValue }[]): void {
    const changes: VariableChange[] = [];
    for (const { field, value } of values) {
      const change = writeVariable(this.state, field.get, value, field.scope);
      if (change) changes.push(change);
    }
    if (changes.length) this.emit({ type: "variables", actionId: node.action.action_id, changes });
  }
}
