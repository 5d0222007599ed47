/**
 * ai_think: one silent model call that works out the `output` variables
 * from `content` and what is known (upstream B8: a stub that read other
 * fields than the schema's and produced nothing). Nothing is shown; the flow goes
 * on in the same step. Every output must be in the reply (a repair is
 * requested otherwise); its value is stored as given.
 */
import { outputList, thinkReplySchema } from "../prompts/schemas";
import { phrases } from "../prompts/templates";
import { memo } from "../runtime/program";
import { coerceOutput } from "../variables/coerce";
import { valueAsText } from "../variables/render";
import { visibleVariables } from "../variables/store";
import type { Reply } from "../prompts/reply";
import type { OutputField } from "../script/schema";
import type { Turn } from "../runtime/turn";
import { done, requestedOutput, type ActionHandler, type NodeOf } from "./types";

const schemaKey = Symbol("thinkReplySchema");
const outputListKey = Symbol("thinkOutputList");
const missingKey = Symbol("thinkMissing");

/** Every output must be in the reply. Built once per action (no closure per call). */
function missingOutputs(fields: readonly OutputField[]): (reply: Reply) => string[] {
  return (reply) => fields.filter((f) => reply[f.get] === undefined).map((f) => f.get);
}

function knownVariables(turn: Turn): string {
  const vars = visibleVariables(turn.state);
  const sep = turn.language === "zh-CN" ? "：" : ": ";
  const lines = Object.keys(vars).flatMap((name) => {
    const text = valueAsText(vars[name]);
    return text === undefined ? [] : [`${name}${sep}${text}`];
  });
  return lines.length ? lines.join("\n") : phrases(turn.language).noVariables;
}

async function think(turn: Turn, node: NodeOf<"ai_think">) {
  const fields = node.action.config.output;
  const task = turn.content(node);
  const reply = await turn.callModel({
    request: {
      purpose: "ai_think",
      language: turn.language,
      actionId: node.action.action_id,
      content: task,
      round: 1,
      maxRounds: 1,
      answer: null,
      outputs: fields.map((f) => requestedOutput(f, false)),
    },
    prompt: turn.prompt("ai_think", node, {
      task,
      output_list: memo(node, outputListKey, () => outputList(fields, phrases(turn.language).outputHint)),
      known_variables: knownVariables(turn),
    }),
    schema: memo(node, schemaKey, () => thinkReplySchema(fields)),
    temperature: 0.5,
    maxOutputTokens: 800,
    missing: memo(node, missingKey, () => missingOutputs(fields)),
  });
  turn.flagSilently(node, reply);
  // A value that is not of the declared type is not stored: conditions and text then see it as missing.
  turn.write(
    node,
    fields.flatMap((field) => {
      const value = coerceOutput(field, reply[field.get]);
      return value === undefined ? [] : [{ field, value }];
    }),
  );
  return done;
}

export const aiThink: ActionHandler<"ai_think"> = {
  maxRounds: () => 1,
  begin: think,
  // Never in flight (it does not wait), so resuming only happens if a host forces it: think again.
  resume: (turn, node) => think(turn, node),
};
