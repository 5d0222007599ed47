/** mirror/rows.ts: the actor's state as the D1 batch of a turn, and D1's rows back as the actor's meta and log. */
import { describe, expect, it } from "vitest";
import { start } from "../../../src/engine";
import { messageFromRow, metaFromRow, mirrorBatch, type MirrorInput } from "../../../src/session/mirror/rows";
import { created, mirrored } from "../../../src/session/storage/meta";
import type { SafetyRecord, StoredMessage, Turn } from "../../../src/session/storage/tables";
import type { TurnMetrics } from "../../../src/store/schema/ops";
import { parseScript } from "../engine/helpers";
import { origin } from "./fixtures";

const script = parseScript(`
session:
  session_id: rows
  phases:
    - phase_id: p1
      topics:
        - topic_id: t1
          actions:
            - action_type: ai_say
              action_id: say_1
              config:
                content: "Hello."
`);

const message = (seq: number, turnId = 2): StoredMessage => ({
  seq,
  id: `msg_${seq}`,
  role: "assistant",
  content: `line ${seq}`,
  actionId: "say_1",
  clientMessageId: null,
  turnId,
  createdAt: 1000 * seq,
  metadata: { round: 1 },
});

const flag: SafetyRecord = {
  id: "f1",
  kind: "flag",
  turnId: 2,
  messageId: null,
  actionId: "say_1",
  source: "input",
  level: "high",
  locale: "en",
  createdAt: 7000,
};
const referral: SafetyRecord = { ...flag, id: "r1", kind: "referral", source: null, messageId: "msg_2" };
const guard: SafetyRecord = {
  id: "g1",
  kind: "guard",
  turnId: 2,
  messageId: "msg_2",
  actionId: "say_1",
  source: "local",
  kinds: ["prescription"],
  action: "canned",
  locale: "en",
  createdAt: 7000,
};

const confirmation: SafetyRecord = { ...flag, id: "c1", kind: "confirmation", source: null, messageId: "usr_3", outcome: "confirmed" };

function input(over: Partial<MirrorInput> = {}): MirrorInput {
  const meta = { ...created({ ...origin, templateHashes: { reply: "t-hash" } }, 5000), mirrorAttempts: 2, erasing: false };
  return {
    meta,
    state: start(script),
    pinned: { hash: origin.scriptHash, yaml: "yaml text", script, templates: { reply: "template text" } },
    lastSeq: 2,
    lastTurn: 2,
    log: [message(1), message(2)],
    outbox: [
      {
        id: 1,
        turnId: 2,
        changes: [{ name: "mood", scope: "session", value: 6, actionId: "say_1" }],
        safety: [flag, referral, guard, confirmation],
        createdAt: 7000,
      },
      { id: 2, turnId: null, changes: [], safety: [], createdAt: 8000 },
    ],
    turns: [],
    ...over,
  };
}

describe("mirror/rows.ts: mirrorBatch", () => {
  it("carries the script and template texts with the first batch only", () => {
    expect(mirrorBatch(input()).blobs).toEqual([
      { hash: "h", content: "yaml text" },
      { hash: "t-hash", content: "template text" },
    ]);
    expect(mirrorBatch(input({ meta: mirrored(input().meta, 2) })).blobs).toEqual([]);
  });

  it("writes the session row without the actor's bookkeeping, the new messages, and each turn's changes by index", () => {
    const batch = mirrorBatch(input());
    expect(batch.session).toMatchObject({ id: "s", userId: "u", lastSeq: 2, lastTurn: 2, templates: { reply: "t-hash" }, createdAt: new Date(5000) });
    for (const key of ["mirroredSeq", "mirrorAttempts", "mirrorRetryAt", "erasing", "sessionId"]) expect(batch.session).not.toHaveProperty(key);
    expect(batch.messages.map((m) => [m.sessionId, m.seq, m.createdAt])).toEqual([
      ["s", 1, new Date(1000)],
      ["s", 2, new Date(2000)],
    ]);
    expect(batch.messages[0]).not.toHaveProperty("turnId");
    // The idle step's entry (no turn) has no changes to key.
    expect(batch.changes).toEqual([
      { sessionId: "s", turn: 2, idx: 0, actionId: "say_1", name: "mood", scope: "session", value: 6, previous: null, createdAt: new Date(7000) },
    ]);
  });
});

describe("mirror/rows.ts: turn metrics", () => {
  it("go to D1 as one turn_metrics row per turn that has them, with the session's ids and no content", () => {
    const metrics: TurnMetrics = {
      id: "m1",
      requestId: "req-1",
      channel: "sse",
      status: "failed",
      code: "LLM_TIMEOUT",
      latencyMs: 900,
      llmCalls: 2,
      modelMs: 800,
      inputTokens: 120,
      outputTokens: 30,
      model: "fake-model",
      riskLevel: "none",
      safetyFlags: 0,
      referrals: 0,
      guarded: 0,
      endedAt: 9000,
      workerVersion: "v-1",
    };
    const turn = (id: number, m?: TurnMetrics): Turn => ({
      id,
      clientMessageId: null,
      input: null,
      userSeq: 1,
      status: m ? "failed" : "done",
      result: null,
      error: m ? { status: 503, code: "LLM_TIMEOUT", detail: "slow", retryable: true, metrics: m } : null,
      createdAt: 1,
    });
    const { metrics: rows } = mirrorBatch(input({ turns: [turn(2, metrics), turn(3)] }));
    const { endedAt: _e, ...same } = metrics;
    expect(rows).toEqual([
      { ...same, sessionId: "s", turn: 2, projectId: null, versionId: null, scriptId: input().meta.scriptId, endedAt: new Date(9000) },
    ]);
  });
});

describe("mirror/rows.ts: safety records", () => {
  it("go to D1 as flag and referral rows keyed by the id the actor gave them, with the session and turn", () => {
    const { flags, referrals } = mirrorBatch(input());
    expect(flags).toEqual([
      {
        id: "f1",
        sessionId: "s",
        turn: 2,
        messageId: null,
        actionId: "say_1",
        source: "input",
        level: "high",
        locale: "en",
        createdAt: new Date(7000),
      },
    ]);
    expect(referrals).toEqual([
      { id: "r1", sessionId: "s", turn: 2, messageId: "msg_2", actionId: "say_1", level: "high", locale: "en", createdAt: new Date(7000) },
    ]);
  });

  it("go to D1 as guard_actions rows: boundaries and outcome, no level", () => {
    expect(mirrorBatch(input()).guards).toEqual([
      {
        id: "g1",
        sessionId: "s",
        turn: 2,
        messageId: "msg_2",
        actionId: "say_1",
        source: "local",
        kinds: ["prescription"],
        action: "canned",
        locale: "en",
        createdAt: new Date(7000),
      },
    ]);
  });

  it("go to D1 as crisis_confirmations rows: the outcome and the crisis's level", () => {
    expect(mirrorBatch(input()).confirmations).toEqual([
      {
        id: "c1",
        sessionId: "s",
        turn: 2,
        messageId: "usr_3",
        actionId: "say_1",
        level: "high",
        outcome: "confirmed",
        locale: "en",
        createdAt: new Date(7000),
      },
    ]);
  });

  it("carry the session's risk level and when it was raised on the session row, and back", () => {
    const meta = { ...input().meta, riskLevel: "high" as const, riskRaisedAt: 6500 };
    const row = mirrorBatch(input({ meta })).session;
    expect(row).toMatchObject({ riskLevel: "high", riskRaisedAt: new Date(6500) });
    expect(metaFromRow(row as Parameters<typeof metaFromRow>[0])).toMatchObject({ riskLevel: "high", riskRaisedAt: 6500 });
  });
});

describe("mirror/rows.ts: metaFromRow and messageFromRow", () => {
  it("read D1's rows back as the meta and log they were written from, with everything in D1 counted as mirrored", () => {
    const given = input();
    const batch = mirrorBatch(given);
    const row = { ...batch.session, completedAt: null, versionId: null } as Parameters<typeof metaFromRow>[0];
    expect(metaFromRow(row)).toEqual({ ...given.meta, mirroredSeq: 2, mirrorAttempts: 0, mirrorRetryAt: null, erasing: false });
    const back = messageFromRow(batch.messages[1] as Parameters<typeof messageFromRow>[0]);
    expect(back).toEqual({ ...message(2), turnId: 0 });
  });
});
