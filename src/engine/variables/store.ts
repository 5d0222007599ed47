/**
 * The four-scope variable store. Reads go topic → phase → session → global,
 * using the ids of the current position. Writes go to the scope the output
 * entry declares, `session` by default (so later topics see earlier answers;
 * upstream B4 kept every variable in its topic). Every write also lands in the flat view `state.variables`.
 */
import type { Position, SessionState, VariableMap, VariableScope, VariableStore, JsonValue } from "../runtime/state";
import type { VariableChange } from "../runtime/events";
import { valueAsText } from "./render";

const has = Object.hasOwn;

/** The maps visible from a position, most specific first. */
function visibleMaps(store: VariableStore, position: Pick<Position, "phaseId" | "topicId">): VariableMap[] {
  const maps: VariableMap[] = [];
  if (position.topicId !== null) {
    const t = store.topic[position.topicId];
    if (t) maps.push(t);
  }
  if (position.phaseId !== null) {
    const p = store.phase[position.phaseId];
    if (p) maps.push(p);
  }
  maps.push(store.session, store.global);
  return maps;
}

export function lookupVariable(state: SessionState, name: string): JsonValue | undefined {
  for (const map of visibleMaps(state.scopes, state.position)) {
    if (has(map, name)) return map[name];
  }
  return undefined;
}

/** A renderer lookup over the variables visible at the current position (resolve the scopes once, look up many). */
export function textLookup(state: SessionState): (name: string) => string | undefined {
  const maps = visibleMaps(state.scopes, state.position);
  return (name) => {
    for (const map of maps) if (has(map, name)) return valueAsText(map[name]);
    return undefined;
  };
}

/** Every variable visible at the current position, the nearest scope winning (what conditions and ai_think see). */
export function visibleVariables(state: SessionState): VariableMap {
  const maps = visibleMaps(state.scopes, state.position);
  const out: VariableMap = Object.create(null);
  for (let i = maps.length - 1; i >= 0; i--) Object.assign(out, maps[i]);
  return out;
}

/**
 * Writes one variable into `state` (which step() owns: it is a copy of the
 * caller's state) and returns the change, or null when the value is unchanged.
 */
export function writeVariable(state: SessionState, name: string, value: JsonValue, scope: VariableScope = "session"): VariableChange | null {
  const map = scopeMap(state, scope);
  const previous = has(map, name) ? map[name] : undefined;
  if (previous !== undefined && JSON.stringify(previous) === JSON.stringify(value)) return null;
  map[name] = value;
  state.variables[name] = value;
  return previous === undefined ? { name, scope, value } : { name, scope, value, previous };
}

function scopeMap(state: SessionState, scope: VariableScope): VariableMap {
  const { scopes, position } = state;
  if (scope === "session" || scope === "global") return scopes[scope];
  const id = scope === "topic" ? position.topicId : position.phaseId;
  // Writes only happen while an action runs, so the position always has ids here.
  if (id === null) throw new Error(`no current ${scope} to write a ${scope}-scoped variable into`);
  const maps = scopes[scope];
  return (maps[id] ??= {});
}
