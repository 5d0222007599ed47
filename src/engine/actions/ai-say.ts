/**
 * ai_say: convey content and check it landed.
 *
 * Template mode (max_rounds, exit_criteria or exit set): one model line per
 * round, the client replies after each; `max_rounds` rounds (default 5)
 * unless an early exit fires (exit_criteria; the model's EXIT when the
 * author set `exit` — upstream B7 ignored it). Round shapes follow the upstream: with
 * max_rounds 1 the line waits for one reply, which then ends the action
 * silently; with N ≥ 2 the N-th line ends the action and the next reply
 * starts the next action.
 *
 * Paraphrase mode (none of those): the model rewords `content` (variables
 * filled in; upstream B5 left them out) and the action waits for one reply.
 *
 * `wait_for_reply: false`: the first line is shown and the flow goes on in
 * the same step.
 */
import { paraphraseReplySchema, sayReplySchema } from "../prompts/schemas";
import { phrases } from "../prompts/templates";
import { lookupVariable } from "../variables/store";
import type { AiSayConfig } from "../script/schema";
import type { Turn } from "../runtime/turn";
import { decideExit, type ExitSource } from "./exit";
import { contentOf, done, type ActionHandler, type NodeOf, type Outcome } from "./types";

function templateMode(config: AiSayConfig): boolean {
  return config.max_rounds !== undefined || config.exit_criteria !== undefined || config.exit !== undefined;
}

const needsContent = (reply: Record<string, unknown>) => (contentOf(reply) ? [] : ["content"]);

const templateSources: readonly ExitSource[] = ["max_rounds", "exit_criteria", "llm_suggestion"];
/** With `exit` set, the model's EXIT flag ends the action too (upstream B7 ignored the flag). */
const templateSourcesWithFlag: readonly ExitSource[] = [...templateSources, "exit_flag"];

async function sayRound(turn: Turn, node: NodeOf<"ai_say">, round: number, answer: string | null): Promise<Outcome> {
  const config = node.action.config;
  const maxRounds = aiSay.maxRounds(node.action);
  const p = phrases(turn.language);
  const content = turn.content(node);
  const prompt = turn.prompt("ai_say", node, {
    topic_content: content,
    tone: config.tone?.trim() || p.sayTone,
    current_round: String(round),
    max_rounds: String(maxRounds),
    exit: config.exit?.trim() || p.sayExit,
    understanding_threshold: String(config.exit_criteria?.understanding_threshold ?? 80),
  });
  const reply = await turn.callModel({
    request: { purpose: "ai_say", language: turn.language, actionId: node.action.action_id, content, round, maxRounds, answer, outputs: [] },
    prompt,
    schema: sayReplySchema,
    temperature: 0.7,
    maxOutputTokens: 1000,
    stream: { messageId: turn.nextMessageId(), gated: false },
    missing: needsContent,
  });
  turn.say(node, contentOf(reply)!, round, reply);
  if (config.wait_for_reply === false) return done;

  const criteria = config.exit_criteria;
  const decision = decideExit({
    sources: config.exit !== undefined ? templateSourcesWithFlag : templateSources,
    round,
    maxRounds,
    reply,
    ...(criteria ? { criteria } : {}),
    // Only custom conditions read variables: no closure per round otherwise.
    ...(criteria?.custom_conditions?.length ? { lookup: (name: string) => lookupVariable(turn.state, name) } : {}),
  });
  const early = decision.exit && decision.source !== "max_rounds";
  const finished = early || (maxRounds > 1 && round >= maxRounds);
  return finished ? done : { wait: true, round };
}

async function paraphrase(turn: Turn, node: NodeOf<"ai_say">): Promise<Outcome> {
  const config = node.action.config;
  const content = turn.content(node);
  const prompt = turn.prompt("ai_say_paraphrase", node, {
    topic_content: content,
    tone: config.tone?.trim() || phrases(turn.language).sayTone,
  });
  const reply = await turn.callModel({
    request: {
      purpose: "ai_say_paraphrase",
      language: turn.language,
      actionId: node.action.action_id,
      content,
      round: 1,
      maxRounds: 1,
      answer: null,
      outputs: [],
    },
    prompt,
    schema: paraphraseReplySchema,
    temperature: 0.7,
    maxOutputTokens: 500,
    stream: { messageId: turn.nextMessageId(), gated: false },
    missing: needsContent,
  });
  turn.say(node, contentOf(reply)!, 1, reply);
  return config.wait_for_reply === false ? done : { wait: true, round: 1 };
}

export const aiSay: ActionHandler<"ai_say"> = {
  maxRounds(action) {
    const c = action.config;
    return templateMode(c) ? (c.max_rounds ?? 5) : 1;
  },
  begin(turn, node) {
    return templateMode(node.action.config) ? sayRound(turn, node, 1, null) : paraphrase(turn, node);
  },
  async resume(turn, node, inFlight, answer) {
    const round = inFlight.round + 1;
    // Past the last round the reply only acknowledges the last line.
    if (!templateMode(node.action.config) || round > aiSay.maxRounds(node.action)) return done;
    return sayRound(turn, node, round, answer);
  },
};
