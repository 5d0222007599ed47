/** Row helpers shared by everything that writes the workspace (project_files). */
import { eq } from "drizzle-orm";
import type { AuthUser } from "../http/user";
import type { Database } from "../store/db";
import { projectFiles, projects, type FileKind } from "../store/schema";
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

export interface WorkspaceContent {
  path: string;
  kind: FileKind;
  content: string;
  contentHash: string;
  sessionId: string | null;
}

/** New `project_files` rows (fresh ids) for these contents, written by `actor` at `at`. */
export function workspaceRows(projectId: string, files: readonly WorkspaceContent[], actor: AuthUser, at: Date) {
  return files.map((f) => ({
    id: crypto.randomUUID(),
    projectId,
    path: f.path,
    kind: f.kind,
    content: f.content,
    contentHash: f.contentHash,
    sessionId: f.sessionId,
    updatedBy: actor.id,
    createdAt: at,
    updatedAt: at,
  }));
}

/** Insert statements for checked files, chunked for D1's parameter limit. */
export function insertFiles(db: Database, projectId: string, files: readonly CheckedFile[], actor: AuthUser, at: Date) {
  const rows = workspaceRows(
    projectId,
    files.map((f) => ({ ...f, sessionId: f.session?.sessionId ?? null })),
    actor,
    at,
  );
  return chunkRows(rows).map((chunk) => db.insert(projectFiles).values(chunk));
}

/** Bumps the project's `updatedAt` (the list order) in the same batch as a workspace change. */
export function touchProject(db: Database, id: string, at: Date) {
  return db.update(projects).set({ updatedAt: at }).where(eq(projects.id, id));
}
