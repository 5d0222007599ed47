/**
 * The protocol's lines that carry crisis resources. Their text is the
 * author's content with the configured lines filled in (crisis_resources,
 * emergency_resources), shown as written with no model call: a phone number
 * must never be one a model made up or reworded. Each one shown is a
 * referral (`crisis_referral` event, no content).
 */
import { done, type ActionHandler } from "../actions/types";
import type { ActionNode } from "../runtime/program";
import { memo } from "../runtime/program";
import type { CrisisState } from "../runtime/state";
import type { Turn } from "../runtime/turn";
import { crisisResourcesFor, defaultCrisisResources, describeCrisisResource, type CrisisResourceTable } from "../safety/resources";
import { placeholderNames } from "../script/placeholders";
import type { Language } from "../script/schema";
import { RESOURCE_VARIABLES } from "./scripts";

const usesResourcesKey = Symbol("usesResources");

/** Whether an action is a resource line: an ai_say whose content uses a resource variable. */
export function isResourceLine(node: ActionNode): boolean {
  if (node.action.action_type !== "ai_say") return false;
  const content = node.action.config.content;
  return memo(node, usesResourcesKey, () => placeholderNames(content).some((name) => RESOURCE_VARIABLES.includes(name)));
}

const noEmergencyNumber: Record<Language, string> = { en: "your local emergency number", "zh-CN": "当地的急救电话" };

/** The resource variables for a language: the crisis lines one per line, the emergency numbers, and the table key they came from. */
export function resourceVariables(language: Language, configured: CrisisResourceTable | undefined) {
  const resources = crisisResourcesFor(language, configured);
  const emergency = resources.filter((r) => r.kind === "emergency").map((r) => r.phone ?? r.name);
  const tables = configured ? [configured, defaultCrisisResources] : [defaultCrisisResources];
  const locale = tables.flatMap((t) => Object.entries(t)).find(([, list]) => list === resources)?.[0] ?? language;
  return {
    locale,
    crisis_resources: resources
      .filter((r) => r.kind === "crisis_line")
      .map((r) => `- ${describeCrisisResource(r)}`)
      .join("\n"),
    emergency_resources: emergency.length ? emergency.join(" / ") : noEmergencyNumber[language],
  };
}

/** Shows the line as written (variables filled), once; waits for a reply only when the author did not write `wait_for_reply: false`. */
export function resourceLine(locale: string, level: CrisisState["level"]): ActionHandler<"ai_say"> {
  return {
    maxRounds: () => 1,
    async begin(turn: Turn, node) {
      turn.say(node, turn.content(node), 1);
      turn.emit({ type: "crisis_referral", actionId: node.action.action_id, locale, level });
      return node.action.config.wait_for_reply === false ? done : { wait: true, round: 1 };
    },
    async resume() {
      return done;
    },
  };
}
