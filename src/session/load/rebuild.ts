/**
 * An actor whose storage is empty (lost, or a session moved to a new
 * namespace) rebuilds itself from its D1 snapshot: the session row (with the
 * engine state), the messages, and the script and template texts in `blobs`.
 * Each user message that came with a clientMessageId becomes a finished turn
 * again, answered by the AI messages logged after it, so a client retrying
 * across the rebuild gets its answer instead of a second model call. What D1
 * does not hold is not restored: those turns' state fields are the session's
 * current ones, their safety flags only those the AI messages carry, and
 * debug traces are gone.
 */
import type { Env } from "../../config";
import { flatVariables, migrateState, type SessionState } from "../../engine";
import { compileScript } from "../../authoring/resolve";
import { readMirror } from "../../store/sessions/mirror";
import { INLINE_PATH } from "../source";
import { pinnedTechniques } from "./techniques";
import { messageFromRow, metaFromRow } from "../mirror/rows";
import type { SafetyView } from "../schemas";
import type { Meta } from "../storage/meta";
import type { SessionStorage, StoredMessage, Turn } from "../storage/tables";
import { log } from "../../log";

/** False when D1 has no such session (or no longer has its script's text). */
export async function rebuildFromMirror(env: Pick<Env, "DB" | "CACHE">, store: SessionStorage, sessionId: string): Promise<boolean> {
  const found = await readMirror(env.DB, sessionId);
  if (!found) return false;
  const { session: row, blobs } = found;
  const yaml = blobs.get(row.scriptHash);
  const templates = Object.fromEntries(Object.entries(row.templates).map(([name, hash]) => [name, blobs.get(hash)]));
  if (yaml === undefined || Object.values(templates).some((t) => t === undefined)) {
    log({ level: "error", msg: "session not rebuilt: script text missing", sessionId });
    return false;
  }
  const techniques = pinnedTechniques(row.templates, (hash) => blobs.get(hash));
  const script = await compileScript(env, { path: row.scriptPath ?? INLINE_PATH, contentHash: row.scriptHash }, yaml, techniques);
  const state = migrateState(row.state);
  const meta = metaFromRow(row);
  store.ensureSchema();
  store.transaction(() => {
    store.insertScript({ hash: row.scriptHash, yaml, script, templates: templates as Record<string, string> });
    store.insertMeta(meta, state);
    const log = found.messages.map(messageFromRow);
    const answered = answeredTurns(log, meta, state, row.lastTurn);
    for (const m of log) store.appendMessage(m);
    for (const turn of answered) store.restoreTurn(turn);
    store.continueTurnsAfter(row.lastTurn);
  });
  log({ level: "info", msg: "session rebuilt from d1", sessionId, messages: found.messages.length });
  return true;
}

/**
 * The turns behind the log's user messages that carried a clientMessageId. D1
 * keeps no turn numbers, so they are numbered 1, 2, … — below `lastTurn`, since
 * the opening turn came before every user message — and the log's rows are
 * tagged with them.
 */
function answeredTurns(log: StoredMessage[], meta: Meta, state: SessionState, lastTurn: number): Turn[] {
  const users = log.filter((m) => m.role === "user");
  if (users.length >= lastTurn) return [];
  const turns: Turn[] = [];
  users.forEach((user, i) => {
    const id = i + 1;
    const next = users[i + 1]?.seq ?? Number.MAX_SAFE_INTEGER;
    const replies = log.filter((m) => m.seq > user.seq && m.seq < next && m.role === "assistant");
    for (const m of [user, ...replies]) m.turnId = id;
    if (user.clientMessageId === null) return;
    const safety = replies.flatMap((m): SafetyView[] => {
      const flag = m.metadata?.safety as Omit<SafetyView, "actionId" | "messageId"> | undefined;
      return flag ? [{ ...flag, actionId: m.actionId, messageId: m.id }] : [];
    });
    turns.push({
      id,
      clientMessageId: user.clientMessageId,
      input: null,
      userSeq: user.seq,
      status: "done",
      result: {
        aiFrom: user.seq + 1,
        aiTo: replies.at(-1)?.seq ?? user.seq,
        status: meta.executionStatus,
        sessionStatus: meta.status,
        position: state.position,
        variables: flatVariables(state),
        safety,
      },
      error: null,
      createdAt: user.createdAt,
    });
  });
  return turns;
}
