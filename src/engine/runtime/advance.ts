/**
 * The action loop: runs actions from the state's position until one waits
 * for the client or the script ends. step() runs it over the session's
 * script, and the crisis protocol over its own script (with its own state),
 * so both follow the same turn rules.
 */
import { handlerFor, maxRoundsOf } from "../actions";
import type { ActionHandler, Outcome } from "../actions/types";
import type { ActionType } from "../script/schema";
import { visibleVariables } from "../variables/store";
import { EngineError } from "./errors";
import { endPosition, positionAt, type ActionNode, type Program } from "./program";
import type { Turn } from "./turn";

/** Which handler runs an action: by default its type's. */
export type HandlerChooser = (node: ActionNode) => ActionHandler<ActionType>;

const byType: HandlerChooser = (node) => handlerFor(node.action);

/** Moves to `node`, or past the end when there is none (then the script is completed). Returns whether it ended. */
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

/** Runs actions from the position; `pending` is the client's answer for the action in flight (null: nothing said). */
export async function advance(turn: Turn, pending: string | null, chooser: HandlerChooser = byType): Promise<void> {
  const s = turn.state;
  const program: Program = turn.program;
  for (;;) {
    const node = program.nodes[program.flatIndex(s.position.phaseIndex, s.position.topicIndex, s.position.actionIndex)];
    if (!node) {
      moveTo(turn, undefined);
      return;
    }
    const handler = chooser(node);
    const before = turn.messages.length;
    let resumed = false;
    let outcome: Outcome;
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
      s.position = positionAt(node, outcome.round, s.position.maxRounds, outcome.technique ?? null);
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
