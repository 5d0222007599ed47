/**
 * The rules for changing the engine state format or the actor's tables while
 * two releases run side by side (a gradual deployment, a rollback; see
 * docs/operations.md, "Upgrades and rollback", and src/session/README.md):
 *
 * - a release reads what every earlier release wrote: each frozen engine
 *   state (test/node/engine/fixtures/state-v*.json) stored in an actor is
 *   served, continued to the end, and written back in the current format;
 * - a release refuses what a newer one wrote (tables of a newer schema
 *   version, an engine state of a newer version): every read, turn and
 *   WebSocket answers 503, its alarm writes nothing, D1 is not rebuilt over
 *   it, and every table and row stays byte for byte as the newer release left
 *   it, so that release serves it again once it is back.
 */
/// <reference types="vite/client" />
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import intake from "../../scripts/sessions/intake_en.yaml";
import { SCHEMA_VERSION } from "../../src/engine";
import type { SessionActor } from "../../src/session/actor";
import { MIGRATIONS } from "../../src/session/storage/migrations";
import { call, expectProblem } from "../helpers";
import { actor, allMessages, d1Messages, d1Session, person, say, sendMessage, settle, startSession, type Person } from "./helpers";

/** The answers the frozen states were made with (state-version.test.ts), then the rest of the intake. */
const FIXTURE_ANSWERS = ["Alex", "I can't sleep and work is too much"];
const REMAINING_ANSWERS = ["2", "No", "badly", "sleep through the night", "thank you"];

const fixtures = import.meta.glob<{ default: { schemaVersion: number } }>("../node/engine/fixtures/state-v*.json", { eager: true });

/** Every table of the actor's storage with its definition and rows, as SQLite holds them. */
function dump(sql: SqlStorage) {
  const tables = sql
    .exec<{ name: string; sql: string }>(
      "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .toArray();
  return tables.map((t) => ({ ...t, rows: sql.exec(`SELECT * FROM "${t.name}" ORDER BY rowid`).toArray() }));
}

const storage = (id: string) => runInDurableObject(actor(id), (_instance: SessionActor, state) => dump(state.storage.sql));

/** Writes with SQL as another release would, then starts a fresh activation, as a deploy does. */
async function asAnotherRelease(id: string, statements: string) {
  await runInDurableObject(actor(id), (_instance: SessionActor, state) => void state.storage.sql.exec(statements));
  await abortAllDurableObjects();
}

async function halfwaySession(): Promise<{ who: Person; id: string }> {
  const who = await person("author");
  const id = (await startSession(who, { scriptYaml: intake })).sessionId as string;
  for (const [i, answer] of FIXTURE_ANSWERS.entries()) await say(who, id, answer, `fixture-${i}`);
  await settle(id);
  return { who, id };
}

describe("a release reads what the earlier ones wrote", () => {
  it("has a frozen engine state of every version up to its own", () => {
    const versions = Object.values(fixtures)
      .map((f) => f.default.schemaVersion)
      .sort((a, b) => a - b);
    expect(versions.at(-1)).toBe(SCHEMA_VERSION);
  });

  it.each(Object.entries(fixtures).map(([file, f]) => [file.replace(/.*\//, ""), f.default] as const))(
    "an actor holding %s serves it, runs to the end and stores the current version",
    async (_file, fixture) => {
      const { who, id } = await halfwaySession();
      await asAnotherRelease(id, `UPDATE meta SET state = '${JSON.stringify(fixture).replaceAll("'", "''")}' WHERE id = 1`);

      const variables = await call(`/api/sessions/${id}/variables`, { headers: who.headers });
      expect(variables.status).toBe(200);
      let last: any;
      for (const answer of REMAINING_ANSWERS) last = await say(who, id, answer);
      expect(last.sessionStatus).toBe("completed");
      expect(last.variables).toMatchObject({ client_name: "Alex", sleep: "badly", goals: "sleep through the night" });
      const stored = await runInDurableObject(
        actor(id),
        (_instance: SessionActor, state) =>
          state.storage.sql.exec<{ v: number }>("SELECT json_extract(state, '$.schemaVersion') AS v FROM meta").one().v,
      );
      expect(stored).toBe(SCHEMA_VERSION);
    },
  );
});

// What a newer release might have done to a session: a table migration, or a new engine state version with a new field.
const newer = [
  {
    what: "tables of a newer schema version",
    forward: `ALTER TABLE meta ADD COLUMN nextField TEXT DEFAULT 'x'; CREATE TABLE next_log (id INTEGER PRIMARY KEY, data TEXT NOT NULL); INSERT INTO next_log (data) VALUES ('kept'); UPDATE schema_version SET version = ${MIGRATIONS.length + 1}`,
    back: `ALTER TABLE meta DROP COLUMN nextField; DROP TABLE next_log; UPDATE schema_version SET version = ${MIGRATIONS.length}`,
  },
  {
    what: "an engine state of a newer version",
    forward: `UPDATE meta SET state = json_set(state, '$.schemaVersion', ${SCHEMA_VERSION + 1}, '$.nextField', json('{"kept":true}'))`,
    back: `UPDATE meta SET state = json_remove(json_set(state, '$.schemaVersion', ${SCHEMA_VERSION}), '$.nextField')`,
  },
];

describe.each(newer)("a release given $what", ({ forward, back }) => {
  it("answers 503 everywhere, writes nothing anywhere, and the newer release finds its session as it left it", async () => {
    const { who, id } = await halfwaySession();
    const before = { messages: await allMessages(who, id), d1: { session: await d1Session(id), messages: await d1Messages(id) } };
    await asAnotherRelease(id, forward);
    const written = await storage(id);

    const reads = ["", "/messages", "/variables", "/export", "/events"];
    for (const path of reads) await expectProblem(await call(`/api/sessions/${id}${path}`, { headers: who.headers }), 503, "SERVICE_UNAVAILABLE");
    await expectProblem(await sendMessage(who, id, "Work has been stressful", "turn-3"), 503, "SERVICE_UNAVAILABLE");
    const socket = await call(`/api/sessions/${id}/ws?token=${encodeURIComponent(who.token)}`, { headers: { Upgrade: "websocket" } });
    expect(socket.status).toBe(503);
    // Its alarm (idle lifecycle, mirror retry) has a session it cannot read: it leaves it alone.
    expect(await runDurableObjectAlarm(actor(id))).toBe(true);

    expect(await storage(id)).toEqual(written);
    expect({ session: await d1Session(id), messages: await d1Messages(id) }).toEqual(before.d1);

    // The newer release is deployed again (here: its change undone by hand): nothing was lost, the session goes on.
    await asAnotherRelease(id, back);
    expect(await allMessages(who, id)).toEqual(before.messages);
    const next = await say(who, id, "2", "turn-3");
    expect(next.messages.length).toBeGreaterThan(0);
  });
});
