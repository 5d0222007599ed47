/**
 * handoff: the script asks for a human counselor. The client is told the
 * action's content as written (no model call: what is promised about a
 * person coming must not be reworded), the host gets a `handoff` event with
 * the author's reason and queues the session, and the script goes on to its
 * next action until a counselor takes the session over.
 */
import { done, type ActionHandler } from "./types";

export const handoff: ActionHandler<"handoff"> = {
  maxRounds: () => 1,
  async begin(turn, node) {
    turn.say(node, turn.content(node), 1);
    turn.emit({ type: "handoff", actionId: node.action.action_id, reason: node.action.config.reason });
    return done;
  },
  async resume() {
    return done;
  },
};
