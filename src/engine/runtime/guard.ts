/**
 * The output guard: a line the client is about to see that crosses a safety
 * boundary — the model says so in its `safety_risk`, or the local check
 * (safety/output-check.ts) finds it — is never shown or kept as the AI's
 * words. What streamed of it is retracted at once (model.ts withholds it,
 * and stops streaming a line mid-way when the local check flags it);
 * one rewrite call (the `rewrite` template, the draft after the
 * conversation) gives the line instead when the rewrite passes both checks
 * again, else an approved canned line (safety/canned-lines.ts) does. The
 * action then commits the safe line as if the model had written it, so the
 * history later prompts read holds only safe text. A `guard` event tells
 * hosts what happened, without text.
 */
import { exitFlag } from "../actions/exit";
import { contentOf } from "../actions/types";
import type { Reply } from "../prompts/reply";
import { paraphraseReplySchema } from "../prompts/schemas";
import { phrases } from "../prompts/templates";
import { cannedLine } from "../safety/canned-lines";
import { checkOutput, guardKinds, type GuardKind } from "../safety/output-check";
import type { GuardAction, SafetyFlag } from "./events";
import { callModel, type ModelCall } from "./model";
import type { ActionNode } from "./program";
import type { Turn } from "./turn";

export interface GuardFinding {
  source: GuardAction["source"];
  kinds: GuardKind[];
  /** The model saw crisis signs in the same reply: a canned line then gives the crisis lines. */
  crisis: boolean;
}

export function truthy(v: unknown): boolean {
  return v === true || (typeof v === "string" && v.trim().toLowerCase() === "true");
}

/** The model's own safety report: its reply may cross a boundary, or it saw crisis signs. */
export function modelSafety(reply: Reply): SafetyFlag | undefined {
  const risk = reply.safety_risk as Record<string, unknown> | undefined;
  const metadata = reply.metadata as Record<string, unknown> | undefined;
  const crisis = truthy(metadata?.crisis_signal);
  const detected = typeof risk === "object" && risk !== null && truthy(risk.detected);
  if (!crisis && !detected) return undefined;
  const flag: SafetyFlag = { source: "model", crisis };
  if (detected && typeof risk.risk_type === "string") flag.riskType = risk.risk_type;
  if (detected && typeof risk.confidence === "string") flag.confidence = risk.confidence;
  return flag;
}

export function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : undefined;
}

/** The model's own verdict on its line: `safety_risk.detected`, with its `risk_type` when that is one of the guard's kinds. */
function modelVerdict(reply: Reply): { detected: boolean; kind?: GuardKind } {
  const risk = record(reply.safety_risk);
  if (!risk || !truthy(risk.detected)) return { detected: false };
  const kind = guardKinds.find((k) => k === risk.risk_type);
  return kind ? { detected: true, kind } : { detected: true };
}

/**
 * Whether the reply of a streaming call holds a line that must not be shown as it is. A gated
 * call's reply that ends the action (EXIT) is never shown, so it is not reviewed.
 */
export function review(call: ModelCall, reply: Reply): GuardFinding | undefined {
  if (!call.stream || (call.stream.gated && exitFlag(reply))) return undefined;
  const line = contentOf(reply);
  if (line === undefined) return undefined;
  const model = modelVerdict(reply);
  const local = checkOutput(line);
  if (!model.detected && !local.flagged) return undefined;
  const kinds = guardKinds.filter((k) => k === model.kind || local.kinds.includes(k));
  return { source: model.detected ? "model" : "local", kinds, crisis: truthy(record(reply.metadata)?.crisis_signal) };
}

const needsContent = (reply: Reply): string[] => (contentOf(reply) ? [] : ["content"]);

/** One rewrite call; the safe line it gave, or undefined when it failed or crossed a boundary again. The host's abort still ends the step. */
async function rewrite(turn: Turn, node: ActionNode, call: ModelCall, draft: string, finding: GuardFinding): Promise<string | undefined> {
  const crossed = phrases(turn.language).crossed;
  const problem = finding.kinds.length ? finding.kinds.map((k) => crossed[k]).join(turn.language === "zh-CN" ? "" : " ") : crossed.unknown;
  try {
    const reply = await callModel(turn, {
      request: { ...call.request, purpose: "rewrite", content: draft, outputs: [] },
      prompt: turn.prompt("rewrite", node, { problem }),
      schema: paraphraseReplySchema,
      temperature: 0.3,
      maxOutputTokens: 500,
      maxAttempts: 1,
      draft,
      missing: needsContent,
    });
    const line = contentOf(reply);
    return line !== undefined && !modelVerdict(reply).detected && !checkOutput(line).flagged ? line : undefined;
  } catch (err) {
    if (turn.options.signal?.aborted) throw err;
    return undefined;
  }
}

/** Replaces the reply's line with a safe one (a checked rewrite, else the canned line) and reports it. */
export async function guardLine(turn: Turn, node: ActionNode, call: ModelCall, reply: Reply, finding: GuardFinding): Promise<Reply> {
  const safe = await rewrite(turn, node, call, contentOf(reply)!, finding);
  reply.content = safe ?? cannedLine(turn.language, finding.crisis, turn.options.crisisResources);
  turn.emit({
    type: "guard",
    actionId: call.request.actionId,
    messageId: call.stream!.messageId,
    source: finding.source,
    kinds: finding.kinds,
    action: safe === undefined ? "canned" : "rewritten",
  });
  return reply;
}
