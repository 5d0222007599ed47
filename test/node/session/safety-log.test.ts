/** turns/safety-log.ts and the risk transition of storage/meta.ts: what a turn's flags and referrals commit. */
import { describe, expect, it } from "vitest";
import { created, riskRaised } from "../../../src/session/storage/meta";
import type { StoredMessage } from "../../../src/session/storage/tables";
import { flaggedMessages, levelOf, safetyRecords, type GradedFlag, type TurnSafety } from "../../../src/session/turns/safety-log";
import { origin } from "./fixtures";

const user: StoredMessage = {
  seq: 3,
  id: "usr_3",
  role: "user",
  content: "words",
  actionId: "ask",
  clientMessageId: null,
  turnId: 2,
  createdAt: 0,
  metadata: null,
};
const reply = (id: string, metadata: StoredMessage["metadata"] = { round: 1 }): StoredMessage => ({
  ...user,
  id,
  role: "assistant",
  metadata,
});
const inputCrisis: GradedFlag = { source: "input", crisis: true, riskType: "self_harm", level: "high", actionId: "ask" };
const modelCrisis: GradedFlag = { source: "model", crisis: true, level: "imminent", actionId: "ask", messageId: "msg_4" };
const boundary: GradedFlag = { source: "model", crisis: false, riskType: "diagnosis", level: "none", actionId: "ask", messageId: "msg_4" };

const turn = (over: Partial<TurnSafety>): TurnSafety => ({
  turnId: 2,
  flags: [],
  referrals: [],
  guards: [],
  confirmations: [],
  locale: "en",
  userMessage: user,
  now: 100,
  ...over,
});

describe("levelOf", () => {
  it("keeps a graded level; an ungraded crisis flag counts as high, any other ungraded flag as none", () => {
    expect(levelOf({ source: "input", crisis: true, level: "low" })).toBe("low");
    expect(levelOf({ source: "input", crisis: true })).toBe("high");
    expect(levelOf({ source: "model", crisis: false, riskType: "diagnosis" })).toBe("none");
  });
});

describe("safetyRecords", () => {
  it("logs every flag, an input flag on the client's message and a model flag on its reply", () => {
    const records = safetyRecords(turn({ flags: [inputCrisis, boundary] })).filter((r) => r.kind === "flag");
    expect(records.map((r) => [r.source, r.messageId, r.level])).toEqual([
      ["input", "usr_3", "high"],
      ["model", "msg_4", "none"],
    ]);
    expect(new Set(records.map((r) => r.id)).size).toBe(2);
  });

  it("counts one referral for a turn with crisis flags and no referral event, at the highest of their levels", () => {
    const referrals = safetyRecords(turn({ flags: [inputCrisis, modelCrisis, boundary] })).filter((r) => r.kind === "referral");
    expect(referrals).toEqual([
      {
        id: expect.any(String),
        kind: "referral",
        turnId: 2,
        messageId: null,
        actionId: "ask",
        source: null,
        level: "imminent",
        locale: "en",
        createdAt: 100,
      },
    ]);
    expect(safetyRecords(turn({ flags: [boundary] })).filter((r) => r.kind === "referral")).toEqual([]);
  });

  it("takes the engine's referral events when there are any, counted under the script's language as the flags are", () => {
    const records = safetyRecords(
      turn({
        flags: [inputCrisis],
        referrals: [
          { actionId: "ask", locale: "en-US", level: "high" },
          { actionId: "next", locale: "en-GB", level: "low" },
        ],
      }),
    );
    const referrals = records.filter((r) => r.kind === "referral");
    const flag = records.find((r) => r.kind === "flag")!;
    expect(referrals.map((r) => [r.actionId, r.locale, r.level])).toEqual([
      ["ask", flag.locale, "high"],
      ["next", flag.locale, "low"],
    ]);
  });
});

describe("safetyRecords: the output guard", () => {
  it("logs one guard record per replaced line, with its boundaries and what replaced it, and no level", () => {
    const records = safetyRecords(
      turn({
        flags: [boundary],
        guards: [
          { actionId: "ask", messageId: "msg_4", source: "model", kinds: ["diagnosis"], action: "rewritten" },
          { actionId: "next", messageId: "msg_5", source: "local", kinds: ["prescription", "guarantee"], action: "canned" },
        ],
      }),
    );
    expect(records.map((r) => r.kind)).toEqual(["flag", "guard", "guard"]);
    expect(records.filter((r) => r.kind === "guard")).toEqual([
      {
        id: expect.any(String),
        kind: "guard",
        turnId: 2,
        messageId: "msg_4",
        actionId: "ask",
        source: "model",
        kinds: ["diagnosis"],
        action: "rewritten",
        locale: "en",
        createdAt: 100,
      },
      {
        id: expect.any(String),
        kind: "guard",
        turnId: 2,
        messageId: "msg_5",
        actionId: "next",
        source: "local",
        kinds: ["prescription", "guarantee"],
        action: "canned",
        locale: "en",
        createdAt: 100,
      },
    ]);
    expect(new Set(records.map((r) => r.id)).size).toBe(3);
  });
});

describe("safetyRecords: the crisis protocol's confirmations", () => {
  it("logs one confirmation record per answer read, on the client's message, with the outcome and the crisis's level", () => {
    const records = safetyRecords(
      turn({
        confirmations: [
          { actionId: "confirm", level: "high", outcome: "denied" },
          { actionId: "follow_up", level: "high", outcome: "unclear" },
        ],
      }),
    );
    expect(records).toEqual([
      {
        id: expect.any(String),
        kind: "confirmation",
        turnId: 2,
        messageId: "usr_3",
        actionId: "confirm",
        source: null,
        level: "high",
        outcome: "denied",
        locale: "en",
        createdAt: 100,
      },
      expect.objectContaining({ kind: "confirmation", actionId: "follow_up", outcome: "unclear" }),
    ]);
    // A confirmation is no referral: the lines are counted from the engine's referral events alone.
    expect(records.some((r) => r.kind === "referral")).toBe(false);
  });
});

describe("flaggedMessages", () => {
  it("marks the first reply with the flag of the client's words and grades the model's own flags", () => {
    const messages = [reply("msg_4", { round: 1, safety: { source: "model", crisis: true } }), reply("msg_5")];
    const [first, second] = flaggedMessages(messages, [inputCrisis]);
    expect(first!.metadata).toEqual({
      round: 1,
      safety: { source: "model", crisis: true, level: "high" },
      inputSafety: { crisis: true, level: "high", riskType: "self_harm" },
    });
    expect(second).toBe(messages[1]);
    expect(flaggedMessages([reply("msg_6")], [])[0]!.metadata).toEqual({ round: 1 });
  });
});

describe("riskRaised", () => {
  it("raises the level with the time it was reached, keeps that time for the same level and never lowers it", () => {
    const none = created(origin, 0);
    const high = riskRaised(none, "high", 10);
    expect([high.riskLevel, high.riskRaisedAt]).toEqual(["high", 10]);
    expect(riskRaised(high, "high", 20)).toBe(high);
    expect(riskRaised(high, "low", 20)).toBe(high);
    expect(riskRaised(riskRaised(high, "imminent", 30), "none", 40)).toMatchObject({ riskLevel: "imminent", riskRaisedAt: 30 });
    expect(riskRaised(none, "none", 5)).toBe(none);
  });
});
