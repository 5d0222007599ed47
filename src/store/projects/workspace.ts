/** Row helpers shared by everything that writes the workspace (project_files). */
import { eq } from "drizzle-orm";
import type { AuthUser } from "../../http/auth";
import type { Database } from "../db";
import { projectFiles, projects } from "../schema";
import { chunkRows } from "./batch";
import type { CheckedFile } from "./checks";
import type { FileSummary } from "./models";
import { fileName } from "./paths";

export type FileRow = typeof projectFiles.$inferSelect;

export function fileSummary(row: FileRow): FileSummary {
  return {
    id: row.id,
    projectId: row.projectId,
    path: row.path,
    fileName: fileName(row.path),
    kind: row.kind,
    size: new TextEncoder().encode(row.content).byteLength,
    contentHash: row.contentHash,
    sessionId: row.sessionId,
    updatedBy: row.updatedBy,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Insert statements for new workspace files, chunked for D1's parameter limit. */
export function insertFiles(db: Database, projectId: string, files: readonly CheckedFile[], actor: AuthUser, at: Date) {
  const rows = files.map((f) => ({
    id: crypto.randomUUID(),
    projectId,
    path: f.path,
    kind: f.kind,
    content: f.content,
    contentHash: f.contentHash,
    sessionId: f.session?.sessionId ?? null,
    updatedBy: actor.id,
    createdAt: at,
    updatedAt: at,
  }));
  return chunkRows(rows).map((chunk) => db.insert(projectFiles).values(chunk));
}

/** Bumps the project's `updatedAt` (the list order) in the same batch as a workspace change. */
export function touchProject(db: Database, id: string, at: Date) {
  return db.update(projects).set({ updatedAt: at }).where(eq(projects.id, id));
}
