/**
 * A script compiled for running: the actions in order with their indices,
 * computed once per Script object (WeakMap) so step() never walks or
 * re-validates the script on each call.
 */
import type { Action, Branch, Language, Phase, SessionScript, Topic } from "../script/schema";
import { compileCondition, type CompiledCondition } from "../conditions";
import type { Position, TechniquePosition } from "./state";

/** A `next:` entry ready to run: `condition` absent for `else`. */
export interface CompiledBranch {
  readonly condition?: CompiledCondition;
  readonly target: string;
}

export interface ActionNode {
  /** Index in program.nodes. */
  readonly flat: number;
  readonly phaseIndex: number;
  readonly topicIndex: number;
  readonly actionIndex: number;
  readonly phase: Phase;
  readonly topic: Topic;
  readonly action: Action;
  /** The parsed `condition:`, when the action has one. */
  readonly condition?: CompiledCondition;
  /** The action's parsed `next:`, when it has one. */
  readonly next?: readonly CompiledBranch[];
  /** The topic's parsed `next:` (the same list on every action of the topic), when it has one. */
  readonly topicNext?: readonly CompiledBranch[];
  /** Per-action values derived once (output lists, reply schemas…), keyed by their builder. */
  readonly memo: Map<unknown, unknown>;
}

export interface Program {
  readonly script: SessionScript;
  readonly language: Language;
  readonly nodes: readonly ActionNode[];
  readonly phaseCount: number;
  /** Flat index of (phase, topic, action), or -1 when the script has no such action. */
  flatIndex(phaseIndex: number, topicIndex: number, actionIndex: number): number;
  /** The first action of the topic with this id (a jump's target), if the script has it. */
  topicStart(topicId: string): ActionNode | undefined;
}

function compileBranches(branches: readonly Branch[] | undefined): CompiledBranch[] | undefined {
  return branches?.map((b) => ("else" in b ? { target: b.else } : { condition: compileCondition(b.if), target: b.then }));
}

const cache = new WeakMap<SessionScript, Program>();

export function compile(script: SessionScript): Program {
  const hit = cache.get(script);
  if (hit) return hit;
  const nodes: ActionNode[] = [];
  // topicStart[p][t] = flat index of the first action of topic t in phase p.
  const topicStart: number[][] = [];
  const topicsById = new Map<string, number>();
  script.session.phases.forEach((phase, phaseIndex) => {
    const starts: number[] = [];
    topicStart.push(starts);
    phase.topics.forEach((topic, topicIndex) => {
      starts.push(nodes.length);
      if (!topicsById.has(topic.topic_id)) topicsById.set(topic.topic_id, nodes.length);
      const topicNext = compileBranches(topic.next);
      topic.actions.forEach((action, actionIndex) => {
        const next = compileBranches(action.next);
        nodes.push({
          flat: nodes.length,
          phaseIndex,
          topicIndex,
          actionIndex,
          phase,
          topic,
          action,
          ...(action.condition ? { condition: compileCondition(action.condition) } : {}),
          ...(next ? { next } : {}),
          ...(topicNext ? { topicNext } : {}),
          memo: new Map(),
        });
      });
    });
  });
  const program: Program = {
    script,
    language: script.session.language ?? "zh-CN",
    nodes,
    phaseCount: script.session.phases.length,
    flatIndex(p, t, a) {
      const start = topicStart[p]?.[t];
      if (start === undefined) return -1;
      const node = nodes[start + a];
      return node && node.phaseIndex === p && node.topicIndex === t ? start + a : -1;
    },
    topicStart(topicId) {
      const flat = topicsById.get(topicId);
      return flat === undefined ? undefined : nodes[flat];
    },
  };
  cache.set(script, program);
  return program;
}

/** Memoises a value derived from one action (a reply schema, an output list…). */
export function memo<T>(node: ActionNode, key: unknown, build: () => T): T {
  if (node.memo.has(key)) return node.memo.get(key) as T;
  const value = build();
  node.memo.set(key, value);
  return value;
}

export function positionAt(node: ActionNode, round: number, maxRounds: number, technique: TechniquePosition | null = null): Position {
  return {
    phaseIndex: node.phaseIndex,
    topicIndex: node.topicIndex,
    actionIndex: node.actionIndex,
    phaseId: node.phase.phase_id,
    topicId: node.topic.topic_id,
    actionId: node.action.action_id,
    actionType: node.action.action_type,
    round,
    maxRounds,
    technique,
  };
}

/** The position past the last action: the normalised "completed" position (upstream B16 left indices one past the end). */
export function endPosition(program: Program): Position {
  return {
    phaseIndex: program.phaseCount,
    topicIndex: 0,
    actionIndex: 0,
    phaseId: null,
    topicId: null,
    actionId: null,
    actionType: null,
    round: 0,
    maxRounds: 0,
    technique: null,
  };
}
