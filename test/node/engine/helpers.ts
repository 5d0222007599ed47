/**
 * Shared helpers for engine tests. `parseScript` reads a modern script with
 * yaml + the schema; it is replaced by the loader's load() once that lands.
 */
import { parse } from "yaml";
import { SessionScriptSchema, type SessionScript } from "../../../src/engine/script/schema";
import { step, start, type EngineEvent, type SessionState, type StepOptions, type StepResult } from "../../../src/engine";

export function parseScript(yaml: string): SessionScript {
  return SessionScriptSchema.parse(parse(yaml));
}

/** A fixed clock so prompts (which carry the time) are identical run to run. */
export const fixedNow = () => Date.UTC(2026, 0, 1, 9, 0, 0);

export interface Run {
  results: StepResult[];
  events: EngineEvent[];
  state: SessionState;
}

/** start() then one step per input (the first input is usually null). */
export async function runTurns(
  script: SessionScript,
  inputs: (string | null)[],
  options: Omit<StepOptions, "emit">,
  initial?: SessionState,
): Promise<Run> {
  let state = initial ?? start(script, { now: fixedNow });
  const events: EngineEvent[] = [];
  const results: StepResult[] = [];
  for (const input of inputs) {
    const r = await step(script, state, input, { now: fixedNow, ...options, emit: (e) => events.push(e) });
    results.push(r);
    state = r.state;
  }
  return { results, events, state };
}
