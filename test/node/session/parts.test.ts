/** The session actor's pure parts, directly: Meta transitions, frames, access, the turn queue, the clocks. */
import { describe, expect, it } from "vitest";
import { nextAlarm, retryDelay, WATCHDOG_MS } from "../../../src/session/clock/lifecycle";
import { errorFrame, parseClientFrame } from "../../../src/session/live/frames";
import { assertOpen, authorize } from "../../../src/session/load/access";
import { MAX_FRAME_BYTES } from "../../../src/session/protocol";
import { answered, created, erasing, failed, idled, mirrored, mirrorFailed, spoke, type Meta } from "../../../src/session/storage/meta";
import { TurnQueue } from "../../../src/session/turns/queue";
import { origin } from "./fixtures";

const fresh = (): Meta => created(origin, 1000);

describe("Meta transitions", () => {
  it("return a new Meta and leave the one they were given as it was", () => {
    const m = fresh();
    const copy = structuredClone(m);
    for (const next of [spoke(m, 2), answered(m, true, 2), failed(m, 2), idled(m, "paused", 2), mirrored(m, 5), mirrorFailed(m, 2), erasing(m)]) {
      expect(next).not.toBe(m);
    }
    expect(m).toEqual(copy);
  });

  it("say what a turn, idleness and the mirror did", () => {
    expect(spoke(idled(fresh(), "paused", 2000), 3000)).toMatchObject({ status: "active", lastActivityAt: 3000, updatedAt: 3000 });
    expect(answered(fresh(), true, 5)).toMatchObject({ status: "completed", executionStatus: "completed", completedAt: 5 });
    expect(answered(fresh(), false, 5)).toMatchObject({ status: "active", executionStatus: "waiting_input", completedAt: null });
    expect(failed(fresh(), 5)).toMatchObject({ executionStatus: "error", status: "active" });
    const twice = mirrorFailed(mirrorFailed(fresh(), 0), 10);
    expect(twice).toMatchObject({ mirrorAttempts: 2, mirrorRetryAt: 10 + retryDelay(2) });
    expect(mirrored(twice, 7)).toMatchObject({ mirroredSeq: 7, mirrorAttempts: 0, mirrorRetryAt: null });
  });
});

describe("frames", () => {
  it("parse what a client sends, and answer what is not a frame with BAD_FRAME or FRAME_TOO_LARGE", () => {
    expect(parseClientFrame('{"type":"resume","lastSeq":3}')).toEqual({ ok: true, frame: { type: "resume", lastSeq: 3 } });
    expect(parseClientFrame("nope")).toMatchObject({ ok: false, error: { code: "BAD_FRAME" } });
    expect(parseClientFrame('{"type":"resume","lastSeq":-1}')).toMatchObject({
      ok: false,
      error: { code: "BAD_FRAME", message: expect.stringContaining("lastSeq") },
    });
    expect(parseClientFrame("x".repeat(MAX_FRAME_BYTES + 1))).toMatchObject({ ok: false, error: { code: "FRAME_TOO_LARGE" } });
  });

  it("carry a problem's clientMessageId and retryable only when it has them", () => {
    expect(errorFrame({ status: 503, code: "LLM_UNAVAILABLE", detail: "d", extra: { clientMessageId: "c", retryable: true } })).toEqual({
      type: "error",
      code: "LLM_UNAVAILABLE",
      message: "d",
      clientMessageId: "c",
      retryable: true,
    });
    expect(errorFrame({ status: 404, code: "NOT_FOUND", detail: "d" })).toEqual({ type: "error", code: "NOT_FOUND", message: "d" });
  });
});

describe("access", () => {
  const meta = fresh();
  const codeOf = (fn: () => void) => {
    try {
      fn();
      return null;
    } catch (err) {
      return (err as { code: string }).code;
    }
  };
  it("lets the owner do everything, others read by role, and only admins delete what is not theirs", () => {
    expect(codeOf(() => authorize(meta, { id: "u", role: "client" }, "delete"))).toBeNull();
    expect(codeOf(() => authorize(meta, { id: "v", role: "client" }, "read"))).toBe("NOT_FOUND");
    expect(codeOf(() => authorize(meta, { id: "v", role: "author" }, "read"))).toBeNull();
    expect(codeOf(() => authorize(meta, { id: "v", role: "author" }, "write"))).toBe("FORBIDDEN");
    expect(codeOf(() => authorize(meta, { id: "v", role: "admin" }, "delete"))).toBeNull();
    expect(codeOf(() => assertOpen(answered(meta, true, 1)))).toBe("SESSION_COMPLETED");
    expect(codeOf(() => assertOpen(idled(meta, "archived", 1)))).toBe("SESSION_ARCHIVED");
  });
});

describe("TurnQueue", () => {
  it("runs turns one at a time in the order they were queued, and a queued turn is joined, not run again", async () => {
    const log: string[] = [];
    let settled = 0;
    const queue = new TurnQueue<number>(() => settled++);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = queue.enqueue(1, async (id) => (log.push(`start ${id}`), await gate, log.push(`end ${id}`), id));
    const second = queue.enqueue(2, async (id) => (log.push(`start ${id}`), id));
    expect(queue.joined(1)).toBe(first);
    expect(queue.size).toBe(2);
    await Promise.resolve();
    expect(log).toEqual(["start 1"]);
    release();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    await queue.idle();
    expect(log).toEqual(["start 1", "end 1", "start 2"]);
    expect([queue.size, settled, queue.joined(1)]).toEqual([0, 2, undefined]);
  });
});

describe("the alarm's clocks", () => {
  it("fire for the earliest deadline: watchdog, mirror retry, or the idle pause", () => {
    const c = { now: 0, pauseMs: 100_000, archiveMs: 200_000, mirrorPending: false, turnsPending: false };
    expect(nextAlarm(fresh(), c)).toBe(1000 + 100_000);
    expect(nextAlarm(fresh(), { ...c, turnsPending: true })).toBe(WATCHDOG_MS);
    expect(nextAlarm({ ...mirrorFailed(fresh(), 0) }, { ...c, mirrorPending: true })).toBe(retryDelay(1));
    expect(nextAlarm(answered(fresh(), true, 1), c)).toBeNull();
  });
});
