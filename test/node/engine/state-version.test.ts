/**
 * State versioning: stored states of every released schema version load
 * with migrateState() and run on; the engine's states keep the shape of the
 * frozen fixture of the current version. When a test here fails because the
 * state's shape changed, bump SCHEMA_VERSION, add an upgrader
 * (src/engine/runtime/migrate.ts) and freeze fixtures/state-v<new>.json the
 * way the v1 fixture was made (see freshState below); never edit an older
 * fixture.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { migrateState, SCHEMA_VERSION, start, StateError, step, type SessionState } from "../../../src/engine";
import { checkUpgraders, OLDEST_SCHEMA_VERSION, upgradeState, upgraders, type Upgrader } from "../../../src/engine/runtime/migrate";
import { OfflineModel } from "../../../src/llm";
import { fixedNow, parseScript } from "./helpers";

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, "fixtures");
const script = parseScript(readFileSync(join(here, "../../../scripts/sessions/intake_en.yaml"), "utf8"));

/** The answers the fixtures were made with, then the rest of the intake conversation. */
const firstAnswers = ["Alex", "I can't sleep and work is too much"];
const remainingAnswers = ["2", "No", "badly", "sleep through the night", "thank you"];

function readFixture(version: number): unknown {
  return JSON.parse(readFileSync(join(fixtures, `state-v${version}.json`), "utf8")) as unknown;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === "object") {
    Object.freeze(o);
    Object.values(o).forEach(deepFreeze);
  }
  return o;
}

/** What the fixtures hold: intake_en with the offline model after the greeting and two answers. */
async function freshState(): Promise<SessionState> {
  let state = start(script, { now: fixedNow });
  for (const input of [null, ...firstAnswers]) {
    const r = await step(script, state, input, { model: new OfflineModel(), now: fixedNow });
    expect(r.status).toBe("waiting_input");
    state = r.state;
  }
  return JSON.parse(JSON.stringify(state)) as SessionState;
}

/** The shape of a JSON value: keys and value types, not the values. */
function shape(v: unknown): unknown {
  if (v === null) return "null";
  if (Array.isArray(v)) return v.map(shape);
  if (typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, shape((v as Record<string, unknown>)[k])]),
    );
  }
  return typeof v;
}

const frozenVersions = readdirSync(fixtures)
  .map((f) => /^state-v(\d+)\.json$/.exec(f)?.[1])
  .filter((v): v is string => v !== undefined)
  .map(Number)
  .sort((a, b) => a - b);

describe("frozen state fixtures", () => {
  it("there is one for every version from the oldest loaded to the current one", () => {
    const expected = Array.from({ length: SCHEMA_VERSION - OLDEST_SCHEMA_VERSION + 1 }, (_, i) => OLDEST_SCHEMA_VERSION + i);
    expect(frozenVersions).toEqual(expected);
  });

  it("today's engine writes states of the current fixture's shape (else: bump SCHEMA_VERSION and add an upgrader)", async () => {
    const fixture = readFixture(SCHEMA_VERSION);
    const fresh = await freshState();
    expect(shape(fresh)).toEqual(shape(fixture));
    expect((fixture as SessionState).schemaVersion).toBe(SCHEMA_VERSION);
  });

  it.each(frozenVersions)("the v%i fixture loads with migrateState and runs to completion with the offline model", async (version) => {
    const stored = deepFreeze(readFixture(version));
    const before = structuredClone(stored);
    const loaded = migrateState(stored);
    expect(stored).toEqual(before);
    expect(loaded.schemaVersion).toBe(SCHEMA_VERSION);
    expect(loaded.position.actionId).toBe("rate_mood");
    expect(loaded.variables).toMatchObject({ client_name: "Alex", presenting_problem: "I can't sleep and work is too much" });

    let state = loaded;
    const statuses: string[] = [];
    for (const answer of remainingAnswers) {
      const r = await step(script, state, answer, { model: new OfflineModel(), now: fixedNow });
      expect(r.error).toBeUndefined();
      statuses.push(r.status);
      state = r.state;
    }
    expect(statuses).toEqual(["waiting_input", "waiting_input", "waiting_input", "waiting_input", "completed"]);
    expect(state.variables).toMatchObject({
      client_name: "Alex",
      presenting_problem: "I can't sleep and work is too much",
      // Declared `type: integer` since the fixture was frozen: the answer "2" is stored as a number.
      mood_score: 2,
      safety_note: "No",
      sleep: "badly",
      goals: "sleep through the night",
    });
    expect(state.variables.session_summary).toEqual(expect.any(String));
    expect(state.scopes.topic.mood).toEqual({ sleep: "badly" });
    expect(state.position).toMatchObject({ phaseIndex: script.session.phases.length, actionId: null });
  });
});

describe("migrateState", () => {
  const valid = (): Record<string, unknown> => structuredClone(readFixture(SCHEMA_VERSION)) as Record<string, unknown>;
  const codeOf = (json: unknown): string | undefined => {
    try {
      migrateState(json);
      return undefined;
    } catch (err) {
      expect(err).toBeInstanceOf(StateError);
      return (err as StateError).code;
    }
  };

  it("returns a current state as it is (validated, not the same object)", () => {
    const json = valid();
    const loaded = migrateState(json);
    expect(loaded).toEqual(json);
    expect(loaded).not.toBe(json);
  });

  it("says what is wrong with a stored state, with a code", () => {
    expect(codeOf(null)).toBe("NOT_A_STATE");
    expect(codeOf([])).toBe("NOT_A_STATE");
    expect(codeOf("{}")).toBe("NOT_A_STATE");
    expect(codeOf({ hello: "world" })).toBe("NOT_A_STATE");
    expect(codeOf({ ...valid(), schemaVersion: "1" })).toBe("NOT_A_STATE");
    expect(codeOf({ ...valid(), schemaVersion: SCHEMA_VERSION + 1 })).toBe("NEWER_VERSION");
    expect(codeOf({ ...valid(), schemaVersion: 0 })).toBe("UNKNOWN_VERSION");
    expect(codeOf({ ...valid(), schemaVersion: 1.5 })).toBe("UNKNOWN_VERSION");
    const { position: _, ...noPosition } = valid();
    expect(codeOf(noPosition)).toBe("INVALID");
  });

  it("names the newer version and the versions it knows", () => {
    const err = (() => {
      try {
        migrateState({ ...valid(), schemaVersion: SCHEMA_VERSION + 1 });
      } catch (e) {
        return e as StateError;
      }
    })();
    expect(err?.version).toBe(SCHEMA_VERSION + 1);
    expect(err?.message).toMatch(new RegExp(`newer engine \\(schema ${SCHEMA_VERSION + 1}; this engine knows up to ${SCHEMA_VERSION}\\)`));
  });

  it("has one upgrader per version step up to SCHEMA_VERSION", () => {
    expect(() => checkUpgraders(upgraders, OLDEST_SCHEMA_VERSION, SCHEMA_VERSION)).not.toThrow();
  });
});

describe("upgraders (the mechanism, with a made-up table)", () => {
  // v1 → v2 renames messageCount to assistantMessages; v2 → v3 adds a notes list.
  const table: Upgrader[] = [
    {
      from: 1,
      description: "messageCount → assistantMessages",
      upgrade: ({ messageCount, ...rest }) => ({ ...rest, assistantMessages: messageCount, schemaVersion: 2 }),
    },
    {
      from: 2,
      description: "notes: []",
      upgrade: (s) => {
        s.notes = [];
        s.schemaVersion = 3;
        return s;
      },
    },
  ];

  it("applies them in order from the stored version, on a copy", () => {
    const v1 = deepFreeze({ schemaVersion: 1, messageCount: 4 });
    expect(upgradeState(v1, table, 1, 3)).toEqual({ schemaVersion: 3, assistantMessages: 4, notes: [] });
    const v2 = { schemaVersion: 2, assistantMessages: 4 };
    expect(upgradeState(v2, table, 1, 3)).toEqual({ schemaVersion: 3, assistantMessages: 4, notes: [] });
    expect(v2).toEqual({ schemaVersion: 2, assistantMessages: 4 });
    expect(upgradeState({ schemaVersion: 3 }, table, 1, 3)).toEqual({ schemaVersion: 3 });
  });

  it("refuses a version with no path and a table with a gap", () => {
    expect(() => upgradeState({ schemaVersion: 1 }, table.slice(1), 1, 3)).toThrow(/No upgrader from session state schema 1 to 2/);
    expect(() => checkUpgraders(table.slice(1), 1, 3)).toThrow();
    expect(() => checkUpgraders([table[1]!, table[0]!], 1, 3)).toThrow(/expected 1/);
  });

  it("catches an upgrader that does not produce the next version", () => {
    const broken: Upgrader[] = [{ from: 1, description: "forgets the version", upgrade: (s) => s }];
    expect(() => upgradeState({ schemaVersion: 1 }, broken, 1, 2)).toThrow(/returned schema 1, not 2/);
  });
});
