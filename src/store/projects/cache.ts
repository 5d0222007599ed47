/**
 * KV read cache for starting sessions.
 *
 * `pub:<projectId>` holds the published-version pointer. It is rewritten after
 * every D1 change that moves it (publish, rollback, archive, deprecate,
 * restore). KV is eventually consistent: another location may keep serving
 * the previous pointer for up to ~60 s (its edge cache), so a session started
 * there in that window runs the previous version. Running sessions are not
 * affected: they pin the content hash they started on. The TTL bounds the
 * damage of an invalidation that failed after D1 committed.
 *
 * `script:<contentHash>` holds compiled scripts. The key is the content, so a
 * hit can never be stale for that text; the loader tag inside guards against
 * a new loader reading an old compilation.
 */
import { eq } from "drizzle-orm";
import type { Env } from "../../config";
import type { Database } from "../db";
import { projects, projectVersions } from "../schema";

export const POINTER_TTL_SECONDS = 600;
export const EDGE_CACHE_SECONDS = 60;
export const SCRIPT_TTL_SECONDS = 30 * 24 * 3600;

export type PublishedPointer =
  | { versionId: string; versionNumber: string }
  | { versionId: null; reason: "unpublished" | "archived" | "deprecated" };

export const pointerKey = (projectId: string) => `pub:${projectId}`;
export const scriptKey = (hash: string) => `script:${hash}`;

export function pointerFor(
  status: (typeof projects.$inferSelect)["status"],
  current: { id: string; versionNumber: string } | null,
): PublishedPointer {
  if (status === "archived" || status === "deprecated") return { versionId: null, reason: status };
  return current ? { versionId: current.id, versionNumber: current.versionNumber } : { versionId: null, reason: "unpublished" };
}

/** Called after the D1 batch committed: D1 is the truth, so a failed write is logged and left to the TTL. */
export async function writePointer(env: Env, projectId: string, pointer: PublishedPointer): Promise<void> {
  try {
    await env.CACHE.put(pointerKey(projectId), JSON.stringify(pointer), { expirationTtl: POINTER_TTL_SECONDS });
  } catch (err) {
    console.log(JSON.stringify({ level: "warn", msg: "published pointer not cached", projectId, error: err instanceof Error ? err.name : "unknown" }));
  }
}

/** The pointer from KV, or from D1 (then cached). Null for an unknown project. */
export async function readPointer(env: Env, db: Database, projectId: string): Promise<PublishedPointer | null> {
  let cached: PublishedPointer | null = null;
  try {
    cached = await env.CACHE.get<PublishedPointer>(pointerKey(projectId), { type: "json", cacheTtl: EDGE_CACHE_SECONDS });
  } catch (err) {
    // The cache is an optimisation: D1 answers when KV cannot.
    console.log(JSON.stringify({ level: "warn", msg: "published pointer unreadable", projectId, error: err instanceof Error ? err.name : "unknown" }));
  }
  if (cached) return cached;
  const row = await db
    .select({ status: projects.status, versionId: projectVersions.id, versionNumber: projectVersions.versionNumber })
    .from(projects)
    .leftJoin(projectVersions, eq(projectVersions.id, projects.currentVersionId))
    .where(eq(projects.id, projectId))
    .get();
  if (!row) return null;
  const pointer = pointerFor(row.status, row.versionId && row.versionNumber ? { id: row.versionId, versionNumber: row.versionNumber } : null);
  await writePointer(env, projectId, pointer);
  return pointer;
}
