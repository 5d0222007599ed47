/**
 * The crisis protocol: when the client's words show a risk, the engine does
 * not take them as the answer to the action in flight. It runs the protocol
 * script instead (the built-in one of the script's language, or the host's
 * `crisisScript`), with its own position and variables in `state.crisis`,
 * while the interrupted action keeps its place. The protocol answers with
 * care, shows the configured crisis lines (resource-line.ts) and asks about
 * safety; it reads the answer into `current_risk`.
 *
 * When the protocol reaches its end, the engine decides: `none`, with no risk
 * in the client's own words during that pass and never `imminent` in this
 * crisis, returns to the script, where the interrupted action starts again.
 * Anything else starts the protocol over, so it stays with the client and
 * shows the lines again.
 */
import { handlerFor, maxRoundsOf } from "../actions";
import type { ActionHandler } from "../actions/types";
import { advance } from "../runtime/advance";
import type { ConfirmationOutcome, EngineEvent, RiskLevel } from "../runtime/events";
import { compile, positionAt, type ActionNode, type Program } from "../runtime/program";
import { SCHEMA_VERSION, type CrisisState, type JsonValue, type SessionState } from "../runtime/state";
import { Turn } from "../runtime/turn";
import type { ActionType, OutputField } from "../script/schema";
import { visibleVariables } from "../variables/store";
import { isResourceLine, resourceLine, resourceVariables } from "./resource-line";
import { asRiskLevel, higherRisk, raiseLevel, type RiskReading } from "./risk";
import { builtInCrisisScript, crisisScriptProblems, RISK_OUTPUT } from "./scripts";
import { withoutModel } from "./without-model";

/** The protocol to run: the host's override when it is one, else the built-in one of the script's language. */
function protocolOf(turn: Turn): Program {
  const override = turn.options.crisisScript;
  if (override) {
    const problems = crisisScriptProblems(override);
    if (problems.length === 0) return compile(override);
    turn.emit({
      type: "diagnostic",
      actionId: null,
      code: "CRISIS_SCRIPT_INVALID",
      message: `The crisis script "${override.session.session_id}" is not a crisis protocol (${problems.join(" ")}); the built-in protocol ran.`,
    });
  }
  return compile(builtInCrisisScript(turn.language));
}

/** The protocol from its first action (a loaded script has at least one). */
function freshPass(program: Program, level: CrisisState["level"], pass: number): CrisisState {
  const first = program.nodes[0]!;
  return {
    scriptId: program.script.session.session_id,
    level,
    pass,
    passRisk: "none",
    position: positionAt(first, 0, maxRoundsOf(first.action)),
    inFlight: null,
    variables: {},
  };
}

/** Whether the stored protocol position is one of this protocol script (it may have changed since: an override, a new engine). */
function fits(program: Program, crisis: CrisisState): boolean {
  if (crisis.scriptId !== program.script.session.session_id) return false;
  const p = crisis.position;
  const node = program.nodes[program.flatIndex(p.phaseIndex, p.topicIndex, p.actionIndex)];
  return node !== undefined && (crisis.inFlight === null || crisis.inFlight.actionId === node.action.action_id);
}

/** Events of the protocol that are not the session's: its positions and its own variables stay out of what hosts record. */
const ownEvents = new Set<EngineEvent["type"]>(["position", "variables"]);

/** A question of the protocol about safety: an ai_ask with the output `current_risk`. */
function asksRisk(node: ActionNode): boolean {
  return node.action.action_type === "ai_ask" && (node.action.config.output ?? []).some((o) => o.get === RISK_OUTPUT);
}

/** The protocol's own turn: it notes the risk a question about safety writes while it reads an answer (a repeat of the level it had included). */
class ProtocolTurn extends Turn {
  /** Set while a question about safety reads the client's answer; `level` is what it wrote, null until it writes. */
  reading: { level: RiskLevel | null } | null = null;

  override write(node: ActionNode, values: { field: OutputField; value: JsonValue }[]): void {
    const reading = this.reading;
    if (reading) for (const { field, value } of values) if (field.get === RISK_OUTPUT) reading.level = asRiskLevel(value) ?? reading.level;
    super.write(node, values);
  }
}

function outcomeOf(read: RiskLevel | null, words: RiskLevel): ConfirmationOutcome {
  if (words !== "none" || (read !== null && read !== "none")) return "confirmed";
  return read === "none" ? "denied" : "unclear";
}

/** `handler` of a question about safety: each answer it reads is reported as a `crisis_confirmation` of the session's turn. */
function confirming(handler: ActionHandler<ActionType>, turn: Turn, protocol: ProtocolTurn, crisis: CrisisState, words: RiskLevel) {
  const confirm: ActionHandler<ActionType> = {
    maxRounds: (action) => handler.maxRounds(action),
    begin: (t, node) => handler.begin(t, node),
    async resume(t, node, inFlight, answer) {
      if (answer === null) return handler.resume(t, node, inFlight, answer);
      const reading: { level: RiskLevel | null } = { level: null };
      protocol.reading = reading;
      try {
        const outcome = await handler.resume(t, node, inFlight, answer);
        turn.emit({ type: "crisis_confirmation", actionId: node.action.action_id, level: crisis.level, outcome: outcomeOf(reading.level, words) });
        return outcome;
      } finally {
        protocol.reading = null;
      }
    },
  };
  return confirm;
}

/**
 * Runs the protocol from its position with the client's answer (null: none), whose words showed the risk
 * `words`; returns whether it reached its end.
 */
async function runPass(turn: Turn, program: Program, crisis: CrisisState, answer: string | null, words: RiskLevel = "none"): Promise<boolean> {
  const s = turn.state;
  const { locale, ...resources } = resourceVariables(turn.language, turn.options.crisisResources);
  const provided = { crisis_level: crisis.level, crisis_repeat: crisis.pass > 1, ...resources };
  // The protocol reads the session's variables (the client's name…) and writes only its own.
  const state: SessionState = {
    schemaVersion: SCHEMA_VERSION,
    scriptId: crisis.scriptId,
    status: "waiting_input",
    position: crisis.position,
    inFlight: crisis.inFlight,
    crisis: null,
    // The session's reminder is shown by the session's step, never inside the protocol.
    minor: null,
    technique: null,
    scopes: { global: { ...visibleVariables(s), ...provided }, session: crisis.variables, phase: {}, topic: {} },
    variables: {},
    // Shared with the session: the protocol's lines are part of the conversation.
    history: s.history,
    messageCount: s.messageCount,
    startedAt: s.startedAt,
  };
  const emit = turn.options.emit;
  const protocol = new ProtocolTurn(program, state, {
    ...turn.options,
    emit: emit && ((e: EngineEvent) => (ownEvents.has(e.type) ? undefined : emit(e))),
  });
  protocol.crisis = true;
  // Only ai_say actions are resource lines (isResourceLine), so the ai_say handler is the one chosen for them.
  const referral = resourceLine(locale, crisis.level) as ActionHandler<ActionType>;
  const chooser = (node: ActionNode) => {
    if (isResourceLine(node)) return referral;
    const handler = withoutModel(handlerFor(node.action));
    return asksRisk(node) ? confirming(handler, turn, protocol, crisis, words) : handler;
  };
  try {
    await advance(protocol, answer, chooser);
  } finally {
    for (const key of ["llmCalls", "modelMs", "inputTokens", "outputTokens"] as const) turn.stats[key] += protocol.stats[key];
  }
  crisis.position = state.position;
  crisis.inFlight = state.inFlight;
  crisis.variables = state.scopes.session;
  s.messageCount = state.messageCount;
  turn.messages.push(...protocol.messages);
  return state.status === "completed";
}

/**
 * One turn of the crisis protocol: `reading` is the risk of the client's
 * words (`answer`, null when they said nothing). Returns true when the
 * script resumes (the protocol is over), false when the step waits in the
 * protocol.
 */
export async function crisisTurn(turn: Turn, answer: string | null, reading: RiskReading): Promise<boolean> {
  const s = turn.state;
  const program = protocolOf(turn);
  if (!s.crisis) {
    // No crisis and no risk in the words: the script goes on.
    if (reading.level === "none") return true;
    // The words that raised the risk are no answer to the protocol either: it starts from the beginning.
    s.crisis = freshPass(program, reading.level, 1);
    await runPass(turn, program, s.crisis, null);
    return false;
  }
  const crisis = s.crisis;
  crisis.level = raiseLevel(crisis.level, reading.level);
  if (!fits(program, crisis)) {
    s.crisis = freshPass(program, crisis.level, crisis.pass + 1);
    await runPass(turn, program, s.crisis, null);
    return false;
  }
  if (answer !== null) {
    crisis.passRisk = higherRisk(crisis.passRisk, reading.level);
    // Only a reading of this answer counts: until the protocol reads it, the risk stays what it was.
    crisis.variables = { ...crisis.variables, [RISK_OUTPUT]: crisis.level };
  }
  if (!(await runPass(turn, program, crisis, answer, reading.level))) return false;

  const read = asRiskLevel(crisis.variables[RISK_OUTPUT]) ?? crisis.level;
  if (read === "none" && crisis.passRisk === "none" && crisis.level !== "imminent") {
    s.crisis = null;
    return true;
  }
  // Still at risk: the protocol starts over, with the client and with the lines again.
  s.crisis = freshPass(program, raiseLevel(crisis.level, read), crisis.pass + 1);
  await runPass(turn, program, s.crisis, null);
  return false;
}
