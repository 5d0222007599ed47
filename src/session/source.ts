/**
 * What a new session runs, resolved by the Worker before the actor is
 * created: the YAML, its content hash, the compiled script, the template
 * overrides, the project's crisis protocol for the script's language and the
 * project's globals. The actor pins all of it; edits and
 * publishes never reach a running session.
 */
import type { Env } from "../config";
import { contentHash } from "../store/hash";
import { compileScript, resolveSessionSource, type SessionSourceRequest } from "../authoring/resolve";
import { NO_POLICY } from "../authoring/plan";
import { CRISIS_TEXT, TECHNIQUE_TEXT, type PinnedSource } from "./requests";

/** Where inline scripts' diagnostics point. */
export const INLINE_PATH = "scriptYaml";

/** An author's inline script: compiled once per content (KV), refused with its diagnostics (422) when it has errors. */
export async function inlineSource(env: Env, yaml: string): Promise<PinnedSource> {
  const hash = await contentHash(yaml);
  const script = await compileScript(env, { path: INLINE_PATH, contentHash: hash }, yaml);
  return {
    yaml,
    contentHash: hash,
    script,
    templates: {},
    templateHashes: {},
    globals: {},
    projectId: null,
    versionId: null,
    versionNumber: null,
    path: null,
    policy: NO_POLICY,
  };
}

/** A project's script: the published version, or the version (or draft) the request names. */
export async function projectSource(env: Env, req: SessionSourceRequest): Promise<PinnedSource> {
  const s = await resolveSessionSource(env, req);
  const templates: Record<string, string> = {};
  const templateHashes: Record<string, string> = {};
  // The crisis protocol and the technique files are pinned as more texts (load/crisis.ts, load/rebuild.ts).
  const techniques = Object.fromEntries(s.techniques.map((t) => [TECHNIQUE_TEXT(t.path), t.text]));
  for (const [name, text] of Object.entries({ ...s.templates, [CRISIS_TEXT]: s.crisis ?? undefined, ...techniques })) {
    if (text === undefined) continue;
    templates[name] = text;
    templateHashes[name] = await contentHash(text);
  }
  return {
    yaml: s.yaml,
    contentHash: s.contentHash,
    script: s.script,
    templates,
    templateHashes,
    globals: s.globals,
    projectId: s.projectId,
    versionId: s.versionId,
    versionNumber: s.versionNumber,
    path: s.path,
    policy: s.policy,
  };
}
