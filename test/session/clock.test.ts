/** clock/: the one alarm and its clocks (alarm.ts) and the idle step (idle.ts), against a real Durable Object alarm. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { AlarmClock } from "../../src/session/clock/alarm";
import { goIdle } from "../../src/session/clock/idle";
import { WATCHDOG_MS } from "../../src/session/clock/lifecycle";
import { answered } from "../../src/session/storage/meta";
import { d1Session } from "./helpers";
import { inFreshObject, openSession, sseEvents, withParts } from "./parts";

const timeouts = { pauseMs: 60_000, archiveMs: 120_000, retentionMs: 600_000 };
const idle = { mirrorPending: false, turnsPending: false, socketsExpireAt: null };

describe("clock/alarm.ts: AlarmClock", () => {
  it("sets the alarm for the earliest deadline and leaves an alarm due sooner alone until it fires", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      const clock = new AlarmClock(p.state.storage, timeouts);
      await clock.load();
      clock.schedule(s.meta, idle);
      const pause = await p.state.storage.getAlarm();
      const before = Date.now();
      clock.schedule(s.meta, { ...idle, turnsPending: true });
      const watchdog = await p.state.storage.getAlarm();
      // The turn ended: the pause is later than the watchdog, which stays set until it fires and looks again.
      clock.schedule(s.meta, idle);
      const kept = await p.state.storage.getAlarm();
      clock.fired();
      clock.schedule(s.meta, idle);
      return { createdAt: s.meta.createdAt, pause, before, watchdog, kept, afterFired: await p.state.storage.getAlarm() };
    });
    expect(seen.pause).toBe(seen.createdAt + timeouts.pauseMs);
    expect(seen.watchdog).toBeGreaterThanOrEqual(seen.before + WATCHDOG_MS);
    expect(seen.watchdog).toBeLessThan(seen.pause!);
    expect(seen.kept).toBe(seen.watchdog);
    expect(seen.afterFired).toBe(seen.pause);
  });

  it("says whether the alarm fires by a time: a turn started then needs no new watchdog", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      const clock = new AlarmClock(p.state.storage, timeouts);
      await clock.load();
      const before = clock.dueBy(Date.now() + WATCHDOG_MS);
      clock.schedule(s.meta, { ...idle, turnsPending: true });
      const now = Date.now();
      return { before, within: clock.dueBy(now + WATCHDOG_MS), sooner: clock.dueBy(now + 1000) };
    });
    // Nothing set yet (the opening turn's deadlines are not this clock's), then the watchdog 30 s out.
    expect(seen).toEqual({ before: false, within: true, sooner: false });
  });

  it("keeps only the retention alarm once the session has ended, and reads the stored one in a new activation", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      const clock = new AlarmClock(p.state.storage, timeouts);
      await clock.load();
      clock.schedule(s.meta, idle);
      const set = await p.state.storage.getAlarm();
      // A new activation knows the alarm is set, so the same deadline is not written again.
      const next = new AlarmClock(p.state.storage, timeouts);
      await next.load();
      await p.state.storage.deleteAlarm();
      next.schedule(s.meta, idle);
      const notRewritten = await p.state.storage.getAlarm();
      const ended = answered(s.meta, true, Date.now());
      next.fired();
      next.schedule(ended, idle);
      return { set, notRewritten, ended: ended.lastActivityAt, completed: await p.state.storage.getAlarm() };
    });
    expect(seen.set).not.toBeNull();
    expect(seen.notRewritten).toBeNull();
    expect(seen.completed).toBe(seen.ended + timeouts.retentionMs);
  });

  it("wakes by a socket's token expiry when that is sooner than the alarm set, and leaves a sooner alarm alone", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      const clock = new AlarmClock(p.state.storage, timeouts);
      await clock.load();
      clock.schedule(s.meta, idle);
      const pause = (await p.state.storage.getAlarm())!;
      clock.wakeBy(pause + 1000);
      const later = await p.state.storage.getAlarm();
      clock.wakeBy(pause - 1000);
      const sooner = await p.state.storage.getAlarm();
      // Once it has fired, the next schedule still knows the expiry from the sockets.
      clock.fired();
      clock.schedule(s.meta, { ...idle, socketsExpireAt: pause - 500 });
      return { pause, later, sooner, rescheduled: await p.state.storage.getAlarm() };
    });
    expect(seen.later).toBe(seen.pause);
    expect(seen.sooner).toBe(seen.pause - 1000);
    expect(seen.rescheduled).toBe(seen.pause - 500);
  });

  it("starts with no alarm known on an object that never set one", async () => {
    const clocks = await inFreshObject(async (state) => {
      const clock = new AlarmClock(state.storage, timeouts);
      await clock.load();
      return clock.clocks(idle);
    });
    expect(clocks).toMatchObject({ ...timeouts, ...idle });
  });
});

describe("clock/idle.ts: goIdle", () => {
  it("stores the status the idleness earned, queues it for D1 and tells every connection", async () => {
    const seen = await withParts(async (p) => {
      const s = await openSession(p);
      const listener = p.hub.openListener("client");
      goIdle(p, s, "paused", 5000);
      listener.close();
      await p.mirror.flush();
      return { id: s.meta.sessionId, inMemory: s.meta, stored: p.store.readMeta()!.meta, events: await sseEvents(listener.readable) };
    });
    expect(seen.inMemory).toMatchObject({ status: "paused", updatedAt: 5000 });
    expect(seen.stored).toMatchObject({ status: "paused", updatedAt: 5000 });
    expect(seen.events.map((e) => [e.event, e.data.sessionStatus])).toEqual([["state", "paused"]]);
    expect((await d1Session(seen.id))!.status).toBe("paused");
    // The idle step is the session's, not a turn's: no variable changes are keyed to it.
    const changes = await env.DB.prepare("SELECT count(*) AS n FROM variable_changes WHERE session_id = ?").bind(seen.id).first("n");
    expect(changes).toBe(0);
  });
});
