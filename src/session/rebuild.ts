/**
 * An actor whose storage is empty (lost, or a session moved to a new
 * namespace) rebuilds itself from its D1 snapshot: the session row (with the
 * engine state), the messages, and the script and template texts in `blobs`.
 * What D1 does not hold is not restored: the turns' stored answers (a
 * clientMessageId sent before the rebuild is not recognised) and debug traces.
 */
import type { Env } from "../config";
import { migrateState } from "../engine";
import { compileScript } from "../store/projects/resolve";
import { readMirror } from "../store/sessions/mirror";
import { INLINE_PATH } from "./source";
import { messageFromRow, metaFromRow } from "./mirror";
import type { SessionStorage } from "./storage";

/** False when D1 has no such session (or no longer has its script's text). */
export async function rebuildFromMirror(env: Env, store: SessionStorage, sessionId: string): Promise<boolean> {
  const found = await readMirror(env.DB, sessionId);
  if (!found) return false;
  const { session: row, blobs } = found;
  const yaml = blobs.get(row.scriptHash);
  const templates = Object.fromEntries(Object.entries(row.templates).map(([name, hash]) => [name, blobs.get(hash)]));
  if (yaml === undefined || Object.values(templates).some((t) => t === undefined)) {
    console.log(JSON.stringify({ level: "error", msg: "session not rebuilt: script text missing", sessionId }));
    return false;
  }
  const script = await compileScript(env, { path: row.scriptPath ?? INLINE_PATH, contentHash: row.scriptHash }, yaml);
  const state = migrateState(row.state);
  const meta = metaFromRow(row);
  store.ensureSchema();
  store.transaction(() => {
    store.insertScript({ hash: row.scriptHash, yaml, script, templates: templates as Record<string, string> });
    store.insertMeta(meta, state);
    for (const m of found.messages) store.appendMessage(messageFromRow(m));
    store.continueTurnsAfter(row.lastTurn);
  });
  console.log(JSON.stringify({ level: "info", msg: "session rebuilt from d1", sessionId, messages: found.messages.length }));
  return true;
}
