/** Reconcile: D1 rows deleted underneath running sessions come back exactly; GET /api/admin/mirror reports the lag. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sweep } from "../../src/lifecycle/sweep";
import { body, call, json, person } from "../helpers";
import { clientIntake, d1Messages, d1Session, INTAKE_ANSWERS, publishedSamples, say, settle } from "../session/helpers";

/** Every D1 row of a session that reconcile must bring back, in a comparable order. */
async function d1Copy(sessionId: string) {
  const row = await d1Session(sessionId);
  const blobs = await env.DB.prepare("SELECT hash FROM blobs WHERE hash = ?").bind(row!.script_hash).all();
  return { row, messages: await d1Messages(sessionId), blobs: blobs.results };
}

/** A running intake session with at least 12 messages, its D1 copy complete. */
async function runningSession(projectId: string) {
  const s = await clientIntake(projectId);
  for (const answer of INTAKE_ANSWERS.slice(0, 5)) await say(s.owner, s.id, answer);
  await settle(s.id);
  const before = await d1Copy(s.id);
  expect(before.messages.length).toBeGreaterThanOrEqual(12);
  return { ...s, before };
}

/** What a point-in-time restore leaves: messages 1–4 and 9–11, the row saying 11. */
async function restoreToEleven(sessionId: string) {
  await env.DB.batch([
    env.DB.prepare("DELETE FROM messages WHERE session_id = ? AND ((seq BETWEEN 5 AND 8) OR seq > 11)").bind(sessionId),
    env.DB.prepare("UPDATE sessions SET last_seq = 11 WHERE id = ?").bind(sessionId),
  ]);
}

describe("reconcile", () => {
  it("reports the gap (messages 1–4 and 9–11 while the row says 11) and restores D1 exactly, and the session goes on", async () => {
    const { projectId } = await publishedSamples();
    const admin = await person("admin");
    const s = await runningSession(projectId);
    const last = s.before.messages.at(-1)!.seq;
    await restoreToEleven(s.id);
    expect((await d1Messages(s.id)).map((m) => m.seq)).toEqual([1, 2, 3, 4, 9, 10, 11]);

    const report = await body(await call("/api/admin/mirror?limit=100", { headers: admin.headers }), 200);
    expect(report.items).toEqual([
      {
        sessionId: s.id,
        found: true,
        lastSeq: last,
        d1: { row: true, lastSeq: 11, messages: 7 },
        gaps: [
          [5, 8],
          [12, last],
        ],
        repaired: 0,
      },
    ]);
    expect(report.totals).toMatchObject({ lagging: 1, missingMessages: 4 + last - 11 });

    const repaired = await body(await call("/api/admin/reconcile", json({ sessionIds: [s.id] }, admin.headers)), 200);
    expect(repaired.totals).toMatchObject({ checked: 1, repaired: 4 + last - 11, failed: 0 });
    expect(await d1Copy(s.id)).toEqual(s.before);
    expect((await body(await call("/api/admin/mirror", { headers: admin.headers }), 200)).items).toEqual([]);

    // The session keeps running, and its next turn lands in D1 after the restored rows.
    await say(s.owner, s.id, INTAKE_ANSWERS[5]!);
    await settle(s.id);
    const after = await d1Messages(s.id);
    expect(after.slice(0, last)).toEqual(s.before.messages);
    expect(after.map((m) => m.seq)).toEqual(Array.from({ length: after.length }, (_, i) => i + 1));
  });

  it("brings back a session D1 lost entirely (row and messages), found through the session directory", async () => {
    const { projectId } = await publishedSamples();
    const admin = await person("admin");
    const s = await runningSession(projectId);
    await env.DB.batch([
      env.DB.prepare("DELETE FROM messages WHERE session_id = ?").bind(s.id),
      env.DB.prepare("DELETE FROM sessions WHERE id = ?").bind(s.id),
    ]);
    let cursor: string | null = null;
    do {
      const page: { nextCursor: string | null } = await body(
        await call("/api/admin/reconcile", json({ limit: 2, ...(cursor ? { cursor } : {}) }, admin.headers)),
        200,
      );
      cursor = page.nextCursor;
    } while (cursor);
    expect(await d1Copy(s.id)).toEqual(s.before);
  });

  it("is part of the daily sweep: D1's own count shows the gap, and the sweep mends it", async () => {
    const { projectId } = await publishedSamples();
    const s = await runningSession(projectId);
    await restoreToEleven(s.id);
    const report = await sweep(env);
    expect(report.repaired).toBeGreaterThanOrEqual(s.before.messages.length - 7);
    expect(await d1Copy(s.id)).toEqual(s.before);
  });

  it("is for admins only", async () => {
    for (const role of ["client", "author", "counselor"] as const) {
      const who = await person(role);
      expect((await call("/api/admin/mirror", { headers: who.headers })).status).toBe(403);
      expect((await call("/api/admin/reconcile", json({}, who.headers))).status).toBe(403);
    }
  });
});
