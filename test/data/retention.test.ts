/** Retention: a session erases itself from its alarm once its window has passed, and the daily sweep finds those whose alarm did not. */
import { abortAllDurableObjects, createScheduledController, runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { sweep } from "../../src/lifecycle/sweep";
import { call, expectProblem, person } from "../helpers";
import { settle } from "../session/helpers";
import { auditRows, directoryOf, expectGone, inStorage, projectWith, start, storageOf, stubOf } from "./helpers";

const DAY = 24 * 3600_000;

/** As if the session's last activity were `days` ago, in its storage and (when `d1`) in its D1 row; a fresh activation then reads it. */
async function lastActive(sessionId: string, days: number, d1 = false) {
  const at = Date.now() - days * DAY;
  await inStorage(sessionId, (state) => state.storage.sql.exec("UPDATE meta SET lastActivityAt = ?", at));
  if (d1) await env.DB.prepare("UPDATE sessions SET last_activity_at = ? WHERE id = ?").bind(at, sessionId).run();
  await abortAllDurableObjects();
}

describe("retention from the session's alarm", () => {
  it("erases a session of a project keeping 7 days once 7 days have passed since its last activity, and not before", async () => {
    const { projectId } = await projectWith({ retentionDays: 7 });
    const client = await person("client");
    const id = await start(client, projectId);
    await settle(id);
    const stored = await storageOf(id);
    expect(stored.meta).toMatchObject({ retentionDays: 7 });
    expect((await env.DB.prepare("SELECT retention_days FROM sessions WHERE id = ?").bind(id).first())!.retention_days).toBe(7);
    expect(await directoryOf(client.id)).toEqual([id]);

    // Six days idle: the alarm archives it, and its next alarm is the end of the seven days.
    await lastActive(id, 6);
    expect(await runDurableObjectAlarm(stubOf(id))).toBe(true);
    const archived = await storageOf(id);
    expect(archived.meta).toMatchObject({ status: "archived" });
    expect(archived.alarm).toBe(archived.meta!.lastActivityAt + 7 * DAY);

    await lastActive(id, 7);
    expect(await runDurableObjectAlarm(stubOf(id))).toBe(true);
    await expectGone(id, client.id);
    await expectProblem(await call(`/api/sessions/${id}`, { headers: client.headers }), 404, "NOT_FOUND");
    expect(await auditRows(id)).toEqual([
      {
        actor_id: "system",
        actor_role: "system",
        action: "session.erase",
        project_id: projectId,
        target: id,
        detail: { reason: "retention", messages: 2 },
      },
    ]);
  });

  it("keeps a session of a project without a setting for SESSION_RETENTION_DAYS (90 by default)", async () => {
    const { projectId } = await projectWith();
    const client = await person("client");
    const id = await start(client, projectId);
    await settle(id);
    await lastActive(id, 89);
    expect(await runDurableObjectAlarm(stubOf(id))).toBe(true);
    const kept = await storageOf(id);
    expect(kept.meta).toMatchObject({ status: "archived", retentionDays: null });
    expect(kept.alarm).toBe(kept.meta!.lastActivityAt + 90 * DAY);
  });
});

describe("the daily sweep", () => {
  it("erases a session past its retention whose alarm was lost, and leaves the others", async () => {
    const { projectId } = await projectWith({ retentionDays: 30 });
    const client = await person("client");
    const missed = await start(client, projectId);
    const recent = await start(client, projectId);
    await settle(missed);
    await settle(recent);
    await inStorage(missed, (state) => state.storage.deleteAlarm());
    await lastActive(missed, 31, true);
    await lastActive(recent, 29, true);
    expect(await runDurableObjectAlarm(stubOf(missed))).toBe(false);

    const report = await sweep(env);
    expect(report.expired).toBe(1);
    await expectGone(missed, client.id);
    expect((await storageOf(recent)).meta).not.toBeNull();
    expect(await auditRows(missed)).toMatchObject([{ action: "session.erase", detail: { reason: "retention" } }]);
  });

  it("asks the session's own clock: a session whose D1 copy looks old but which spoke since is kept", async () => {
    const { projectId } = await projectWith({ retentionDays: 30 });
    const client = await person("client");
    const id = await start(client, projectId);
    await settle(id);
    await env.DB.prepare("UPDATE sessions SET last_activity_at = ? WHERE id = ?")
      .bind(Date.now() - 40 * DAY, id)
      .run();
    expect((await sweep(env)).expired).toBe(0);
    expect((await storageOf(id)).meta).not.toBeNull();
  });

  it("runs from the Worker's scheduled handler (the daily Cron)", async () => {
    const { projectId } = await projectWith({ retentionDays: 1 });
    const client = await person("client");
    const id = await start(client, projectId);
    await settle(id);
    await inStorage(id, (state) => state.storage.deleteAlarm());
    await lastActive(id, 2, true);
    await worker.scheduled(createScheduledController({ cron: "17 3 * * *", scheduledTime: Date.now() }), env);
    await expectGone(id, client.id);
  });
});
