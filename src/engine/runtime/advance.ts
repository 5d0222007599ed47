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
import type { CompiledCondition } from "../conditions";
import { endPosition, positionAt, type ActionNode, type CompiledBranch, type Program } from "./program";
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
function holds(turn: Turn, node: ActionNode, condition: CompiledCondition, subject: string): boolean {
  const outcome = condition.evaluate(visibleVariables(turn.state));
  if (outcome.ok) return outcome.value;
  turn.emit({
    type: "diagnostic",
    actionId: node.action.action_id,
    code: "CONDITION_ERROR",
    message: `${subject} could not be evaluated (${outcome.reason}); it counted as false.`,
  });
  return false;
}

/** Jumps (`next:`, ai_ask's `on_exhausted: goto`) one run follows at most, so a loop of jumps cannot keep a step going. */
export const MAX_JUMPS_PER_STEP = 10;

/** The target of the first entry that holds (`else` always does), if any. */
function branchTarget(turn: Turn, node: ActionNode, branches: readonly CompiledBranch[], owner: string): string | undefined {
  for (const [i, branch] of branches.entries()) {
    if (!branch.condition || holds(turn, node, branch.condition, `The \`next\` entry ${i + 1} of ${owner}`)) return branch.target;
  }
  return undefined;
}

/**
 * Where the flow goes once `node` is done (`outcome`) or skipped (null): a jump's target (the action's own
 * `on_exhausted: goto` or `next:`, then its topic's `next:` when the flow would leave the topic), else the
 * next action in order. Past the jump limit the flow goes on in order, and authors are told once.
 */
function successor(turn: Turn, node: ActionNode, outcome: Outcome | null, jumps: { count: number }): ActionNode | undefined {
  const inOrder = turn.program.nodes[node.flat + 1];
  const actionId = node.action.action_id;
  let target = outcome && !outcome.wait ? outcome.goto : undefined;
  if (target === undefined && outcome && node.next) target = branchTarget(turn, node, node.next, `action "${actionId}"`);
  if (target === undefined && node.topicNext && inOrder?.topic !== node.topic)
    target = branchTarget(turn, node, node.topicNext, `topic "${node.topic.topic_id}"`);
  if (target === undefined) return inOrder;
  if (jumps.count >= MAX_JUMPS_PER_STEP) {
    if (jumps.count++ === MAX_JUMPS_PER_STEP) {
      turn.emit({
        type: "diagnostic",
        actionId,
        code: "JUMP_LIMIT",
        message: `This turn already jumped ${MAX_JUMPS_PER_STEP} times; the jump to topic "${target}" after action "${actionId}" was not taken and the script went on in order. Check the \`next\` conditions for a loop that nothing in it ends.`,
      });
    }
    return inOrder;
  }
  const to = turn.program.topicStart(target);
  if (!to) {
    turn.emit({
      type: "diagnostic",
      actionId,
      code: "UNKNOWN_TARGET",
      message: `The script has no topic "${target}" to jump to after action "${actionId}"; the script went on in order.`,
    });
    return inOrder;
  }
  jumps.count++;
  return to;
}

/** Runs actions from the position; `pending` is the client's answer for the action in flight (null: nothing said). */
export async function advance(turn: Turn, pending: string | null, chooser: HandlerChooser = byType): Promise<void> {
  const s = turn.state;
  const program: Program = turn.program;
  const jumps = { count: 0 };
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
      if (node.condition && !holds(turn, node, node.condition, `The condition of action "${node.action.action_id}"`)) {
        moveTo(turn, successor(turn, node, null, jumps));
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
    const ended = moveTo(turn, successor(turn, node, outcome, jumps));
    if (ended) return;
    // A resumed action that ends with a line lets the client answer it before the next action speaks (upstream turn shape).
    if (resumed && turn.messages.length > before) {
      s.status = "waiting_input";
      return;
    }
  }
}
