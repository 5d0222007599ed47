/**
 * The contract between the interpreter and an action type. An action runs
 * in rounds: begin() is round 1, resume() every later one (after the client
 * replied). Actions show lines and write variables through the Turn; they
 * only tell the interpreter whether they wait for the client.
 */
import type { Action, ActionType, OutputField } from "../script/schema";
import type { ModelRequest } from "../runtime/model";
import type { ActionNode } from "../runtime/program";
import type { InFlight, TechniquePosition, VariableMap } from "../runtime/state";
import type { Turn } from "../runtime/turn";

export type Outcome =
  /** Keep the action in flight and wait for the client; `round` is the round now shown; `technique`: where a use_skill's technique waits. */
  | { wait: true; round: number; collected?: VariableMap; technique?: TechniquePosition }
  /** The action is over; the interpreter moves on: to the start of the topic `goto` when there is one (ai_ask's `on_exhausted`). */
  | { wait: false; goto?: string };

export type NodeOf<T extends ActionType> = ActionNode & { action: Extract<Action, { action_type: T }> };

export interface ActionHandler<T extends ActionType> {
  /** The round budget shown in positions. */
  maxRounds(action: Extract<Action, { action_type: T }>): number;
  begin(turn: Turn, node: NodeOf<T>): Promise<Outcome>;
  /** `answer` is the client's trimmed reply, or null when they sent nothing. */
  resume(turn: Turn, node: NodeOf<T>, inFlight: InFlight, answer: string | null): Promise<Outcome>;
}

export const done: Outcome = { wait: false };

/** The `content` of a reply when it is a non-empty string. */
export function contentOf(reply: Record<string, unknown>): string | undefined {
  const c = reply.content;
  return typeof c === "string" && c.trim() !== "" ? c.trim() : undefined;
}

/** An output entry as a model request carries it, with its declared type so a model can answer in it. */
export function requestedOutput(field: OutputField, filled: boolean): ModelRequest["outputs"][number] {
  return { name: field.get, define: field.define ?? null, filled, type: field.type ?? "text", values: field.values };
}
