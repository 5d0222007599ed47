/**
 * ai_ask: ask, follow up, extract variables.
 *
 * Multi-round mode (output or exit set): the model asks; on each answer it
 * is called again, reports the output values it heard (written at once, the
 * exiting reply's too — upstream B6 dropped those and the first round's) and decides whether the exit condition is met.
 * At most max_rounds (default 3) questions. When the action ends, each
 * output still without a value is taken from an extraction call (when it
 * has `define`), else from the client's last answer (upstream §4.6.3). The
 * exiting reply is not shown: the next action speaks in the same step.
 *
 * Simple mode (neither): ask once; the answer ends the action with no model
 * call. With `save_answer` (older scripts' `target_variable`, §4.6.4) the
 * answer is stored as written under that name.
 *
 * An empty reply is not an answer: the model asks again, the round stays.
 */
import type { AiAskConfig, OutputField } from "../script/schema";
import { askReplySchema, extractReplySchema, outputList } from "../prompts/schemas";
import { phrases } from "../prompts/templates";
import type { Reply } from "../prompts/reply";
import { memo } from "../runtime/program";
import type { JsonValue, VariableMap } from "../runtime/state";
import type { Turn } from "../runtime/turn";
import { coerceOutput, hasValue } from "../variables/coerce";
import { decideExit, exitFlag } from "./exit";
import { contentOf, done, requestedOutput, type ActionHandler, type NodeOf } from "./types";

function outputs(config: AiAskConfig): OutputField[] {
  return config.output ?? [];
}

function multiRound(config: AiAskConfig): boolean {
  return outputs(config).length > 0 || (config.exit ?? "").trim() !== "";
}

const schemaKey = Symbol("askReplySchema");
const outputListKey = Symbol("askOutputList");

// What a usable question reply must carry. Module-level functions, not closures made per call:
// bundlers that keep function names (wrangler's default) wrap every named closure in a call.
const needsContent = (reply: Reply): string[] => (contentOf(reply) ? [] : ["content"]);
/** The answer may end the action: an exiting reply needs no content (it is not shown). */
const needsContentUnlessExit = (reply: Reply): string[] => (exitFlag(reply) || contentOf(reply) ? [] : ["content"]);
const needsNothing = (): string[] => [];

async function question(turn: Turn, node: NodeOf<"ai_ask">, round: number, answer: string | null, collected: VariableMap): Promise<Reply> {
  const config = node.action.config;
  const fields = outputs(config);
  const maxRounds = aiAsk.maxRounds(node.action);
  const p = phrases(turn.language);
  const task = turn.content(node);
  // When the answer can end the action, the reply is only shown if it does not.
  const canExit = answer !== null && multiRound(config);
  const mustExit = canExit && round > maxRounds;
  const prompt = turn.prompt("ai_ask", node, {
    task,
    tone: config.tone?.trim() || p.askTone,
    current_round: String(Math.min(round, maxRounds)),
    max_rounds: String(maxRounds),
    exit: config.exit?.trim() || p.askExit,
    output_list: memo(node, outputListKey, () => outputList(fields, p.outputHint)),
  });
  return turn.callModel({
    request: {
      purpose: "ai_ask",
      language: turn.language,
      actionId: node.action.action_id,
      content: task,
      round,
      maxRounds,
      answer,
      outputs: fields.map((f) => requestedOutput(f, hasValue(collected[f.get]))),
    },
    prompt,
    schema: memo(node, schemaKey, () => askReplySchema(fields)),
    temperature: 0.7,
    maxOutputTokens: 800,
    ...(mustExit ? {} : { stream: { messageId: turn.nextMessageId(), gated: canExit } }),
    missing: mustExit ? needsNothing : canExit ? needsContentUnlessExit : needsContent,
  });
}

/** Writes the output values a reply carries and notes them as collected. */
function collect(turn: Turn, node: NodeOf<"ai_ask">, reply: Reply, collected: VariableMap): void {
  const found: { field: OutputField; value: JsonValue }[] = [];
  for (const field of outputs(node.action.config)) {
    const value = coerceOutput(field, reply[field.get]);
    if (value !== undefined) {
      collected[field.get] = value;
      found.push({ field, value });
    }
  }
  turn.write(node, found);
}

/** Fills the outputs nobody reported yet: extraction call for those with `define`, else the last answer. */
async function finish(turn: Turn, node: NodeOf<"ai_ask">, collected: VariableMap, answer: string): Promise<void> {
  const missing = outputs(node.action.config).filter((f) => !hasValue(collected[f.get]));
  if (missing.length === 0) return;
  const defined = missing.filter((f) => f.define?.trim());
  let extracted: Reply = {};
  if (defined.length) {
    const p = phrases(turn.language);
    extracted = await turn.callModel({
      request: {
        purpose: "extract",
        language: turn.language,
        actionId: node.action.action_id,
        content: turn.content(node),
        round: 0,
        maxRounds: 0,
        answer,
        outputs: defined.map((f) => requestedOutput(f, false)),
      },
      prompt: turn.prompt("extract", node, { output_list: outputList(defined, p.outputHint) }),
      schema: extractReplySchema(defined),
      temperature: 0.3,
      maxOutputTokens: 500,
      missing: needsNothing,
    });
    turn.flagSilently(node, extracted);
  }
  // A value the extraction did not give as the declared type falls back to the answer read as that type, else stays unset.
  turn.write(
    node,
    missing.flatMap((field) => {
      const value = coerceOutput(field, extracted[field.get]) ?? coerceOutput(field, answer);
      return value === undefined ? [] : [{ field, value }];
    }),
  );
}

export const aiAsk: ActionHandler<"ai_ask"> = {
  maxRounds(action) {
    return action.config.save_answer ? 1 : (action.config.max_rounds ?? 3);
  },
  async begin(turn, node) {
    const collected: VariableMap = {};
    const reply = await question(turn, node, 1, null, collected);
    collect(turn, node, reply, collected);
    turn.say(node, contentOf(reply)!, 1, reply);
    return { wait: true, round: 1, collected };
  },
  async resume(turn, node, inFlight, answer) {
    const collected: VariableMap = { ...inFlight.collected };
    if (answer === null) {
      const reply = await question(turn, node, inFlight.round, null, collected);
      turn.say(node, contentOf(reply)!, inFlight.round, reply);
      return { wait: true, round: inFlight.round, collected };
    }
    const config = node.action.config;
    if (!multiRound(config)) {
      if (config.save_answer) turn.write(node, [{ field: { get: config.save_answer }, value: answer }]);
      return done;
    }

    const maxRounds = aiAsk.maxRounds(node.action);
    const next = inFlight.round + 1;
    const reply = await question(turn, node, next, answer, collected);
    collect(turn, node, reply, collected);
    const decision = decideExit({
      sources: ["max_rounds", "exit_flag", "llm_suggestion"],
      round: inFlight.round,
      maxRounds,
      reply,
    });
    if (decision.exit) {
      turn.flagSilently(node, reply);
      await finish(turn, node, collected, answer);
      return done;
    }
    turn.say(node, contentOf(reply)!, next, reply);
    return { wait: true, round: next, collected };
  },
};
