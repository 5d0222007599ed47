/**
 * start() and step(): the resumable interpreter.
 *
 * step() works on a copy of the state. It records the client's words once
 * (upstream B1: the server stored them and called the engine without them, so
 * ai_ask asked again forever), then runs actions in order until one waits for
 * the client or the script ends. It returns every message it produced (B15:
 * upstream returned only the last one). Any failure returns `error` with the
 * caller's state untouched, so the same step can be retried (B2: upstream
 * swallowed the failure, skipped an action and reported `completed`); the
 * script is over exactly when the position passes the last action, whatever
 * produced the last message (B18: upstream never completed a script whose
 * last action ended on the resume path), and the position is then normalised
 * (B16: upstream left indices one past the end).
 *
 * B-numbers are the upstream bug list of the engine reference, §9, which is
 * kept outside the repository.
 */
import type { SessionScript } from "../script/schema";
import { handlerFor, maxRoundsOf } from "../actions";
import { visibleVariables } from "../variables/store";
import { EngineError, toStepError } from "./errors";
import type { StepOptions, StepResult } from "./events";
import { compile, endPosition, positionAt, type ActionNode, type Program } from "./program";
import { mentionsCrisis } from "./safety";
import { SCHEMA_VERSION, type SessionState, type VariableMap, type VariableStore } from "./state";
import { Turn } from "./turn";

export interface StartOptions {
  /** Initial session-scope variables (e.g. the client's name from the host). */
  variables?: VariableMap;
  /** Project-wide variables, in the global scope. */
  globals?: VariableMap;
  /** Clock in ms since epoch. Default: the real clock. */
  now?: () => number;
}

export function start(script: SessionScript, options: StartOptions = {}): SessionState {
  const program = compile(script);
  const first = program.nodes[0];
  const globals = { ...options.globals };
  const session = { ...options.variables };
  return {
    schemaVersion: SCHEMA_VERSION,
    scriptId: script.session.session_id,
    status: first ? "ready" : "completed",
    position: first ? positionAt(first, 0, maxRoundsOf(first.action)) : endPosition(program),
    inFlight: null,
    scopes: { global: globals, session, phase: {}, topic: {} },
    variables: { ...globals, ...session },
    history: [],
    messageCount: 0,
    startedAt: new Date(options.now ? options.now() : Date.now()).toISOString(),
  };
}

function copyNested(maps: Record<string, VariableMap>): Record<string, VariableMap> {
  const out: Record<string, VariableMap> = {};
  for (const id in maps) out[id] = { ...maps[id] };
  return out;
}

/** A copy deep enough that step() never mutates the caller's state (variable values are never mutated in place). */
function copyState(s: SessionState): SessionState {
  const scopes: VariableStore = {
    global: { ...s.scopes.global },
    session: { ...s.scopes.session },
    phase: copyNested(s.scopes.phase),
    topic: copyNested(s.scopes.topic),
  };
  const inFlight = s.inFlight && {
    ...s.inFlight,
    ...(s.inFlight.collected ? { collected: { ...s.inFlight.collected } } : {}),
  };
  return { ...s, position: { ...s.position }, inFlight, scopes, variables: { ...s.variables }, history: s.history.slice() };
}

/** Moves to `node`, or past the end when there is none (then the session is completed). Returns whether it ended. */
function moveTo(turn: Turn, node: ActionNode | undefined): boolean {
  const s = turn.state;
  s.inFlight = null;
  if (node) {
    s.position = positionAt(node, 0, maxRoundsOf(node.action));
  } else {
    s.position = endPosition(turn.program);
    s.status = "completed";
  }
  if (turn.listening) turn.emit({ type: "position", position: { ...s.position } });
  return !node;
}

/** A condition that cannot be evaluated counts as false: the session goes on and authors get a diagnostic. */
function conditionHolds(turn: Turn, node: ActionNode): boolean {
  const outcome = node.condition!.evaluate(visibleVariables(turn.state));
  if (outcome.ok) return outcome.value;
  turn.emit({
    type: "diagnostic",
    actionId: node.action.action_id,
    code: "CONDITION_ERROR",
    message: `The condition of action "${node.action.action_id}" could not be evaluated (${outcome.reason}); it counted as false.`,
  });
  return false;
}

async function run(turn: Turn, input: string | null): Promise<void> {
  const s = turn.state;
  if (s.status === "completed") return;
  const program: Program = turn.program;
  const text = input ?? "";
  const answer = text.trim() === "" ? null : text.trim();
  if (answer !== null) {
    turn.recordHistory("user", text, s.position.actionId);
    if (mentionsCrisis(text)) {
      turn.emit({ type: "safety", actionId: s.position.actionId, source: "input", crisis: true, riskType: "self_harm" });
    }
  }
  let pending = answer;
  for (;;) {
    const node = program.nodes[program.flatIndex(s.position.phaseIndex, s.position.topicIndex, s.position.actionIndex)];
    if (!node) {
      moveTo(turn, undefined);
      return;
    }
    const handler = handlerFor(node.action);
    const before = turn.messages.length;
    let resumed = false;
    let outcome;
    if (s.inFlight) {
      if (s.inFlight.actionId !== node.action.action_id) {
        throw new EngineError(
          "SCRIPT_MISMATCH",
          `The state waits on action "${s.inFlight.actionId}" but the script has "${node.action.action_id}" there.`,
          false,
          s.inFlight.actionId,
        );
      }
      outcome = await handler.resume(turn, node, s.inFlight, pending);
      pending = null;
      resumed = true;
    } else {
      if (node.condition && !conditionHolds(turn, node)) {
        moveTo(turn, program.nodes[node.flat + 1]);
        continue;
      }
      outcome = await handler.begin(turn, node);
    }
    if (outcome.wait) {
      s.inFlight = {
        actionId: node.action.action_id,
        actionType: node.action.action_type,
        round: outcome.round,
        ...(outcome.collected ? { collected: outcome.collected } : {}),
      };
      s.position = positionAt(node, outcome.round, s.position.maxRounds);
      s.status = "waiting_input";
      if (turn.listening) turn.emit({ type: "position", position: { ...s.position } });
      return;
    }
    const ended = moveTo(turn, program.nodes[node.flat + 1]);
    if (ended) return;
    // A resumed action that ends with a line lets the client answer it before the next action speaks (upstream turn shape).
    if (resumed && turn.messages.length > before) {
      s.status = "waiting_input";
      return;
    }
  }
}

export async function step(script: SessionScript, state: SessionState, input: string | null, options: StepOptions): Promise<StepResult> {
  const program = compile(script);
  const turn = new Turn(program, copyState(state), options);
  try {
    if (state.schemaVersion !== SCHEMA_VERSION) {
      throw new EngineError(
        "STATE_INVALID",
        `State schema version ${String(state.schemaVersion)} is not ${SCHEMA_VERSION}; load stored states with migrateState().`,
        false,
      );
    }
    if (state.scriptId !== script.session.session_id) {
      throw new EngineError("SCRIPT_MISMATCH", `The state belongs to script "${state.scriptId}", not "${script.session.session_id}".`, false);
    }
    options.signal?.throwIfAborted();
    await run(turn, input);
    const status = turn.state.status === "completed" ? "completed" : "waiting_input";
    return { state: turn.state, messages: turn.messages, status, stats: turn.stats };
  } catch (err) {
    const actionId = turn.state.position.actionId ?? undefined;
    return { state, messages: [], status: "error", error: toStepError(err, actionId), stats: turn.stats };
  }
}

/** Every variable by name, latest write winning: what hosts list as the session's variables. */
export function flatVariables(state: SessionState): VariableMap {
  return { ...state.variables };
}

/** The variables by scope (global, session, phase[id], topic[id]). */
export function variableScopes(state: SessionState): VariableStore {
  return {
    global: { ...state.scopes.global },
    session: { ...state.scopes.session },
    phase: copyNested(state.scopes.phase),
    topic: copyNested(state.scopes.topic),
  };
}
