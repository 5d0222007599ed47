/**
 * A turn's safety flags, crisis referrals, output-guard actions and crisis confirmations as the records its commit logs (the
 * session's safety log and the D1 mirror), the session's risk they raise, and the flags the turn's
 * messages carry. Nothing here holds what anyone said.
 */
import { riskLevels, type JsonValue, type RiskLevel, type SafetyFlag } from "../../engine";
import type { EngineEvent, GuardAction } from "../../engine/runtime/events";
import type { SafetyView } from "../schemas";
import type { SafetyRecord, StoredMessage } from "../storage/tables";

/** Crisis resources the engine showed: its `crisis_referral` event without the type. */
export interface Referral {
  actionId: string | null;
  locale: string;
  level: RiskLevel;
}

/** The level a flag carries: a crisis flag the engine did not grade counts as `high`, any other ungraded flag as `none`. */
export function levelOf(flag: SafetyFlag): RiskLevel {
  return flag.level ?? (flag.crisis ? "high" : "none");
}

/** A line the output guard replaced: its `guard` event without the type. */
export type Guarded = GuardAction & { actionId: string; messageId: string };

/** What the crisis protocol's question about safety read in an answer: its `crisis_confirmation` event without the type. */
export type Confirmation = Omit<Extract<EngineEvent, { type: "crisis_confirmation" }>, "type">;

/** A flag of this turn, with the level it counts as. */
export type GradedFlag = SafetyView & { level: RiskLevel };

export function highest(levels: RiskLevel[]): RiskLevel {
  return riskLevels[Math.max(0, ...levels.map((l) => riskLevels.indexOf(l)))]!;
}

export interface TurnSafety {
  turnId: number;
  flags: GradedFlag[];
  referrals: Referral[];
  guards: Guarded[];
  confirmations: Confirmation[];
  /** The script's language. */
  locale: string;
  /** The client's message of the turn: the message an input flag is about. */
  userMessage: StoredMessage | null;
  now: number;
}

/**
 * The records a turn commits. The crisis protocol's lines of resources are the engine's `crisis_referral`
 * events; a turn with crisis flags and none of those (the model flagged a crisis, which does not start the
 * protocol) still counts one referral, because clients show the crisis resources on a `safety` frame with
 * `crisis: true` (once per turn, however many flags say so). Each line the output guard replaced is one
 * `guard` record, and each answer the protocol's question about safety read one `confirmation` record (about
 * the client's message of the turn).
 */
export function safetyRecords({ turnId, flags, referrals, guards, confirmations, locale, userMessage, now }: TurnSafety): SafetyRecord[] {
  const base = { turnId, locale, createdAt: now };
  const records: SafetyRecord[] = flags.map((f) => ({
    ...base,
    id: crypto.randomUUID(),
    kind: "flag",
    messageId: f.source === "input" ? (userMessage?.id ?? null) : (f.messageId ?? null),
    actionId: f.actionId,
    source: f.source,
    level: f.level,
  }));
  const crisis = flags.filter((f) => f.crisis);
  const shown: Referral[] = referrals.length
    ? referrals
    : crisis.length
      ? [{ actionId: crisis[0]!.actionId, locale, level: highest(crisis.map((f) => f.level)) }]
      : [];
  for (const r of shown) {
    // Counted under the script's language, as the flags are: the report puts a session's detections and referrals in one row.
    records.push({
      ...base,
      id: crypto.randomUUID(),
      kind: "referral",
      messageId: crisis[0]?.messageId ?? null,
      source: null,
      actionId: r.actionId,
      level: r.level,
    });
  }
  for (const { actionId, messageId, source, kinds, action } of guards) {
    records.push({ ...base, id: crypto.randomUUID(), kind: "guard", messageId, actionId, source, kinds, action });
  }
  for (const { actionId, level, outcome } of confirmations) {
    const messageId = userMessage?.id ?? null;
    records.push({ ...base, id: crypto.randomUUID(), kind: "confirmation", messageId, actionId, source: null, level, outcome });
  }
  return records;
}

/**
 * The turn's messages with their flags graded, and the first of them marked with the flag of the client's
 * words it answers (`inputSafety`), so a reviewer reading the transcript sees where a flag was raised.
 */
export function flaggedMessages(messages: StoredMessage[], flags: GradedFlag[]): StoredMessage[] {
  const input = flags.filter((f) => f.source === "input");
  return messages.map((m, i) => {
    const own = m.metadata?.safety as unknown as SafetyFlag | undefined;
    const metadata: Record<string, JsonValue> = { ...m.metadata };
    if (own) metadata.safety = { ...own, level: levelOf(own) } as unknown as JsonValue;
    if (i === 0 && input.length) {
      const worst = input.find((f) => f.level === highest(input.map((x) => x.level)))!;
      metadata.inputSafety = { crisis: worst.crisis, level: worst.level, ...(worst.riskType ? { riskType: worst.riskType } : {}) };
    }
    return own || metadata.inputSafety ? { ...m, metadata } : m;
  });
}
