/**
 * The actor's state as D1 rows and back: what a turn's batch writes
 * (mirrorBatch) and what a rebuild reads (metaFromRow, messageFromRow).
 */
import { flatVariables, type SessionState } from "../../engine";
import type { ConfirmationRow, GuardActionRow, MessageRow, MirrorBatch, ReferralRow, SafetyFlagRow, SessionRow } from "../../store/sessions/mirror";
import type { sessions, messages } from "../../store/schema";
import { described, type Meta } from "../storage/meta";
import type { OutboxEntry, PinnedScript, SafetyRecord, StoredMessage, Turn } from "../storage/tables";
import { metricsRow } from "../turns/turn-event";

export interface MirrorInput {
  meta: Meta;
  state: SessionState;
  pinned: PinnedScript;
  lastSeq: number;
  lastTurn: number;
  /** Messages D1 has not received yet. */
  log: StoredMessage[];
  outbox: OutboxEntry[];
  /** The turns the outbox entries are for: their metrics go with them. */
  turns: Turn[];
}

export function mirrorBatch({ meta, state, pinned, lastSeq, lastTurn, log, outbox, turns }: MirrorInput): MirrorBatch {
  // The texts go with the first batches only (INSERT OR IGNORE makes a repeat harmless).
  const blobs =
    meta.mirroredSeq === 0
      ? [
          { hash: pinned.hash, content: pinned.yaml },
          ...Object.entries(meta.templateHashes).flatMap(([name, hash]) =>
            pinned.templates[name] === undefined ? [] : [{ hash, content: pinned.templates[name]! }],
          ),
        ]
      : [];
  return {
    blobs,
    session: sessionRow(meta, state, lastSeq, lastTurn),
    messages: log.map((m) => messageRow(meta.sessionId, m)),
    changes: outbox.flatMap((entry) =>
      entry.turnId === null
        ? []
        : entry.changes.map(({ actionId, name, scope, value, previous }, idx) => ({
            sessionId: meta.sessionId,
            turn: entry.turnId!,
            idx,
            actionId,
            name,
            scope,
            value: value ?? null,
            previous: previous ?? null,
            createdAt: new Date(entry.createdAt),
          })),
    ),
    metrics: turns.flatMap((t) => {
      const m = t.result?.metrics ?? t.error?.metrics;
      return m ? [metricsRow(meta, t.id, m)] : [];
    }),
    ...safetyRows(
      meta.sessionId,
      outbox.flatMap((entry) => entry.safety),
    ),
  };
}

function safetyRows(sessionId: string, records: SafetyRecord[]): Pick<MirrorBatch, "flags" | "referrals" | "guards" | "confirmations"> {
  const flags: SafetyFlagRow[] = [];
  const referrals: ReferralRow[] = [];
  const guards: GuardActionRow[] = [];
  const confirmations: ConfirmationRow[] = [];
  for (const r of records) {
    const row = {
      id: r.id,
      sessionId,
      turn: r.turnId,
      messageId: r.messageId,
      actionId: r.actionId,
      locale: r.locale,
      createdAt: new Date(r.createdAt),
    };
    if (r.kind === "guard") guards.push({ ...row, source: r.source, kinds: r.kinds, action: r.action });
    else if (r.kind === "referral") referrals.push({ ...row, level: r.level });
    else if (r.kind === "confirmation") confirmations.push({ ...row, level: r.level, outcome: r.outcome });
    else flags.push({ ...row, source: r.source, level: r.level });
  }
  return { flags, referrals, guards, confirmations };
}

function sessionRow(meta: Meta, state: SessionState, lastSeq: number, lastTurn: number): SessionRow {
  const { sessionId, templateHashes, createdAt, updatedAt, lastActivityAt, completedAt, riskRaisedAt, ...same } = described(meta);
  return {
    ...same,
    id: sessionId,
    templates: templateHashes,
    position: state.position,
    variables: flatVariables(state),
    state,
    lastSeq,
    lastTurn,
    createdAt: new Date(createdAt),
    updatedAt: new Date(updatedAt),
    lastActivityAt: new Date(lastActivityAt),
    completedAt: completedAt === null ? null : new Date(completedAt),
    riskRaisedAt: riskRaisedAt === null ? null : new Date(riskRaisedAt),
  };
}

/** The session row as the actor's meta; everything in D1 counts as mirrored. */
export function metaFromRow(row: typeof sessions.$inferSelect): Meta {
  const {
    id,
    templates,
    position: _p,
    variables: _v,
    state: _s,
    lastSeq,
    lastTurn: _t,
    createdAt,
    updatedAt,
    lastActivityAt,
    completedAt,
    riskRaisedAt,
    ...same
  } = row;
  return {
    ...same,
    sessionId: id,
    templateHashes: templates,
    createdAt: createdAt.getTime(),
    updatedAt: updatedAt.getTime(),
    lastActivityAt: lastActivityAt.getTime(),
    completedAt: completedAt?.getTime() ?? null,
    riskRaisedAt: riskRaisedAt?.getTime() ?? null,
    mirroredSeq: lastSeq,
    mirrorAttempts: 0,
    mirrorRetryAt: null,
    erasing: false,
    erasure: null,
  };
}

function messageRow(sessionId: string, { turnId: _t, createdAt, ...m }: StoredMessage): MessageRow {
  return { ...m, sessionId, createdAt: new Date(createdAt) };
}

/** D1 does not know which turn a message belonged to; rebuilt messages belong to turn 0. */
export function messageFromRow({ sessionId: _s, createdAt, ...m }: typeof messages.$inferSelect): StoredMessage {
  return { ...m, turnId: 0, createdAt: createdAt.getTime() };
}
