/** Action types and their handlers. */
import type { Action, ActionType } from "../script/schema";
import { aiAsk } from "./ai-ask";
import { aiSay } from "./ai-say";
import { aiThink } from "./ai-think";
import { handoff } from "./handoff";
import { set } from "./set";
import type { ActionHandler } from "./types";
import { useSkill } from "./use-skill";

const handlers: { [T in ActionType]: ActionHandler<T> } = { ai_say: aiSay, ai_ask: aiAsk, ai_think: aiThink, handoff, set, use_skill: useSkill };

export function handlerFor(action: Action): ActionHandler<ActionType> {
  return handlers[action.action_type] as ActionHandler<ActionType>;
}

export function maxRoundsOf(action: Action): number {
  return handlerFor(action).maxRounds(action as never);
}
