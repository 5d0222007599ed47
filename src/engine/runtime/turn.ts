/**
 * One step in progress: the working copy of the state, the messages and
 * statistics gathered so far, and the services actions use (rendering,
 * prompts, messages, variable writes, model calls).
 */
import { modelRisk } from "../crisis/risk";
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
import type { EngineEvent, EngineMessage, RiskLevel, StepOptions, StepStats, VariableChange } from "./events";

/**
 * Thrown by a model call whose reply saw a crisis in the client's words while they are taken as an
 * answer on trust (Turn.onTrust): the step takes the answer back and runs the crisis protocol instead.
 */
export class CrisisSignal extends Error {
  constructor(readonly level: Exclude<RiskLevel, "none">) {
    super("the model saw a crisis in the client's words");
    this.name = "CrisisSignal";
  }
}

/** Events that go out while the words are on trust: streamed text (taken back by a reset if need be) and model-call traces (the calls were made). */
const liveOnTrust = new Set<EngineEvent["type"]>(["message.delta", "llm"]);

const realClock = () => performance.timeOrigin + performance.now();

export class Turn {
  readonly messages: EngineMessage[] = [];
  readonly stats: StepStats = { llmCalls: 0, modelMs: 0, inputTokens: 0, outputTokens: 0 };
  readonly now: () => number;
  /** The crisis protocol's turn (crisis/protocol.ts): its messages carry `metadata.crisis`. */
  crisis = false;
  /** A technique's turn (runtime/technique.ts): its messages carry `metadata.technique`, this id. */
  technique: string | null = null;

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
    const trust = this.trust;
    if (trust && !liveOnTrust.has(event.type)) {
      trust.held.push(event);
      return;
    }
    if (trust && event.type === "message.delta") {
      if (event.reset) trust.streamed.delete(event.messageId);
      if (event.text) trust.streamed.set(event.messageId, event.actionId);
    }
    this.options.emit?.(event);
  }

  /** While the client's words are an answer on trust: the events held back, and the lines that streamed text. */
  private trust: { held: EngineEvent[]; streamed: Map<string, string> } | null = null;

  /**
   * From here the client's words are the answer on trust: a model reply that sees a crisis in them throws
   * CrisisSignal before anything uses it, and what the step does meanwhile (variables, positions, lines,
   * flags) reaches hosts only once trusted() says it stands.
   */
  onTrust(): void {
    this.trust = { held: [], streamed: new Map() };
  }

  /** The answer stands: the held events go out, in order. */
  trusted(): void {
    const held = this.trust?.held ?? [];
    this.trust = null;
    for (const event of held) this.emit(event);
  }

  /** The answer is taken back: its events are dropped and each line that streamed is retracted (the caller restores the state). */
  untrusted(): void {
    const streamed = this.trust?.streamed ?? new Map<string, string>();
    this.trust = null;
    for (const [messageId, actionId] of streamed) this.emit({ type: "message.delta", messageId, actionId, text: "", reset: true });
  }

  /** The model's grade of the client's words in a reply, while they are on trust (else none: nothing to take back). */
  signalled(reply: Reply): RiskLevel {
    return this.trust ? modelRisk(reply) : "none";
  }

  private heed(reply: Reply): Reply {
    const level = this.signalled(reply);
    if (level !== "none") throw new CrisisSignal(level);
    return reply;
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
    if (!call.stream) return this.heed(await callModel(this, call));
    const guarded: { finding?: GuardFinding } = {};
    // A reply that sees a crisis in the client's words is withheld like a flagged line: what streamed of it is retracted.
    const reply = await callModel(this, call, (r) => this.signalled(r) !== "none" || (guarded.finding = review(call, r)) !== undefined);
    this.heed(reply);
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
      metadata: {
        round,
        ...(this.crisis ? { crisis: true as const } : {}),
        ...(this.technique ? { technique: this.technique } : {}),
        ...(safety ? { safety } : {}),
      },
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
