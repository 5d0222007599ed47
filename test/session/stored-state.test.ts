/**
 * The actor loads its stored state through the engine's migrateState once per
 * activation. A state it cannot read (written by a newer engine during a deploy
 * or a rollback, or damaged) is answered with a clear problem and left exactly
 * as stored: never rebuilt from D1 over it, never lost.
 */
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import intake from "../../scripts/sessions/intake_en.yaml";
import type { SessionActor } from "../../src/session/actor";
import { call, expectProblem } from "../helpers";
import { actor, allMessages, person, say, sendMessage, settle, startSession, transcript } from "./helpers";

/** Rewrites the stored state with SQL and starts a fresh activation, as a deploy would. */
async function storeState(id: string, jsonSet: string) {
  await runInDurableObject(actor(id), (_instance: SessionActor, state) => {
    state.storage.sql.exec(`UPDATE meta SET state = ${jsonSet} WHERE id = 1`);
  });
  await abortAllDurableObjects();
}

const storedVersion = (id: string) =>
  runInDurableObject(
    actor(id),
    (_instance: SessionActor, state) => state.storage.sql.exec<{ v: number }>("SELECT json_extract(state, '$.schemaVersion') AS v FROM meta").one().v,
  );

describe("a stored state", () => {
  it("written by a newer engine: 503 on every read and turn, kept as stored, and served again once this engine can read it", async () => {
    const who = await person("author");
    const id = (await startSession(who, { scriptYaml: intake })).sessionId as string;
    await say(who, id, "Sam", "s-1");
    await settle(id);
    const before = await allMessages(who, id);

    await storeState(id, "json_set(state, '$.schemaVersion', 99)");
    await expectProblem(await call(`/api/sessions/${id}`, { headers: who.headers }), 503, "SERVICE_UNAVAILABLE");
    await expectProblem(await sendMessage(who, id, "Work has been stressful", "s-2"), 503, "SERVICE_UNAVAILABLE");
    expect(await storedVersion(id)).toBe(99);

    // The newer engine's deploy is rolled forward again (here: the state is one this engine knows).
    await storeState(id, "json_set(state, '$.schemaVersion', 1)");
    expect(await allMessages(who, id)).toEqual(before);
    const next = await say(who, id, "Work has been stressful", "s-2");
    expect(next.messages.map((m: any) => m.actionId)).toEqual(["rate_mood"]);
    expect(transcript(await allMessages(who, id)).filter(([role]) => role === "user")).toEqual([
      ["user", "Sam", "ask_name"],
      ["user", "Work has been stressful", "ask_problem"],
    ]);
  });

  it("that is damaged: 500 STATE_INVALID, and nothing is written over it", async () => {
    const who = await person("author");
    const id = (await startSession(who, { scriptYaml: intake })).sessionId as string;
    await settle(id);
    await storeState(id, "json_remove(state, '$.position')");
    const problem = await expectProblem(await call(`/api/sessions/${id}/variables`, { headers: who.headers }), 500, "STATE_INVALID");
    expect(problem.detail).not.toMatch(/position|zod|schema/i);
    const kept = await runInDurableObject(
      actor(id),
      (_instance: SessionActor, state) =>
        state.storage.sql.exec<{ p: string | null }>("SELECT json_extract(state, '$.position') AS p FROM meta").one().p,
    );
    expect(kept).toBeNull();
  });
});
