import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import intake from "../../scripts/sessions/intake_en.yaml";
import { scriptKey } from "../../src/authoring/cache";
import { contentHash } from "../../src/store/hash";
import { call, expectProblem } from "../helpers";
import {
  actor,
  allMessages,
  body,
  d1Session,
  INTAKE_ANSWERS,
  openSocket,
  person,
  say,
  sendMessage,
  settle,
  startSession,
  tinyScript,
} from "./helpers";

const MINUTE = 60_000;

/** Makes the session look idle for `ms` (as if its last activity were that long ago), then lets a fresh activation see it. */
async function idleFor(id: string, ms: number) {
  await runInDurableObject(actor(id), (_i, state) => {
    state.storage.sql.exec("UPDATE meta SET lastActivityAt = ?", Date.now() - ms);
  });
  await abortAllDurableObjects();
}

async function status(who: { headers: Record<string, string> }, id: string) {
  return (await body(await call(`/api/sessions/${id}`, { headers: who.headers }), 200)).status as string;
}

describe("the idle alarm", () => {
  it("pauses a session after SESSION_PAUSE_TIMEOUT and archives it after SESSION_ARCHIVE_TIMEOUT", async () => {
    const who = await person("author");
    const { sessionId: id } = await startSession(who, { scriptYaml: intake });
    await settle(id);
    const alarm = await runInDurableObject(actor(id), (_i, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();

    // Not idle long enough: the alarm changes nothing.
    await idleFor(id, 29 * MINUTE);
    expect(await runDurableObjectAlarm(actor(id))).toBe(true);
    expect(await status(who, id)).toBe("active");

    await idleFor(id, 31 * MINUTE);
    expect(await runDurableObjectAlarm(actor(id))).toBe(true);
    expect(await status(who, id)).toBe("paused");
    expect((await d1Session(id))!.status).toBe("paused");

    await idleFor(id, 25 * 60 * MINUTE);
    expect(await runDurableObjectAlarm(actor(id))).toBe(true);
    expect(await status(who, id)).toBe("archived");
    expect((await d1Session(id))!.status).toBe("archived");
    await expectProblem(await sendMessage(who, id, "Sam"), 409, "SESSION_ARCHIVED");
    expect(await allMessages(who, id)).toHaveLength(2);
  });

  it("tells connected clients, and a paused session resumes on input", async () => {
    const who = await person("author");
    const { sessionId: id } = await startSession(who, { scriptYaml: intake });
    await idleFor(id, 31 * MINUTE);
    const socket = await openSocket(id, who.token);
    await socket.until((f) => f.some((x) => x.type === "state"));
    expect(await runDurableObjectAlarm(actor(id))).toBe(true);
    await socket.until((f) => f.some((x) => x.type === "state" && x.sessionStatus === "paused"));

    const turn = await say(who, id, "Sam");
    expect(turn.sessionStatus).toBe("active");
    expect(await status(who, id)).toBe("active");
  });
});

describe("input to a finished session", () => {
  it("is refused with 409 SESSION_COMPLETED and changes nothing", async () => {
    const who = await person("author");
    const { sessionId: id } = await startSession(who, { scriptYaml: intake });
    let last;
    for (const answer of INTAKE_ANSWERS) last = await say(who, id, answer);
    expect(last!.status).toBe("completed");
    const info = await body(await call(`/api/sessions/${id}`, { headers: who.headers }), 200);
    expect(info).toMatchObject({ status: "completed", executionStatus: "completed", completedAt: expect.any(String) });
    const before = await allMessages(who, id);
    await expectProblem(await sendMessage(who, id, "one more thing"), 409, "SESSION_COMPLETED");
    expect(await allMessages(who, id)).toEqual(before);
    await settle(id);
    expect((await d1Session(id))!.completed_at).toBe(Date.parse(info.completedAt));
  });
});

describe("DELETE /api/sessions/:id", () => {
  it("leaves nothing behind in the actor, D1 or KV", async () => {
    const who = await person("author");
    const yaml = tinyScript(`delete_me_${crypto.randomUUID().slice(0, 8)}`);
    const hash = await contentHash(yaml);
    const { sessionId: id } = await startSession(who, { scriptYaml: yaml });
    await say(who, id, "fine");
    await settle(id);
    expect(await env.CACHE.get(scriptKey(hash))).not.toBeNull();
    expect(await env.DB.prepare("SELECT hash FROM blobs WHERE hash = ?").bind(hash).first()).not.toBeNull();
    expect(await d1Session(id)).not.toBeNull();
    const socket = await openSocket(id, who.token);
    const closed = new Promise<number>((resolve) => socket.ws.addEventListener("close", (e) => resolve(e.code)));

    const res = await call(`/api/sessions/${id}`, { method: "DELETE", headers: who.headers });
    expect(res.status).toBe(204);
    expect(await closed).toBe(4404);

    const left = await runInDurableObject(actor(id), async (_i, state) => ({
      tables: state.storage.sql.exec("SELECT name FROM sqlite_master").toArray(),
      alarm: await state.storage.getAlarm(),
    }));
    expect(left).toEqual({ tables: [], alarm: null });
    for (const table of ["sessions", "messages", "variable_changes"]) {
      const column = table === "sessions" ? "id" : "session_id";
      expect(await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${column} = ?`).bind(id).first("n")).toBe(0);
    }
    expect(await env.DB.prepare("SELECT hash FROM blobs WHERE hash = ?").bind(hash).first()).toBeNull();
    expect(await env.CACHE.get(scriptKey(hash))).toBeNull();
    await expectProblem(await call(`/api/sessions/${id}`, { headers: who.headers }), 404, "NOT_FOUND");
    await expectProblem(await call(`/api/sessions/${id}`, { method: "DELETE", headers: who.headers }), 404, "NOT_FOUND");
  });

  it("keeps the script's cache entry and text while another session runs it", async () => {
    const who = await person("author");
    const yaml = tinyScript(`shared_${crypto.randomUUID().slice(0, 8)}`);
    const hash = await contentHash(yaml);
    const first = await startSession(who, { scriptYaml: yaml });
    const second = await startSession(who, { scriptYaml: yaml });
    await settle(first.sessionId);
    await settle(second.sessionId);
    expect((await call(`/api/sessions/${first.sessionId}`, { method: "DELETE", headers: who.headers })).status).toBe(204);
    expect(await env.CACHE.get(scriptKey(hash))).not.toBeNull();
    expect(await env.DB.prepare("SELECT hash FROM blobs WHERE hash = ?").bind(hash).first()).not.toBeNull();
    expect((await say(who, second.sessionId, "ok")).status).toBe("waiting_input");
  });

  it("answers 503 while D1 is down, serves nobody meanwhile, and finishes on the alarm", async () => {
    const who = await person("author");
    const { sessionId: id } = await startSession(who, { scriptYaml: tinyScript(`later_${crypto.randomUUID().slice(0, 8)}`) });
    await settle(id);
    await env.DB.exec("ALTER TABLE variable_changes RENAME TO variable_changes_away");
    try {
      await expectProblem(await call(`/api/sessions/${id}`, { method: "DELETE", headers: who.headers }), 503, "SERVICE_UNAVAILABLE");
      await expectProblem(await call(`/api/sessions/${id}`, { headers: who.headers }), 404, "NOT_FOUND");
    } finally {
      await env.DB.exec("ALTER TABLE variable_changes_away RENAME TO variable_changes");
    }
    expect(await d1Session(id)).not.toBeNull();
    expect(await runDurableObjectAlarm(actor(id))).toBe(true);
    expect(await d1Session(id)).toBeNull();
    const tables = await runInDurableObject(actor(id), (_i, state) => state.storage.sql.exec("SELECT name FROM sqlite_master").toArray());
    expect(tables).toEqual([]);
  });
});
