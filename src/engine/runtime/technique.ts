/**
 * A technique run by a use_skill action: its one topic runs as a script of
 * its own, with its own variables (its inputs, and what its actions set),
 * over the session's conversation (history, message ids, model, options).
 * Nothing of the session's variables reaches it but its inputs, and nothing
 * of its variables reaches the session but the outputs the use_skill maps.
 *
 * While it waits for the client, the session stays at the use_skill action;
 * the technique's in-flight action and variables are `state.technique`, and
 * where it is, `position.technique`, so hosts see which technique runs.
 */
import { maxRoundsOf } from "../actions";
import type { Language, SessionScript, TechniqueScript } from "../script/schema";
import type { Reply } from "../prompts/reply";
import { techniqueId } from "../script/skills";
import { advance } from "./advance";
import type { EngineEvent, RiskLevel } from "./events";
import { compile, type Program } from "./program";
import { SCHEMA_VERSION, type Position, type SessionState, type TechniqueFrame, type TechniquePosition, type VariableMap } from "./state";
import { Turn } from "./turn";

const programs = new WeakMap<TechniqueScript, Map<Language, Program>>();

/** The technique as a one-phase, one-topic script in the session's language (compiled once per technique and language). */
export function techniqueProgram(technique: TechniqueScript, language: Language): Program {
  let byLanguage = programs.get(technique);
  if (!byLanguage) programs.set(technique, (byLanguage = new Map()));
  let program = byLanguage.get(language);
  if (!program) {
    const id = techniqueId(technique);
    const script: SessionScript = { session: { session_id: id, language, phases: [{ phase_id: id, topics: [technique.topic] }] } };
    program = compile(script);
    byLanguage.set(language, program);
  }
  return program;
}

/** The technique's turn: what it emits goes out through the session's turn (which holds events back while words are on trust). */
class TechniqueTurn extends Turn {
  constructor(
    private readonly parent: Turn,
    program: Program,
    state: SessionState,
    id: string,
  ) {
    super(program, state, { ...parent.options, emit: parent.listening ? (e) => this.forward(e) : undefined });
    this.technique = id;
  }

  override signalled(reply: Reply): RiskLevel {
    return this.parent.signalled(reply);
  }

  private forward(event: EngineEvent): void {
    // Its own variables stay inside; its positions are the session's, at the use_skill, with where the technique is.
    if (event.type === "variables") return;
    if (event.type === "position") {
      const technique = summary(this.program, event.position);
      this.parent.emit({ type: "position", position: { ...this.parent.state.position, technique } });
      return;
    }
    this.parent.emit(event);
  }
}

/** Where the technique is, as positions show it; null past its end. */
function summary(program: Program, p: Position): TechniquePosition | null {
  if (p.actionId === null || p.actionType === null || p.topicId === null) return null;
  return {
    techniqueId: program.script.session.session_id,
    topicId: p.topicId,
    actionIndex: p.actionIndex,
    actionId: p.actionId,
    actionType: p.actionType,
    round: p.round,
    maxRounds: p.maxRounds,
  };
}

/** The technique's state for one run: its own variables, the session's conversation. */
function techniqueState(session: SessionState, program: Program, frame: TechniqueFrame, at: TechniquePosition | null): SessionState {
  const node = program.nodes[at ? at.actionIndex : 0]!;
  return {
    schemaVersion: SCHEMA_VERSION,
    scriptId: program.script.session.session_id,
    status: "waiting_input",
    position: {
      phaseIndex: 0,
      topicIndex: 0,
      actionIndex: node.actionIndex,
      phaseId: node.phase.phase_id,
      topicId: node.topic.topic_id,
      actionId: node.action.action_id,
      actionType: node.action.action_type,
      round: at?.round ?? 0,
      maxRounds: at?.maxRounds ?? maxRoundsOf(node.action),
      technique: null,
    },
    inFlight: frame.inFlight,
    crisis: null,
    // A minor's reminder is the session's step's to show, never the technique's.
    minor: null,
    technique: null,
    scopes: frame.scopes,
    variables: {},
    history: session.history,
    messageCount: session.messageCount,
    startedAt: session.startedAt,
  };
}

export type TechniqueRun = { done: true; variables: VariableMap } | { done: false; position: TechniquePosition };

/**
 * Runs the technique from `at` (null: its start) with the client's answer (null: none). Its lines join the
 * session's turn. Done: every variable it ended with, its outputs among them; else where it waits (and `frame`
 * holds its in-flight action and variables).
 */
export async function runTechnique(
  turn: Turn,
  program: Program,
  frame: TechniqueFrame,
  at: TechniquePosition | null,
  answer: string | null,
): Promise<TechniqueRun> {
  const s = turn.state;
  const state = techniqueState(s, program, frame, at);
  const inner = new TechniqueTurn(turn, program, state, program.script.session.session_id);
  try {
    await advance(inner, answer);
  } finally {
    for (const key of ["llmCalls", "modelMs", "inputTokens", "outputTokens"] as const) turn.stats[key] += inner.stats[key];
    s.messageCount = state.messageCount;
    turn.messages.push(...inner.messages);
  }
  frame.inFlight = state.inFlight;
  frame.scopes = state.scopes;
  const position = state.status === "completed" ? null : summary(program, state.position);
  if (position) return { done: false, position };
  const { global, session, phase, topic } = state.scopes;
  const id = program.script.session.session_id;
  const topicId = program.nodes[0]!.topic.topic_id;
  return { done: true, variables: { ...global, ...session, ...phase[id], ...topic[topicId] } };
}
