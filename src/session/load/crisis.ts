/**
 * A project's crisis protocol, pinned with the session like its templates:
 * its text is one more entry of the pinned texts, under CRISIS_TEXT (no
 * template has that name), so the actor's storage, the D1 mirror (`blobs`,
 * the session's `templates` hashes) and a rebuild keep it with no column of
 * its own. The runner passes it to the engine as `crisisScript`.
 */
import { loadCrisisScript, type SessionScript, type TemplateName } from "../../engine";
import { CRISIS_TEXT } from "../requests";
import { isTechniqueText } from "./techniques";
import type { PinnedScript } from "../storage/tables";
import { log } from "../../log";

/** What the engine reads from the pinned texts: the prompt templates (without the crisis text and the technique files). */
export function pinnedTemplates(pinned: PinnedScript): Partial<Record<TemplateName, string>> {
  const { [CRISIS_TEXT]: _crisis, ...rest } = pinned.templates;
  return Object.fromEntries(Object.entries(rest).filter(([name]) => !isTechniqueText(name))) as Partial<Record<TemplateName, string>>;
}

const loaded = new WeakMap<PinnedScript, SessionScript | undefined>();

/**
 * The pinned crisis protocol, loaded once per activation; undefined when the
 * session has none (the engine's built-in protocol runs) or when it no longer
 * loads (a newer engine's contract: the engine runs its own built-in one then too).
 */
export function pinnedCrisisScript(pinned: PinnedScript): SessionScript | undefined {
  if (loaded.has(pinned)) return loaded.get(pinned);
  const text = pinned.templates[CRISIS_TEXT];
  const script = text === undefined ? undefined : loadCrisisScript(text).script;
  if (text !== undefined && !script) log({ level: "warn", msg: "pinned crisis protocol does not load; the built-in one runs" });
  loaded.set(pinned, script);
  return script;
}
