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
 *
 * Graded reprompts (`reprompts`): the 2nd, 3rd … question carries the
 * author's guidance for it (the last entry repeating), with why it is asked
 * again: after an empty reply (which then uses up a question) the model is
 * told the client sent nothing; after an answer, one call both reads it and
 * asks on, so the model is told to follow the guidance if the answer does
 * not answer the question (it is off topic).
 *
 * `on_exhausted` decides what an output still without a value when the
 * action ends becomes instead of the last answer: nothing (`continue`), its
 * `default`, or a jump to the topic `goto`.
 */
import type { AiAskConfig, OnExhausted, OutputField } from "../script/schema";
import { askReplySchema, extractReplySchema, outputList } from "../prompts/schemas";
import { phrases } from "../prompts/templates";
import type { Reply } from "../prompts/reply";
import { memo } from "../runtime/program";
import type { ModelRequest } from "../runtime/model";
import type { JsonValue, VariableMap } from "../runtime/state";
import type { Turn } from "../runtime/turn";
import { coerceOutput, hasValue } from "../variables/coerce";
import { decideExit, exitFlag } from "./exit";
import { contentOf, done, requestedOutput, type ActionHandler, type NodeOf, type Outcome } from "./types";

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

/**
 * What question `round` asks again for, when the action has `reprompts`: after an empty reply (`answer` null),
 * or in case the answer does not answer (`off_topic`: the same call reads it). None for the first question or
 * a closing reply.
 */
function repromptFor(config: AiAskConfig, round: number, answer: string | null, closing: boolean): ModelRequest["reprompt"] {
  const list = config.reprompts;
  if (!list || round < 2 || closing) return undefined;
  return { attempt: round, reason: answer === null ? "empty" : "off_topic", guidance: list[Math.min(round - 2, list.length - 1)]! };
}

async function question(turn: Turn, node: NodeOf<"ai_ask">, round: number, answer: string | null, collected: VariableMap): Promise<Reply> {
  const config = node.action.config;
  const fields = outputs(config);
  const maxRounds = aiAsk.maxRounds(node.action);
  const p = phrases(turn.language);
  const task = turn.content(node);
  // When the answer can end the action, the reply is only shown if it does not.
  const canExit = answer !== null && multiRound(config);
  const mustExit = canExit && round > maxRounds;
  const reprompt = repromptFor(config, round, answer, mustExit);
  const prompt = turn.prompt("ai_ask", node, {
    reprompt: reprompt ? p.reprompt(reprompt) : "",
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
      reprompt,
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

/**
 * Fills the outputs nobody reported yet: an extraction call for those with `define`, then, with `fromAnswer`,
 * the last answer read as each one's type. Returns the outputs still without a value.
 */
async function finish(
  turn: Turn,
  node: NodeOf<"ai_ask">,
  collected: VariableMap,
  answer: string | null,
  fromAnswer: boolean,
): Promise<OutputField[]> {
  const missing = outputs(node.action.config).filter((f) => !hasValue(collected[f.get]));
  if (missing.length === 0) return missing;
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
  const found = missing.flatMap((field) => {
    const value = coerceOutput(field, extracted[field.get]) ?? (fromAnswer && answer !== null ? coerceOutput(field, answer) : undefined);
    return value === undefined ? [] : [{ field, value }];
  });
  turn.write(node, found);
  return missing.filter((field) => !found.some((f) => f.field === field));
}

/** `on_exhausted` for the outputs still `missing` (none asked for: the client never answered): their defaults, then the jump. */
function exhausted(turn: Turn, node: NodeOf<"ai_ask">, missing: OutputField[], answered: boolean, on: OnExhausted): Outcome {
  if (on === "continue") return done;
  const defaults = on.default ?? {};
  const filled = missing.flatMap((field) => {
    const value = Object.hasOwn(defaults, field.get) ? coerceOutput(field, defaults[field.get]) : undefined;
    return value === undefined ? [] : [{ field, value }];
  });
  turn.write(node, filled);
  const unanswered = outputs(node.action.config).length === 0 ? !answered : filled.length < missing.length;
  return on.goto !== undefined && unanswered ? { wait: false, goto: on.goto } : done;
}

/** The action ends: the outputs still empty are filled as far as they can be, and `on_exhausted` has its say. */
async function end(turn: Turn, node: NodeOf<"ai_ask">, collected: VariableMap, answer: string | null): Promise<Outcome> {
  const on = node.action.config.on_exhausted;
  const missing = await finish(turn, node, collected, answer, on === undefined);
  return on === undefined ? done : exhausted(turn, node, missing, answer !== null, on);
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
    const config = node.action.config;
    const maxRounds = aiAsk.maxRounds(node.action);
    if (answer === null) {
      // With reprompts an empty reply uses up a question, so silence cannot keep the action asking forever.
      const round = config.reprompts ? inFlight.round + 1 : inFlight.round;
      if (round > maxRounds) return end(turn, node, collected, null);
      const reply = await question(turn, node, round, null, collected);
      turn.say(node, contentOf(reply)!, round, reply);
      return { wait: true, round, collected };
    }
    if (!multiRound(config)) {
      if (config.save_answer) turn.write(node, [{ field: { get: config.save_answer }, value: answer }]);
      return done;
    }

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
      return end(turn, node, collected, answer);
    }
    turn.say(node, contentOf(reply)!, next, reply);
    return { wait: true, round: next, collected };
  },
};
