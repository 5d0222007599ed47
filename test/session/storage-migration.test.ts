/**
 * An actor whose storage was written before the tables had a version: it migrates on load and the session runs to its end.
 * Storage of version 2 (the safety log before guard records): its records are kept and guard records join them.
 */
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { SessionActor } from "../../src/session/actor";
import { MIGRATIONS, migrate } from "../../src/session/storage/migrations";
import { SessionStorage, type SafetyRecord } from "../../src/session/storage/tables";
import type { Role } from "../../src/http/auth";
import { authHeaders, body, call, tokenFor } from "../helpers";
import layout0 from "./fixtures/storage-layout-0.json";
import { actor, allMessages, INTAKE_ANSWERS, say, type Person } from "./helpers";
import { inFreshObject } from "./parts";

/** The fixture's tables and rows, written as they are into a storage. */
function writeLayout0(sql: SqlStorage): void {
  for (const table of layout0.tables) {
    sql.exec(table.sql);
    for (const row of table.rows as Record<string, SqlStorageValue>[]) {
      const columns = Object.keys(row);
      sql.exec(`INSERT INTO ${table.name} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`, ...Object.values(row));
    }
  }
}

describe("DO tables of the layout before versioning", () => {
  it("are migrated to the current version on load, keep their rows, and the session runs to completion", async () => {
    const id = layout0.sessionId;
    const role = layout0.role as Role;
    const owner: Person = { id: layout0.userId, role, token: await tokenFor(layout0.userId, role), headers: await authHeaders(layout0.userId, role) };
    await runInDurableObject(actor(id), (_instance: SessionActor, state) => writeLayout0(state.storage.sql));
    await abortAllDurableObjects();

    const before = await allMessages(owner, id);
    expect(before.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const version = await runInDurableObject(
      actor(id),
      (_instance: SessionActor, state) => state.storage.sql.exec<{ version: number }>("SELECT version FROM schema_version").one().version,
    );
    expect(version).toBe(MIGRATIONS.length);
    // The columns and tables later versions added start out empty: no risk, no safety records.
    expect(await body(await call(`/api/sessions/${id}`, { headers: owner.headers }), 200)).toMatchObject({ riskLevel: "none", riskRaisedAt: null });

    // A cmid the fixture's log already answered is still recognised after the migration.
    expect((await say(owner, id, "Work has been stressful", "fixture-2")).messages.map((m: any) => m.seq)).toEqual([6]);
    let last: any;
    // Words the crisis scan flags, then two denials of the protocol's safety question, which resumes the
    // script: the migrated session keeps its risk and its safety records.
    const [next, ...rest] = INTAKE_ANSWERS.slice(2);
    const answers = [next!, "Some nights I want to die", "No, I'm safe", "No, I'm safe, really", ...rest];
    for (const answer of answers) last = await say(owner, id, answer);
    expect(last.sessionStatus).toBe("completed");
    const exported = await body(await call(`/api/sessions/${id}/export`, { headers: owner.headers }), 200);
    expect(exported.session.riskLevel).toBe("high");
    expect(exported.safety.map((r: any) => [r.kind, r.level, r.outcome])).toEqual([
      ["flag", "high", undefined],
      ["referral", "high", undefined],
      // The safety question and its follow-up each read a denial (the confirmations DO version 4 keeps).
      ["confirmation", "high", "denied"],
      ["confirmation", "high", "denied"],
    ]);
    const after = await allMessages(owner, id);
    expect(after.slice(0, 6)).toEqual(before);
    expect(after.map((m) => m.seq)).toEqual(after.map((_, i) => i + 1));
  });
});

describe("DO tables of version 2, the safety log before guard records", () => {
  it("keep their flags and referrals as they were, and take guard records (which have no level) after the migration", async () => {
    const flag: SafetyRecord = {
      id: "f1",
      kind: "flag",
      turnId: 3,
      messageId: "usr_5",
      actionId: "ask_mood",
      source: "input",
      level: "high",
      locale: "en",
      createdAt: 10,
    };
    const referral: SafetyRecord = { ...flag, id: "r1", kind: "referral", messageId: null, source: null };
    const guard: SafetyRecord = {
      id: "g1",
      kind: "guard",
      turnId: 4,
      messageId: "msg_4",
      actionId: "ask_sleep",
      source: "local",
      kinds: ["prescription", "guarantee"],
      action: "canned",
      locale: "en",
      createdAt: 20,
    };
    const seen = await inFreshObject((state) => {
      const sql = state.storage.sql;
      writeLayout0(sql);
      state.storage.transactionSync(() => migrate(sql, MIGRATIONS.slice(0, 2)));
      for (const r of [flag, referral]) {
        sql.exec(
          "INSERT INTO safety_log (id, kind, turnId, messageId, actionId, source, level, locale, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          r.id,
          r.kind,
          r.turnId,
          r.messageId,
          r.actionId,
          r.source,
          r.level,
          r.locale,
          r.createdAt,
        );
      }
      const store = new SessionStorage(state.storage);
      store.ensureSchema();
      const migrated = store.safetyLog();
      store.transaction(() => store.addOutbox(4, [], 20, [guard]));
      return {
        version: sql.exec<{ version: number }>("SELECT version FROM schema_version").one().version,
        migrated,
        after: store.safetyLog(),
        messages: store.messages(0).length,
      };
    });
    expect(seen.version).toBe(MIGRATIONS.length);
    expect(seen.migrated).toEqual([flag, referral]);
    expect(seen.after).toEqual([flag, referral, guard]);
    expect(seen.messages).toBe(6);
  });
});
