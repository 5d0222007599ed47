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
import { maxRoundsOf } from "../actions";
import { crisisTurn } from "../crisis/protocol";
import { NO_RISK, wordsRisk, type RiskReading } from "../crisis/risk";
import { advance } from "./advance";
import { EngineError, toStepError } from "./errors";
import { remindIfDue } from "./reminder";
import { recentClientText } from "./safety";
import type { StepOptions, StepResult } from "./events";
import { compile, endPosition, positionAt } from "./program";
import { SCHEMA_VERSION, type SessionState, type VariableMap, type VariableStore } from "./state";
import { CrisisSignal, Turn } from "./turn";

export interface StartOptions {
  /** Initial session-scope variables (e.g. the client's name from the host). */
  variables?: VariableMap;
  /** Project-wide variables, in the global scope. */
  globals?: VariableMap;
  /** Clock in ms since epoch. Default: the real clock. */
  now?: () => number;
  /** The client is a minor: every 3 hours of conversation a step opens with the AI reminder (runtime/reminder.ts). */
  minor?: boolean;
}

export function start(script: SessionScript, options: StartOptions = {}): SessionState {
  const program = compile(script);
  const first = program.nodes[0];
  const globals = { ...options.globals };
  const session = { ...options.variables };
  const startedAt = new Date(options.now ? options.now() : Date.now()).toISOString();
  return {
    schemaVersion: SCHEMA_VERSION,
    scriptId: script.session.session_id,
    status: first ? "ready" : "completed",
    position: first ? positionAt(first, 0, maxRoundsOf(first.action)) : endPosition(program),
    inFlight: null,
    crisis: null,
    minor: options.minor ? { remindedAt: startedAt } : null,
    technique: null,
    scopes: { global: globals, session, phase: {}, topic: {} },
    variables: { ...globals, ...session },
    history: [],
    messageCount: 0,
    startedAt,
  };
}

function copyNested(maps: Record<string, VariableMap>): Record<string, VariableMap> {
  const out: Record<string, VariableMap> = {};
  for (const id in maps) out[id] = { ...maps[id] };
  return out;
}

function copyScopes(scopes: VariableStore): VariableStore {
  return { global: { ...scopes.global }, session: { ...scopes.session }, phase: copyNested(scopes.phase), topic: copyNested(scopes.topic) };
}

/** A copy deep enough that step() never mutates the caller's state (variable values are never mutated in place). */
function copyState(s: SessionState): SessionState {
  const scopes = copyScopes(s.scopes);
  const inFlight = s.inFlight && {
    ...s.inFlight,
    ...(s.inFlight.collected ? { collected: { ...s.inFlight.collected } } : {}),
  };
  const crisis = s.crisis && {
    ...s.crisis,
    position: { ...s.crisis.position },
    inFlight: s.crisis.inFlight && { ...s.crisis.inFlight },
    variables: { ...s.crisis.variables },
  };
  const technique = s.technique && {
    ...s.technique,
    inFlight: s.technique.inFlight && { ...s.technique.inFlight },
    scopes: copyScopes(s.technique.scopes),
  };
  return { ...s, position: { ...s.position }, inFlight, crisis, technique, scopes, variables: { ...s.variables }, history: s.history.slice() };
}

/** The words' risk as a `safety` event: hosts show the crisis resources at once, whatever the step does next. */
function flagWords(turn: Turn, actionId: string | null, source: "input" | "model", reading: RiskReading): void {
  turn.emit({
    type: "safety",
    actionId,
    source,
    crisis: true,
    riskType: reading.thirdParty ? "third_party" : "self_harm",
    level: reading.level,
  });
}

/**
 * Runs the script with the client's words as the answer, so that it can be taken back: when a model reply
 * sees a crisis in them (Turn.onTrust), the state is put back as it was before the answer (variables,
 * position, the lines said since, their ids), what streamed is retracted, and the model's grade is returned.
 */
async function answerOnTrust(turn: Turn, answer: string): Promise<RiskReading> {
  const before = copyState(turn.state);
  const said = turn.messages.length;
  turn.onTrust();
  try {
    await advance(turn, answer);
  } catch (err) {
    if (!(err instanceof CrisisSignal)) throw err;
    turn.untrusted();
    Object.assign(turn.state, before);
    turn.messages.length = said;
    return { level: err.level, categories: [], thirdParty: false };
  }
  turn.trusted();
  return NO_RISK;
}

async function run(turn: Turn, input: string | null): Promise<void> {
  const s = turn.state;
  if (s.status === "completed") return;
  const text = input ?? "";
  const answer = text.trim() === "" ? null : text.trim();
  let reading: RiskReading = NO_RISK;
  if (answer !== null) {
    const recent = recentClientText(s.history);
    turn.recordHistory("user", text, s.position.actionId);
    reading = await wordsRisk(text, turn.language, turn.options.classifier, turn.options.signal, recent);
    if (reading.level !== "none") flagWords(turn, s.position.actionId, "input", reading);
  }
  // Before anything the step says, crisis lines included: the reminder is due whatever the turn holds.
  remindIfDue(turn);
  if (!s.crisis && reading.level === "none") {
    if (answer === null) return advance(turn, null);
    // Neither the detector nor the classifier saw a risk: the words are the answer, unless the model sees one in them.
    reading = await answerOnTrust(turn, answer);
    if (reading.level === "none") return;
    flagWords(turn, s.position.actionId, "model", reading);
  }
  // The client's words go to the crisis protocol, never to the action in flight as its answer.
  if (!(await crisisTurn(turn, answer, reading))) {
    s.status = "waiting_input";
    return;
  }
  // The protocol found no current risk: the interrupted action starts again, so its question is asked anew.
  s.inFlight = null;
  s.position = { ...s.position, round: 0 };
  await advance(turn, null);
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
  return copyScopes(state.scopes);
}
