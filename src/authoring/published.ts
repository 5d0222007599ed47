import { and, asc, eq, gt, notLike, or, sql } from "drizzle-orm";
import type { Language } from "../engine/script/schema";
import type { Database } from "../store/db";
import { projects, projectVersions, versionFiles } from "../store/schema";
import { decodeCursor, page, type PageRequest } from "../store/cursor";
import type { PublishedScript } from "./models";
import { CRISIS_DIR } from "./paths";

/**
 * The session scripts anyone signed in may start: the current version of
 * every published project (archived and deprecated ones start nothing).
 * Read from D1, so it is current; starting a session reads the KV pointer,
 * which may lag by up to a minute (see cache.ts). A project's crisis
 * protocols (crisis/<language>.yaml) are session scripts no one starts.
 */
export async function listPublishedScripts(db: Database, req: PageRequest & { language?: Language | undefined }) {
  const after = req.cursor ? decodeCursor(req.cursor, ["string", "string", "string"] as const) : null;
  const rows = await db
    .select({
      projectId: projects.id,
      projectName: projects.projectName,
      versionId: projectVersions.id,
      versionNumber: projectVersions.versionNumber,
      publishedAt: projectVersions.publishedAt,
      path: versionFiles.path,
      sessionId: versionFiles.sessionId,
      sessionName: versionFiles.sessionName,
      language: versionFiles.language,
    })
    .from(projects)
    .innerJoin(projectVersions, eq(projectVersions.id, projects.currentVersionId))
    .innerJoin(versionFiles, and(eq(versionFiles.versionId, projectVersions.id), eq(versionFiles.kind, "session")))
    .where(
      and(
        eq(projects.status, "published"),
        notLike(versionFiles.path, `${CRISIS_DIR}/%`),
        req.language ? eq(versionFiles.language, req.language) : undefined,
        after
          ? or(
              gt(projects.projectName, after[0]),
              and(eq(projects.projectName, after[0]), sql`(${projects.id}, ${versionFiles.path}) > (${after[1]}, ${after[2]})`),
            )
          : undefined,
      ),
    )
    .orderBy(asc(projects.projectName), asc(projects.id), asc(versionFiles.path))
    .limit(req.limit + 1);
  const result = page(rows, req.limit, (r) => [r.projectName, r.projectId, r.path]);
  const items: PublishedScript[] = result.items.map((r) => ({
    ...r,
    publishedAt: r.publishedAt.toISOString(),
    language: (r.language ?? "zh-CN") as Language,
  }));
  return { items, nextCursor: result.nextCursor };
}
