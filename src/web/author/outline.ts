/**
 * The script tree beside the debug chat: phases → topics → actions, read from
 * the YAML the session was started with, with the session's position marked.
 */
import { parse } from "yaml";

export interface OutlineAction {
  id: string;
  type: string;
}
export interface OutlineTopic {
  id: string;
  actions: OutlineAction[];
}
export interface OutlinePhase {
  id: string;
  topics: OutlineTopic[];
}

/** Where the session is; the engine's Position, of which the outline needs the indices. */
export interface OutlinePosition {
  phaseIndex: number;
  topicIndex: number;
  actionIndex: number;
  round?: number;
  maxRounds?: number;
  /** Where a use_skill's technique is while it waits (the engine's position.technique). */
  technique?: { techniqueId: string; actionId: string; round: number; maxRounds: number } | null;
}

type Node = Record<string, unknown>;
const list = (v: unknown): Node[] => (Array.isArray(v) ? v.filter((x): x is Node => typeof x === "object" && x !== null) : []);
const name = (node: Node, key: string, fallback: string) => (typeof node[key] === "string" ? (node[key] as string) : fallback);

/** The outline of a session script; empty when the text is not one (the validator says why). */
export function outlineOf(yamlText: string): OutlinePhase[] {
  let doc: unknown;
  try {
    doc = parse(yamlText);
  } catch {
    return [];
  }
  const session = (doc as Node | null)?.session as Node | undefined;
  if (!session) return [];
  return list(session.phases).map((phase, p) => ({
    id: name(phase, "phase_id", `phase ${p + 1}`),
    topics: list(phase.topics).map((topic, t) => ({
      id: name(topic, "topic_id", `topic ${t + 1}`),
      actions: list(topic.actions).map((action, a) => ({ id: name(action, "action_id", `action ${a + 1}`), type: name(action, "action_type", "?") })),
    })),
  }));
}

/** before / current / after of one action relative to the position (past the end: everything is before). */
export function placeOf(position: OutlinePosition | null, p: number, t: number, a: number): "done" | "current" | "todo" {
  if (!position) return "todo";
  const here = [position.phaseIndex, position.topicIndex, position.actionIndex];
  const there = [p, t, a];
  for (let i = 0; i < 3; i++) {
    if (there[i]! < here[i]!) return "done";
    if (there[i]! > here[i]!) return "todo";
  }
  return "current";
}
