/**
 * Flags kept and referrals counted: a crisis message raises the session's risk (actor, D1, list), its
 * flag and referral are in the export and reach D1 exactly once, through a failed batch, an eviction
 * and a lost activation; erasing the session unlinks its records instead of deleting them.
 */
import { abortAllDurableObjects, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { SessionActor } from "../../src/session/actor";
import { APICallError } from "@ai-sdk/provider";
import { MockLanguageModelV3 } from "ai/test";
import { call } from "../helpers";
import { actor, body, d1Session, eventually, person, say, settle, startSession, tinyScript, type Person } from "./helpers";

const CRISIS = "Some days I want to die";

async function session(who: Person, name: string) {
  return (await startSession(who, { scriptYaml: tinyScript(name, ["Hello.", "How are you?", "Thank you."]) })).sessionId as string;
}

async function d1Referrals(sessionId: string) {
  const { results } = await env.DB.prepare("SELECT * FROM crisis_referrals WHERE session_id = ? ORDER BY turn")
    .bind(sessionId)
    .all<Record<string, any>>();
  return results;
}

describe("a crisis message", () => {
  it("raises the session's risk to high in the actor and D1, and counselors find it by risk", async () => {
    const who = await person("author");
    const id = await session(who, "risk_raised");
    const calm = await session(who, "risk_calm");
    await say(who, calm, "Fine, thanks");
    const before = Date.now();
    const turn = await say(who, id, CRISIS);
    expect(turn.safety).toEqual([expect.objectContaining({ source: "input", crisis: true, level: "high" })]);
    await settle(id);
    await settle(calm);

    const info = await body(await call(`/api/sessions/${id}`, { headers: who.headers }), 200);
    expect(info.riskLevel).toBe("high");
    expect(Date.parse(info.riskRaisedAt)).toBeGreaterThanOrEqual(before);
    const row = await d1Session(id);
    expect(row).toMatchObject({ risk_level: "high", risk_raised_at: Date.parse(info.riskRaisedAt) });
    expect(await d1Session(calm)).toMatchObject({ risk_level: "none", risk_raised_at: null });

    const counselor = await person("counselor");
    const listed = async (risk: string) =>
      (await body(await call(`/api/sessions?risk=${risk}&limit=100`, { headers: counselor.headers }), 200)).items.map((s: any) => s.sessionId);
    expect(await listed("high")).toContain(id);
    expect(await listed("low")).toContain(id);
    expect(await listed("low")).not.toContain(calm);
    expect(await listed("imminent")).not.toContain(id);
    const item = (await body(await call("/api/sessions?risk=high&limit=100", { headers: counselor.headers }), 200)).items.find(
      (s: any) => s.sessionId === id,
    );
    expect(item).toMatchObject({ riskLevel: "high", riskRaisedAt: info.riskRaisedAt, userId: who.id });
  });

  it("keeps the level and the time it was first reached when later turns are calm or flag the same level", async () => {
    const who = await person("author");
    const id = await session(who, "risk_kept");
    await say(who, id, CRISIS);
    const first = (await body(await call(`/api/sessions/${id}`, { headers: who.headers }), 200)).riskRaisedAt;
    await say(who, id, "I want to die, still");
    const info = await body(await call(`/api/sessions/${id}`, { headers: who.headers }), 200);
    expect(info).toMatchObject({ riskLevel: "high", riskRaisedAt: first });
  });

  it("is flagged in the message metadata and the export, with its referral, and no words of the conversation in the log", async () => {
    const who = await person("author");
    const id = await session(who, "risk_export");
    const turn = await say(who, id, CRISIS);
    // A denial of the protocol's safety question: its gentle follow-up, no new lines of resources.
    await say(who, id, "No, I'm safe");
    const exported = await body(await call(`/api/sessions/${id}/export`, { headers: who.headers }), 200);

    const answer = exported.messages.find((m: any) => m.id === turn.messages[0].id);
    expect(answer.metadata.inputSafety).toEqual({ crisis: true, level: "high", riskType: "self_harm" });
    expect(exported.messages.filter((m: any) => m.metadata?.inputSafety)).toHaveLength(1);
    expect(exported.session).toMatchObject({ riskLevel: "high" });
    expect(exported.safety).toEqual([
      {
        kind: "flag",
        turn: expect.any(Number),
        messageId: turn.userMessage.id,
        actionId: "say_1",
        source: "input",
        level: "high",
        locale: "en",
        createdAt: expect.any(String),
      },
      // The crisis protocol's line of resources (its action `resources`) is the referral.
      expect.objectContaining({ kind: "referral", source: null, level: "high", locale: "en", actionId: "resources" }),
      // The denial the safety question read, about the client's next message.
      expect.objectContaining({ kind: "confirmation", source: null, level: "high", outcome: "denied", actionId: "confirm" }),
    ]);
    expect(exported.safety[0].turn).toBe(exported.safety[1].turn);
    expect(JSON.stringify(exported.safety)).not.toMatch(/die|safe/);
  });
});

describe("crisis referrals in D1", () => {
  it("reach D1 exactly once per referral: through a failed batch and an eviction, and when an activation loses its bookkeeping", async () => {
    const who = await person("author");
    const id = await session(who, "referral_once");
    await settle(id);

    // D1 refuses the turn's batch: the referral is committed with the turn and waits in the outbox.
    await env.DB.exec("ALTER TABLE crisis_referrals RENAME TO crisis_referrals_away");
    try {
      await say(who, id, CRISIS);
      await settle(id);
    } finally {
      await env.DB.exec("ALTER TABLE crisis_referrals_away RENAME TO crisis_referrals");
    }
    expect(await d1Referrals(id)).toEqual([]);
    await evictDurableObject(actor(id));
    // The retry the failed batch scheduled runs in a fresh activation.
    expect(await runDurableObjectAlarm(actor(id))).toBe(true);
    const first = await d1Referrals(id);
    expect(first).toEqual([expect.objectContaining({ session_id: id, level: "high", locale: "en", action_id: "resources" })]);

    // The second referral reaches D1, then the activation dies before it records that: the next one sends it again.
    await say(who, id, "I still want to die");
    await eventually(
      () => d1Referrals(id),
      (rows) => rows.length === 2,
      "the second referral in D1",
    );
    await abortAllDurableObjects();
    expect(await runDurableObjectAlarm(actor(id))).toBe(true);
    await settle(id);
    const rows = await d1Referrals(id);
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.turn)).size).toBe(2);
    expect(rows[0]).toEqual(first[0]);
    const outbox = await runInDurableObject(
      actor(id),
      (_i: SessionActor, state) => state.storage.sql.exec("SELECT count(*) AS n FROM outbox").one().n,
    );
    expect(outbox).toBe(0);
    const flags = await env.DB.prepare("SELECT source, level FROM safety_flags WHERE session_id = ?").bind(id).all();
    expect(flags.results).toEqual([
      { source: "input", level: "high" },
      { source: "input", level: "high" },
    ]);
    for (const row of rows) expect(Object.values(row).join(" ")).not.toMatch(/die/);
  });

  it("are recorded when the model is down, since the crisis lines never wait for it, and once for a message sent again", async () => {
    const who = await person("author");
    const id = await session(who, "referral_model_down");
    await runInDurableObject(actor(id), (instance: SessionActor) => {
      instance.useModel(
        new MockLanguageModelV3({
          doStream: async () => {
            throw new APICallError({ message: "down", url: "http://model.test", requestBodyValues: {}, statusCode: 503, isRetryable: true });
          },
        }),
      );
    });
    const turn = await say(who, id, CRISIS, "down-1");
    expect(turn.messages.map((m: any) => m.content).join("\n")).toContain("988");
    await settle(id);
    expect(await d1Session(id)).toMatchObject({ risk_level: "high" });
    expect(await d1Referrals(id)).toHaveLength(1);

    // The same message again is answered from the log: no second referral.
    const again = await say(who, id, CRISIS, "down-1");
    expect(again.messages.map((m: any) => m.id)).toEqual(turn.messages.map((m: any) => m.id));
    await settle(id);
    expect(await d1Referrals(id)).toHaveLength(1);
  });

  it("outlive the erased session, unlinked from it", async () => {
    const who = await person("author");
    const id = await session(who, "referral_erased");
    await say(who, id, CRISIS);
    await settle(id);
    const [referral] = await d1Referrals(id);
    expect(referral).toBeDefined();
    expect((await call(`/api/sessions/${id}`, { method: "DELETE", headers: who.headers })).status).toBe(204);
    await eventually(
      () => d1Session(id),
      (row) => row === null,
      "the session's D1 rows to go",
    );
    const kept = await env.DB.prepare("SELECT session_id, message_id, action_id, level, locale FROM crisis_referrals WHERE id = ?")
      .bind(referral!.id)
      .first();
    expect(kept).toEqual({ session_id: null, message_id: null, action_id: null, level: "high", locale: "en" });
  });
});
