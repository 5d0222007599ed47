/**
 * KV read cache for starting sessions.
 *
 * `pub:<projectId>` holds the published-version pointer. Two kinds of write
 * fill it, with different lifetimes:
 *
 * - Authoritative rewrites (`writePointer`), made after every D1 change that
 *   moves the pointer (publish, rollback, archive, deprecate, restore), live
 *   POINTER_TTL_SECONDS (10 min). That TTL only bounds the damage of a rewrite
 *   that failed after D1 committed.
 * - Read-through write-backs (`readPointer` on a miss) live
 *   READ_THROUGH_TTL_SECONDS (60 s, KV's minimum). A write-back carries what
 *   D1 said when it was read; if a publish commits and rewrites the pointer
 *   between that read and the write-back, the write-back lands last and puts
 *   the previous pointer back. KV has no compare-and-set (and its reads are
 *   not consistent enough to check first), so that cannot be prevented; the
 *   short TTL bounds it: the write-back follows the publish by one request's
 *   length at most, so it outlives the publish by about 60 s at most.
 *
 * KV is eventually consistent: another location may keep serving the
 * previous pointer for up to ~60 s (its edge cache, `cacheTtl`), so a session
 * started there in that window runs the previous version; in the race above
 * that location may have read the write-back, which makes the worst case
 * about 2 minutes (60 s of write-back plus 60 s of edge cache). Running
 * sessions are not affected: they pin the content hash they started on.
 *
 * `script:<contentHash>` holds compiled scripts. The key is the content, so a
 * hit can never be stale for that text; the loader tag inside (resolve.ts)
 * changes whenever the compiled form can, so a new loader never reads an old
 * compilation.
 */
import { eq } from "drizzle-orm";
import type { Env } from "../config";
import type { Database } from "../store/db";
import { projects, projectVersions } from "../store/schema";
import { log } from "../log";

/** Pointers written right after the D1 change that moved them. */
export const POINTER_TTL_SECONDS = 600;
/** Pointers written back by a read that missed: KV's minimum TTL, since a publish may have overtaken them (see above). */
export const READ_THROUGH_TTL_SECONDS = 60;
export const EDGE_CACHE_SECONDS = 60;
export const SCRIPT_TTL_SECONDS = 30 * 24 * 3600;

export type PublishedPointer = { versionId: string; versionNumber: string } | { versionId: null; reason: "unpublished" | "archived" | "deprecated" };

export const pointerKey = (projectId: string) => `pub:${projectId}`;
export const scriptKey = (hash: string) => `script:${hash}`;

export function pointerFor(
  status: (typeof projects.$inferSelect)["status"],
  current: { id: string; versionNumber: string } | null,
): PublishedPointer {
  if (status === "archived" || status === "deprecated") return { versionId: null, reason: status };
  return current ? { versionId: current.id, versionNumber: current.versionNumber } : { versionId: null, reason: "unpublished" };
}

async function putPointer(env: Env, projectId: string, pointer: PublishedPointer, expirationTtl: number): Promise<void> {
  try {
    await env.CACHE.put(pointerKey(projectId), JSON.stringify(pointer), { expirationTtl });
  } catch (err) {
    log({ level: "warn", msg: "published pointer not cached", projectId, error: err instanceof Error ? err.name : "unknown" });
  }
}

/** Called after the D1 batch committed: D1 is the truth, so a failed write is logged and left to the TTL. */
export function writePointer(env: Env, projectId: string, pointer: PublishedPointer): Promise<void> {
  return putPointer(env, projectId, pointer, POINTER_TTL_SECONDS);
}

/** The pointer as D1 has it now. Null for an unknown project. */
async function pointerFromDatabase(db: Database, projectId: string): Promise<PublishedPointer | null> {
  const row = await db
    .select({ status: projects.status, versionId: projectVersions.id, versionNumber: projectVersions.versionNumber })
    .from(projects)
    .leftJoin(projectVersions, eq(projectVersions.id, projects.currentVersionId))
    .where(eq(projects.id, projectId))
    .get();
  if (!row) return null;
  return pointerFor(row.status, row.versionId && row.versionNumber ? { id: row.versionId, versionNumber: row.versionNumber } : null);
}

/**
 * The pointer from KV, or from D1 (then cached for READ_THROUGH_TTL_SECONDS
 * only: a publish may commit between the D1 read and the write-back, which
 * then restores the previous pointer until it expires). Null for an unknown project.
 */
export async function readPointer(env: Env, db: Database, projectId: string): Promise<PublishedPointer | null> {
  let cached: PublishedPointer | null = null;
  try {
    cached = await env.CACHE.get<PublishedPointer>(pointerKey(projectId), { type: "json", cacheTtl: EDGE_CACHE_SECONDS });
  } catch (err) {
    // The cache is an optimisation: D1 answers when KV cannot.
    log({ level: "warn", msg: "published pointer unreadable", projectId, error: err instanceof Error ? err.name : "unknown" });
  }
  if (cached) return cached;
  const pointer = await pointerFromDatabase(db, projectId);
  if (pointer) await putPointer(env, projectId, pointer, READ_THROUGH_TTL_SECONDS);
  return pointer;
}
