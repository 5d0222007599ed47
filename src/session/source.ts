/**
 * What a new session runs, resolved by the Worker before the actor is
 * created: the YAML, its content hash, the compiled script and the template
 * overrides. The actor pins all of it; nothing later changes it.
 */
import pkg from "../../package.json";
import type { Env } from "../config";
import { load, type SessionScript } from "../engine/script";
import { ProblemError } from "../http/problem";

export interface PinnedSource {
  yaml: string;
  /** SHA-256 of the YAML: the script's content address. */
  contentHash: string;
  script: SessionScript;
  templates: Record<string, string>;
  /** Template name → SHA-256 of its text. */
  templateHashes: Record<string, string>;
  globals: Record<string, unknown>;
  projectId: string | null;
  versionId: string | null;
  versionNumber: string | null;
  path: string | null;
}

const LOADER_TAG = pkg.version;
const SCRIPT_TTL_SECONDS = 30 * 24 * 3600;
export const scriptCacheKey = (hash: string) => `script:${hash}`;

export async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** An author's inline script: compiled once per content (KV), refused with its diagnostics when it has errors. */
export async function inlineSource(env: Env, yaml: string): Promise<PinnedSource> {
  const contentHash = await sha256(yaml);
  const key = scriptCacheKey(contentHash);
  const cached = await env.CACHE.get<{ loader: string; script: SessionScript }>(key, "json");
  let script = cached?.loader === LOADER_TAG ? cached.script : undefined;
  if (!script) {
    const result = load(yaml);
    if (!result.script || !("session" in result.script)) {
      throw new ProblemError(422, "SCRIPT_INVALID", "The script has errors; fix them before starting a session.", {
        diagnostics: result.diagnostics.filter((d) => d.severity === "error"),
      });
    }
    script = result.script;
    await env.CACHE.put(key, JSON.stringify({ loader: LOADER_TAG, script }), { expirationTtl: SCRIPT_TTL_SECONDS });
  }
  return { yaml, contentHash, script, templates: {}, templateHashes: {}, globals: {}, projectId: null, versionId: null, versionNumber: null, path: null };
}
