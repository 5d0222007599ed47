/**
 * Loading stored session states: migrateState() takes whatever a host
 * stored (parsed JSON), upgrades it one schema version at a time to
 * SCHEMA_VERSION with the upgraders below, then validates the result with
 * the zod schema. step() does not validate (it trusts states that come from
 * the engine or through here), so a host calls migrateState() once where a
 * state enters from storage, not on every turn.
 *
 * Adding a version (see state.ts): bump SCHEMA_VERSION, append the upgrader
 * from the previous version to `upgraders`, freeze a state of the new version
 * as test/node/engine/fixtures/state-v<n>.json, and keep the older fixtures:
 * they must still load and run to completion.
 */
import { SCHEMA_VERSION, SessionStateSchema, type SessionState } from "./state";

/** A stored state as plain JSON, before it is known to be valid. */
export type StoredState = Record<string, unknown> & { schemaVersion: number };

/**
 * Turns a state of version `from` into one of version `from + 1`. It gets
 * a private copy (it may change it in place) and returns the new state with
 * `schemaVersion: from + 1`. It must not depend on the script: states are
 * upgraded before the script is known.
 */
export interface Upgrader {
  readonly from: number;
  readonly description: string;
  upgrade(state: StoredState): StoredState;
}

/** The oldest schema version this engine loads. */
export const OLDEST_SCHEMA_VERSION = 1;

/**
 * Ordered upgraders, one per version step: upgraders[i].from ===
 * OLDEST_SCHEMA_VERSION + i, the last one producing SCHEMA_VERSION.
 */
export const upgraders: readonly Upgrader[] = [
  {
    from: 1,
    description: "crisis: null (no crisis protocol in progress: version 1 had none)",
    upgrade: (state) => ({ ...state, crisis: null, schemaVersion: 2 }),
  },
  {
    from: 2,
    description: "minor: null (not a minor's session: version 2 had no such sessions)",
    upgrade: (state) => ({ ...state, minor: null, schemaVersion: 3 }),
  },
  {
    from: 3,
    description: "technique: null and position.technique: null (no technique running: version 3 had no use_skill)",
    upgrade: (state) => {
      const crisis = state.crisis as { position?: object } | null | undefined;
      return {
        ...state,
        position: { ...(state.position as object), technique: null },
        ...(crisis ? { crisis: { ...crisis, position: { ...crisis.position, technique: null } } } : {}),
        technique: null,
        schemaVersion: 4,
      };
    },
  },
];

export type StateErrorCode =
  /** Not an object with a numeric schemaVersion: not a HeartRule session state at all. */
  | "NOT_A_STATE"
  /** Written by a newer engine than this one (a rollback, or two engine versions side by side). */
  | "NEWER_VERSION"
  /** A version this engine has no upgrade path from (below the oldest it knows, or not an integer). */
  | "UNKNOWN_VERSION"
  /** The right version but not a valid state (damaged or hand-edited storage), after any upgrades. */
  | "INVALID";

export class StateError extends Error {
  constructor(
    readonly code: StateErrorCode,
    message: string,
    /** The schemaVersion the stored state declared, when it declared a number. */
    readonly version?: number,
  ) {
    super(message);
    this.name = "StateError";
  }
}

/** Checks that a table of upgraders chains OLDEST → … → target without gaps. */
export function checkUpgraders(table: readonly Upgrader[], oldest: number, target: number): void {
  if (table.length !== target - oldest) {
    throw new Error(`Upgraders must cover versions ${oldest} to ${target}: ${table.length} given for ${target - oldest} steps.`);
  }
  table.forEach((u, i) => {
    if (u.from !== oldest + i) throw new Error(`Upgrader ${i} upgrades from version ${u.from}, expected ${oldest + i}.`);
  });
}

checkUpgraders(upgraders, OLDEST_SCHEMA_VERSION, SCHEMA_VERSION);

/**
 * Applies the upgraders that take a stored state from its version to
 * `target`. The input is never modified (the upgraders work on a copy).
 * Exported with its table as a parameter for tests; hosts use migrateState().
 */
export function upgradeState(json: unknown, table: readonly Upgrader[], oldest: number, target: number): StoredState {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new StateError("NOT_A_STATE", "Not a HeartRule session state: expected a JSON object.");
  }
  const version = (json as { schemaVersion?: unknown }).schemaVersion;
  if (typeof version !== "number") throw new StateError("NOT_A_STATE", "Not a HeartRule session state: schemaVersion is missing.");
  if (Number.isInteger(version) && version > target) {
    throw new StateError(
      "NEWER_VERSION",
      `The state was written by a newer engine (schema ${version}; this engine knows up to ${target}). Run it with that engine or newer.`,
      version,
    );
  }
  if (!Number.isInteger(version) || version < oldest) {
    throw new StateError("UNKNOWN_VERSION", `Unknown session state schema ${version}: this engine loads schemas ${oldest} to ${target}.`, version);
  }
  if (version === target) return json as StoredState;
  let state = structuredClone(json) as StoredState;
  for (let v = version; v < target; v++) {
    const upgrader = table[v - oldest];
    if (!upgrader || upgrader.from !== v) {
      throw new StateError("UNKNOWN_VERSION", `No upgrader from session state schema ${v} to ${v + 1}.`, version);
    }
    state = upgrader.upgrade(state);
    if (state.schemaVersion !== v + 1) {
      throw new Error(`The upgrader from schema ${v} returned schema ${String(state.schemaVersion)}, not ${v + 1}.`);
    }
  }
  return state;
}

/**
 * Loads a stored state written by this engine or an earlier one: upgrades
 * it to SCHEMA_VERSION, validates it, and returns a fresh object (the input
 * is never modified). Throws StateError (with a `code`) for anything else:
 * not a state, a state from a newer engine, an unknown version, an invalid
 * state. A host that gets a state back whose version differs from what it
 * stored may write the upgraded state back.
 */
export function migrateState(json: unknown): SessionState {
  const upgraded = upgradeState(json, upgraders, OLDEST_SCHEMA_VERSION, SCHEMA_VERSION);
  const parsed = SessionStateSchema.safeParse(upgraded);
  if (!parsed.success) {
    const where = parsed.error.issues.slice(0, 3).map((i) => i.path.join(".") || "(root)");
    const from = (json as StoredState).schemaVersion;
    throw new StateError(
      "INVALID",
      `Not a valid HeartRule session state (schema ${from}${from === SCHEMA_VERSION ? "" : ` upgraded to ${SCHEMA_VERSION}`}): check ${where.join(", ")}.`,
      from,
    );
  }
  return parsed.data;
}
