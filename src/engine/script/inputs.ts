/**
 * What a client may set when it starts a session: the variables the script
 * declares under `session.inputs`, read as their declared types. Anything
 * else a client sends would let it write into the conversation's state
 * (a variable a later prompt trusts, such as a risk note), so it is refused.
 */
import type { JsonValue } from "../runtime/state";
import { coerceOutput } from "../variables/coerce";
import type { InputField } from "./schema";

export type InputsCheck =
  | { ok: true; variables: Record<string, JsonValue> }
  /** `undeclared`: how many given names the script does not declare (never which: they are the caller's text). */
  | { ok: false; undeclared: number; allowed: string[]; invalid: { name: string; type: string }[] };

export interface InputsOptions {
  /** Authors and admins may set any variable, as when they try a script out. */
  anyName: boolean;
  /** Names every caller may set (the time zone the host validates itself). */
  alwaysSettable: readonly string[];
}

/** The initial variables as the session should start with them, or why they are refused. */
export function readInputs(inputs: readonly InputField[] | undefined, given: Record<string, JsonValue>, options: InputsOptions): InputsCheck {
  const declared = new Map((inputs ?? []).map((field) => [field.name, field]));
  const variables: Record<string, JsonValue> = {};
  const invalid: { name: string; type: string }[] = [];
  let undeclared = 0;
  for (const [name, value] of Object.entries(given)) {
    const field = declared.get(name);
    if (field) {
      const read = coerceOutput(field, value);
      if (read === undefined) invalid.push({ name, type: field.type ?? "text" });
      else variables[name] = read;
    } else if (options.anyName || options.alwaysSettable.includes(name)) {
      variables[name] = value;
    } else {
      undeclared++;
    }
  }
  if (undeclared > 0 || invalid.length > 0) return { ok: false, undeclared, allowed: [...declared.keys()], invalid };
  return { ok: true, variables };
}
