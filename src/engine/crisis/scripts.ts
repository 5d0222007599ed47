/**
 * Crisis protocol scripts: the built-in ones (en, zh-CN) and a project's
 * own (its `crisis` file). A protocol is an ordinary session script in the
 * script language; what makes it one is the contract below, which
 * checkCrisisScript() enforces:
 *
 * - the engine provides the variables of PROTOCOL_VARIABLES;
 * - an ai_ask has the output `current_risk` (type enum, values including
 *   `none`): the engine reads it when the protocol reaches its end.
 */
import { load, type Diagnostic } from "../script";
import type { Language, SessionScript } from "../script/schema";
import en from "./protocol-en";
import zhCN from "./protocol-zh-CN";

/** The variable the protocol's confirm step fills, and the engine reads at its end. */
export const RISK_OUTPUT = "current_risk";

/** What the engine provides to a protocol script (read-only). */
export const PROTOCOL_VARIABLES = ["crisis_level", "crisis_repeat", "crisis_resources", "emergency_resources"] as const;

/** Placeholders whose text comes from configuration: a line using one is shown as written, never by the model. */
export const RESOURCE_VARIABLES: readonly string[] = ["crisis_resources", "emergency_resources"];

const builtInYaml: Record<Language, string> = { en, "zh-CN": zhCN };

/** What is missing for `script` to be a crisis protocol; empty when it is one. */
export function checkCrisisScript(script: SessionScript): string[] {
  const actions = script.session.phases.flatMap((p) => p.topics.flatMap((t) => t.actions));
  // The protocol must run as written wherever it is needed, also without the model: no technique of a project's.
  if (actions.some((a) => a.action_type === "use_skill")) return ["A crisis protocol runs no techniques (use_skill): write its steps out."];
  const asks = actions.filter((a) => a.action_type === "ai_ask");
  const risk = asks.flatMap((a) => a.config.output ?? []).filter((o) => o.get === RISK_OUTPUT);
  if (risk.length === 0) return [`No ai_ask has the output "${RISK_OUTPUT}": the protocol could never find that the client is safe.`];
  if (risk.some((o) => o.type !== "enum" || !o.values?.includes("none"))) {
    return [`The output "${RISK_OUTPUT}" must be of type enum with the values none, low, high, imminent.`];
  }
  return [];
}

export interface CrisisScriptLoad {
  /** Present when the text loads and is a crisis protocol. */
  script?: SessionScript;
  /** The loader's diagnostics. */
  diagnostics: Diagnostic[];
  /** What keeps a loaded session script from being a crisis protocol. */
  problems: string[];
}

/** Loads a crisis protocol's YAML (a project's `crisis` file): the loader, then the protocol contract. */
export function loadCrisisScript(yaml: string): CrisisScriptLoad {
  const { script, kind, diagnostics } = load(yaml, { knownVariables: [...PROTOCOL_VARIABLES] });
  if (!script) return { diagnostics, problems: [] };
  if (kind !== "session") return { diagnostics, problems: ["A crisis protocol is a session script (session:), not a technique."] };
  const session = script as SessionScript;
  const problems = checkCrisisScript(session);
  return problems.length ? { diagnostics, problems } : { script: session, diagnostics, problems };
}

const builtIns: Partial<Record<Language, SessionScript>> = {};

/** The built-in protocol of a language, loaded once. */
export function builtInCrisisScript(language: Language): SessionScript {
  const cached = builtIns[language];
  if (cached) return cached;
  const loaded = loadCrisisScript(builtInYaml[language]);
  if (!loaded.script) throw new Error(`The built-in ${language} crisis protocol does not load: ${loaded.problems.join(" ")}`);
  builtIns[language] = loaded.script;
  return loaded.script;
}

const checked = new WeakMap<SessionScript, string[]>();

/** What an override lacks, checked once per script object. */
export function crisisScriptProblems(script: SessionScript): string[] {
  let problems = checked.get(script);
  if (!problems) {
    problems = checkCrisisScript(script);
    checked.set(script, problems);
  }
  return problems;
}
