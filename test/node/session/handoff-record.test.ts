/** session/handoff/record.ts: the handoff record's transitions, each returning a new record. */
import { describe, expect, it } from "vitest";
import { closed, held, open, queued, synced, syncFailed, taken, timedOut } from "../../../src/session/handoff/record";

describe("handoff record", () => {
  const first = queued(null, "risk", null, "high", 1_000, 120_000);

  it("is queued waiting, with its timeout, as round 1, not yet told to the queue", () => {
    expect(first).toMatchObject({
      status: "waiting",
      reason: "risk",
      riskLevel: "high",
      round: 1,
      queuedAt: 1_000,
      dueAt: 121_000,
      holder: null,
      synced: false,
    });
    expect(open(first)).toBe(true);
  });

  it("stays one queueing while open: a higher risk is taken in (and told again), the rest is kept", () => {
    const told = synced(first);
    expect(queued(told, "client", null, "high", 5_000, 120_000)).toEqual(told);
    expect(queued(told, "risk", null, "imminent", 5_000, 120_000)).toMatchObject({ round: 1, queuedAt: 1_000, riskLevel: "imminent", synced: false });
  });

  it("is taken (no timeout any more), timed out or closed; a closed one is queued anew as the next round", () => {
    const t = taken(first, { userId: "c1", name: "Alex" }, 7);
    expect(held(t)).toBe(true);
    expect(t).toMatchObject({ status: "held", dueAt: null, heldFromSeq: 7 });
    expect(timedOut(first)).toMatchObject({ status: "timed_out", dueAt: null });
    expect(open(timedOut(first))).toBe(true);
    const back = closed(t, "returned");
    expect([open(back), held(back), back.holder]).toEqual([false, false, null]);
    expect(queued(back, "client", null, "high", 9_000, 120_000)).toMatchObject({ status: "waiting", reason: "client", round: 2, queuedAt: 9_000 });
  });

  it("counts failed attempts to tell the queue until one succeeds", () => {
    expect(syncFailed(syncFailed(first)).syncAttempts).toBe(2);
    expect(synced(syncFailed(first))).toMatchObject({ synced: true, syncAttempts: 0 });
  });
});
