/**
 * The second index of sessions, in KV and independent of D1: one key per
 * session, `sessions:<userId>/<sessionId>` (the user id URI-encoded, so the
 * `/` is unambiguous), written when the session starts and deleted when it is
 * erased. Durable Objects cannot be listed, so after a D1 loss beyond Time
 * Travel's window this is what still finds a session: the erasure of a user
 * lists their prefix, reconcile walks all of it. It holds ids only (never any
 * content); a session's jurisdiction is in its id (src/session/placement.ts).
 *
 * KV lists are eventually consistent (a key written in the last minute may be
 * missing from a list served elsewhere), so the erasure of a user also asks D1.
 */
const PREFIX = "sessions:";

/** At most this many keys per KV list call. */
export const DIRECTORY_PAGE = 1000;

export interface DirectoryEntry {
  sessionId: string;
  userId: string;
}

const keyOf = ({ userId, sessionId }: DirectoryEntry) => `${PREFIX}${encodeURIComponent(userId)}/${sessionId}`;

function entryOf(key: string): DirectoryEntry {
  const slash = key.lastIndexOf("/");
  return { userId: decodeURIComponent(key.slice(PREFIX.length, slash)), sessionId: key.slice(slash + 1) };
}

/** Records a session; its metadata (project, start) lets an operator see what a key is without asking the session. */
export function enterSession(kv: KVNamespace, entry: DirectoryEntry & { projectId: string | null; createdAt: number }): Promise<void> {
  return kv.put(keyOf(entry), "", { metadata: { projectId: entry.projectId, createdAt: entry.createdAt } });
}

export function removeSession(kv: KVNamespace, entry: DirectoryEntry): Promise<void> {
  return kv.delete(keyOf(entry));
}

/** A page of the directory: one user's sessions, or everyone's. */
export async function listSessions(
  kv: KVNamespace,
  req: { userId?: string | undefined; cursor?: string | undefined; limit?: number },
): Promise<{ entries: DirectoryEntry[]; cursor: string | null }> {
  const prefix = req.userId === undefined ? PREFIX : `${PREFIX}${encodeURIComponent(req.userId)}/`;
  const page = await kv.list({ prefix, cursor: req.cursor, limit: req.limit ?? DIRECTORY_PAGE });
  return { entries: page.keys.map((k) => entryOf(k.name)), cursor: page.list_complete ? null : page.cursor };
}

/** Every session of one user the directory lists (all pages). */
export async function sessionsOfUser(kv: KVNamespace, userId: string): Promise<DirectoryEntry[]> {
  const all: DirectoryEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await listSessions(kv, { userId, cursor });
    all.push(...page.entries);
    cursor = page.cursor ?? undefined;
  } while (cursor);
  return all;
}
