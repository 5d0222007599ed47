/** The session actor's pure parts, directly: Meta transitions, frames, access, the turn queue, the clocks. */
import { describe, expect, it } from "vitest";
import { nextAlarm, retentionDue, retryDelay, WATCHDOG_MS } from "../../../src/session/clock/lifecycle";
import { errorFrame, parseClientFrame } from "../../../src/session/live/frames";
import { assertOpen, authorize, type Access } from "../../../src/session/load/access";
import { answered, created, erasing, failed, idled, mirrored, mirrorFailed, spoke, type Meta } from "../../../src/session/storage/meta";
import { TurnQueue } from "../../../src/session/turns/queue";
import { byOwner, origin } from "./fixtures";

const fresh = (): Meta => created(origin, 1000);

describe("Meta transitions", () => {
  it("return a new Meta and leave the one they were given as it was", () => {
    const m = fresh();
    const copy = structuredClone(m);
    for (const next of [
      spoke(m, 2),
      answered(m, true, 2),
      failed(m, 2),
      idled(m, "paused", 2),
      mirrored(m, 5),
      mirrorFailed(m, 2),
      erasing(m, byOwner),
    ]) {
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
  it("parse what a client sends, and answer what is not a frame with BAD_FRAME", () => {
    expect(parseClientFrame('{"type":"resume","lastSeq":3}')).toEqual({ ok: true, frame: { type: "resume", lastSeq: 3 } });
    expect(parseClientFrame("nope")).toMatchObject({ ok: false, error: { code: "BAD_FRAME" } });
    expect(parseClientFrame('{"type":"resume","lastSeq":-1}')).toMatchObject({
      ok: false,
      error: { code: "BAD_FRAME", message: expect.stringContaining("lastSeq") },
    });
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
  const inline = fresh();
  const ofProject = { ...fresh(), projectId: "p1" };
  /** The project p1, owned by author "a"; every other id is no project. */
  const readers = { project: async (id: string) => (id === "p1" ? { ownerId: "a" } : null), queued: () => false };
  const codeOf = async (meta: Meta, id: string, role: "client" | "author" | "admin", access: Access) => {
    try {
      await authorize(meta, { id, role }, access, readers);
      return null;
    } catch (err) {
      return (err as { code: string }).code;
    }
  };
  it("lets the client do everything, the project's authors and admins read, and only admins delete what is not theirs", async () => {
    expect(await codeOf(inline, "u", "client", "delete")).toBeNull();
    expect(await codeOf(inline, "v", "client", "read")).toBe("NOT_FOUND");
    expect(await codeOf(ofProject, "a", "author", "read")).toBeNull();
    expect(await codeOf(ofProject, "a", "author", "write")).toBe("FORBIDDEN");
    expect(await codeOf(ofProject, "a", "author", "delete")).toBe("FORBIDDEN");
    expect(await codeOf(ofProject, "v", "admin", "delete")).toBeNull();
    expect(await codeOf(inline, "v", "admin", "read")).toBeNull();
  });

  it("answers everyone else as for a missing session: another author, an author of no project, a client", async () => {
    for (const access of ["read", "write", "delete"] as const) {
      expect(await codeOf(ofProject, "b", "author", access)).toBe("NOT_FOUND");
      expect(await codeOf(inline, "a", "author", access)).toBe("NOT_FOUND");
      expect(await codeOf({ ...ofProject, projectId: "gone" }, "a", "author", access)).toBe("NOT_FOUND");
      expect(await codeOf(ofProject, "a", "client", access)).toBe("NOT_FOUND");
    }
  });

  it("says when a session no longer takes input", () => {
    const thrown = (fn: () => void) => {
      try {
        fn();
        return null;
      } catch (err) {
        return (err as { code: string }).code;
      }
    };
    expect(thrown(() => assertOpen(answered(inline, true, 1)))).toBe("SESSION_COMPLETED");
    expect(thrown(() => assertOpen(idled(inline, "archived", 1)))).toBe("SESSION_ARCHIVED");
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
  it("fire for the earliest deadline: watchdog, mirror retry, the idle pause, or a socket's token expiry", () => {
    const c = {
      now: 0,
      pauseMs: 100_000,
      archiveMs: 200_000,
      retentionMs: 1_000_000,
      mirrorPending: false,
      turnsPending: false,
      socketsExpireAt: null,
    };
    expect(nextAlarm(fresh(), c)).toBe(1000 + 100_000);
    expect(nextAlarm(fresh(), { ...c, turnsPending: true })).toBe(WATCHDOG_MS);
    expect(nextAlarm({ ...mirrorFailed(fresh(), 0) }, { ...c, mirrorPending: true })).toBe(retryDelay(1));
    // A completed session's alarm is its retention: it erases itself that long after its last activity.
    expect(nextAlarm(answered(fresh(), true, 1), c)).toBe(1 + 1_000_000);
    expect(nextAlarm({ ...answered(fresh(), true, 1), retentionDays: 2 }, c)).toBe(1 + 2 * 24 * 3600_000);
    expect(retentionDue(answered(fresh(), true, 1), { ...c, now: 1_000_000 })).toBe(false);
    expect(retentionDue(answered(fresh(), true, 1), { ...c, now: 1_000_001 })).toBe(true);
    // Erasing already: the retention clock does not start a second erasure.
    expect(retentionDue(erasing(answered(fresh(), true, 1), byOwner), { ...c, now: 1_000_001 })).toBe(false);
    // A completed session's sockets still close when their tokens expire.
    expect(nextAlarm(answered(fresh(), true, 1), { ...c, socketsExpireAt: 5000 })).toBe(5000);
    expect(nextAlarm(fresh(), { ...c, socketsExpireAt: 500_000 })).toBe(1000 + 100_000);
  });
});
