/**
 * The erasure of everything a user said: every session of theirs, found in
 * the session directory (KV) and in D1 — either alone suffices, so it works
 * with D1's rows gone and with a directory entry not yet listed — erased by
 * its own actor (DO storage, D1 rows, cache and directory entries), each
 * with an audit row, and one more audit row for the request. The receipt
 * names the sessions and counts, never any content.
 */
import type { Env } from "../config";
import { DomainError } from "../errors";
import type { AuthUser } from "../http/user";
import { database } from "../store/db";
import { auditEvents } from "../store/schema";
import { removeSession, sessionsOfUser } from "../store/sessions/directory";
import { sessionIdsOfUser } from "../store/sessions/reconcile";
import { sessionActor } from "../session/placement";
import type { ErasedSession } from "../session/rpc";
import { unwrap } from "../session/result";
import { eachLimited } from "./pool";
import { log } from "../log";

/** Sessions erased at a time. */
const WIDTH = 6;

export interface UserErasureReceipt {
  userId: string;
  erasedAt: string;
  sessions: ErasedSession[];
  /** Sessions whose database copy could not be removed yet: gone for every reader, their actor retries until it is. */
  pending: string[];
  counts: { sessions: number; messages: number; pending: number };
}

type Outcome = { erased: ErasedSession } | { pending: string } | { absent: string };

async function eraseOne(env: Env, actor: AuthUser, userId: string, sessionId: string): Promise<Outcome> {
  try {
    return { erased: await unwrap(sessionActor(env, sessionId).erase({ sessionId, user: actor }, "user")) };
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    if (err.code === "NOT_FOUND") {
      // Listed but nowhere else (erased before, its directory entry left behind): the entry goes too.
      await removeSession(env.CACHE, { userId, sessionId });
      return { absent: sessionId };
    }
    if (err.code === "SERVICE_UNAVAILABLE") return { pending: sessionId };
    throw err;
  }
}

export async function eraseUser(env: Env, userId: string, actor: AuthUser): Promise<UserErasureReceipt> {
  const [listed, inD1] = await Promise.all([sessionsOfUser(env.CACHE, userId), sessionIdsOfUser(env.DB, userId)]);
  const ids = [...new Set([...listed.map((e) => e.sessionId), ...inD1])];
  const outcomes = await eachLimited(ids, WIDTH, (id) => eraseOne(env, actor, userId, id));
  const sessions = outcomes.flatMap((o) => ("erased" in o ? [o.erased] : []));
  const pending = outcomes.flatMap((o) => ("pending" in o ? [o.pending] : []));
  const at = new Date();
  const counts = { sessions: sessions.length, messages: sessions.reduce((n, s) => n + s.messages, 0), pending: pending.length };
  await database(env.DB).insert(auditEvents).values({
    id: crypto.randomUUID(),
    at,
    actorId: actor.id,
    actorRole: actor.role,
    action: "user.erase",
    projectId: null,
    target: userId,
    detail: counts,
  });
  log({ level: "info", msg: "user erased", sessions: counts.sessions, messages: counts.messages });
  return { userId, erasedAt: at.toISOString(), sessions, pending, counts };
}
