/** Helpers for the data lifecycle tests: projects with a plan, the actor's storage, the audit trail, the session directory. */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { SessionActor } from "../../src/session/actor";
import { sessionActor } from "../../src/session/placement";
import { SessionStorage } from "../../src/session/storage/tables";
import { sessionsOfUser } from "../../src/store/sessions/directory";
import { body, call, json, type Person } from "../helpers";
import { checkin, publishedProject } from "../lifecycle/helpers";

/** A published project running the check-in, with this data policy set by its author. */
export async function projectWith(policy: { retentionDays?: number | null; jurisdiction?: string | null; locationHint?: string | null } = {}) {
  const published = await publishedProject({ "sessions/checkin.yaml": checkin("v1") });
  const full = { retentionDays: null, jurisdiction: null, locationHint: null, ...policy };
  await body(await call(`/api/projects/${published.projectId}/data-policy`, { ...json(full, published.author.headers), method: "PUT" }), 200);
  return published;
}

export async function start(who: Person, projectId: string): Promise<string> {
  return (await body(await call("/api/sessions", json({ projectId }, who.headers)), 201)).sessionId as string;
}

/** The actor's stub as the test pool needs it (runInDurableObject takes the stub). */
export const stubOf = (sessionId: string) => sessionActor(env, sessionId) as unknown as DurableObjectStub<SessionActor>;

/** What the session's own storage holds: its meta (null: nothing), the number of its tables, its alarm. */
export function storageOf(sessionId: string) {
  return runInDurableObject(stubOf(sessionId), async (_i: SessionActor, state) => ({
    meta: new SessionStorage(state.storage).readMeta()?.meta ?? null,
    tables: state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'").toArray().length,
    alarm: await state.storage.getAlarm(),
  }));
}

/** Runs SQL on the actor's own storage (as an outage, a lost alarm or the passing of time would leave it). */
export function inStorage(sessionId: string, fn: (state: DurableObjectState) => unknown) {
  return runInDurableObject(stubOf(sessionId), async (_i: SessionActor, state) => {
    await fn(state);
  });
}

export async function auditRows(target: string) {
  const { results } = await env.DB.prepare(
    "SELECT actor_id, actor_role, action, project_id, target, detail FROM audit_events WHERE target = ? ORDER BY at",
  )
    .bind(target)
    .all<{ actor_id: string; actor_role: string; action: string; project_id: string | null; target: string; detail: string }>();
  return results.map((r) => ({ ...r, detail: JSON.parse(r.detail) }));
}

export async function d1Count(table: string, sessionId: string): Promise<number> {
  return (await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE session_id = ?`).bind(sessionId).first<{ n: number }>())!.n;
}

export const directoryOf = async (userId: string) => (await sessionsOfUser(env.CACHE, userId)).map((e) => e.sessionId).sort();

/** Every place a session can be: its storage, its D1 row and messages, its directory entry. */
export async function expectGone(sessionId: string, userId: string) {
  expect(await storageOf(sessionId)).toEqual({ meta: null, tables: 0, alarm: null });
  expect(await d1Count("messages", sessionId)).toBe(0);
  expect(await env.DB.prepare("SELECT 1 FROM sessions WHERE id = ?").bind(sessionId).first()).toBeNull();
  expect(await directoryOf(userId)).not.toContain(sessionId);
}
