/**
 * The protocol outlives the model. When a model call of a protocol action
 * fails (timeout, provider down or refusing, replies that stay unusable), the
 * action's content is shown as the author wrote it instead of the step
 * failing: a client in crisis must get the care text, the lines and the
 * safety question rather than an error. An answer the model could not read
 * leaves `current_risk` at the crisis level, so the protocol stays.
 * The host's abort still ends the step.
 */
import { done, type ActionHandler, type Outcome } from "../actions/types";
import { toStepError } from "../runtime/errors";
import type { StepErrorCode } from "../runtime/events";
import type { ActionNode } from "../runtime/program";
import type { Turn } from "../runtime/turn";
import type { ActionType } from "../script/schema";

const modelFailures: ReadonlySet<StepErrorCode> = new Set(["LLM_TIMEOUT", "LLM_UNAVAILABLE", "LLM_ERROR", "MODEL_REPLY_INVALID"]);

function outlived(turn: Turn, err: unknown): boolean {
  return !turn.options.signal?.aborted && modelFailures.has(toStepError(err, undefined).code);
}

/** The action's first round without the model: its content as a line (ai_think shows nothing). */
function asWritten(turn: Turn, node: ActionNode): Outcome {
  const action = node.action;
  if (action.action_type === "ai_think" || action.action_type === "set" || action.action_type === "use_skill") return done;
  turn.say(node, turn.content({ ...node, action }), 1);
  const waits = action.action_type === "ai_ask" || (action.action_type === "ai_say" && action.config.wait_for_reply !== false);
  return waits ? { wait: true, round: 1 } : done;
}

const wrapped = new Map<ActionHandler<ActionType>, ActionHandler<ActionType>>();

/** `handler`, showing the content as written when its model calls fail (one wrapper per handler). */
export function withoutModel(handler: ActionHandler<ActionType>): ActionHandler<ActionType> {
  let w = wrapped.get(handler);
  if (!w) {
    w = wrap(handler);
    wrapped.set(handler, w);
  }
  return w;
}

function wrap(handler: ActionHandler<ActionType>): ActionHandler<ActionType> {
  return {
    maxRounds: (action) => handler.maxRounds(action),
    async begin(turn, node) {
      try {
        return await handler.begin(turn, node);
      } catch (err) {
        if (!outlived(turn, err)) throw err;
        return asWritten(turn, node);
      }
    },
    async resume(turn, node, inFlight, answer) {
      try {
        return await handler.resume(turn, node, inFlight, answer);
      } catch (err) {
        if (!outlived(turn, err)) throw err;
        return done;
      }
    },
  };
}
