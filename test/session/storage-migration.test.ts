/** An actor whose storage was written before the tables had a version: it migrates on load and the session runs to its end. */
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { SessionActor } from "../../src/session/actor";
import { MIGRATIONS } from "../../src/session/storage/migrations";
import type { Role } from "../../src/http/auth";
import { authHeaders, body, call, tokenFor } from "../helpers";
import layout0 from "./fixtures/storage-layout-0.json";
import { actor, allMessages, INTAKE_ANSWERS, say, type Person } from "./helpers";

describe("DO tables of the layout before versioning", () => {
  it("are migrated to the current version on load, keep their rows, and the session runs to completion", async () => {
    const id = layout0.sessionId;
    const role = layout0.role as Role;
    const owner: Person = { id: layout0.userId, role, token: await tokenFor(layout0.userId, role), headers: await authHeaders(layout0.userId, role) };
    await runInDurableObject(actor(id), (_instance: SessionActor, state) => {
      const sql = state.storage.sql;
      for (const table of layout0.tables) {
        sql.exec(table.sql);
        for (const row of table.rows as Record<string, SqlStorageValue>[]) {
          const columns = Object.keys(row);
          sql.exec(`INSERT INTO ${table.name} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`, ...Object.values(row));
        }
      }
    });
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
    expect(exported.safety.map((r: any) => [r.kind, r.level])).toEqual([
      ["flag", "high"],
      ["referral", "high"],
    ]);
    const after = await allMessages(owner, id);
    expect(after.slice(0, 6)).toEqual(before);
    expect(after.map((m) => m.seq)).toEqual(after.map((_, i) => i + 1));
  });
});
