import { and, asc, count, eq, gt, sql } from "drizzle-orm";
import type { AuthUser } from "../http/user";
import { DomainError } from "../errors";
import type { Database } from "../store/db";
import { projectFiles, type FileKind } from "../store/schema";
import { editableProjectFor, notFound, projectFor } from "./access";
import { auditEntry } from "./audit";
import { atomically, errorText } from "./batch";
import { checkFile, contextOf, hasErrors, type CheckedFile } from "./checks";
import { decodeCursor, page, type PageRequest } from "../store/cursor";
import type { DiagnosticLang } from "./globals";
import type { ProjectFile, ValidatedFile } from "./models";
import { fileLimit, MAX_FILES_PER_PROJECT } from "./limits";
import { GLOBALS_PATH } from "./paths";
import { fileSummary, touchProject, type FileRow } from "./workspace";

export const MAX_FILE_BYTES = 128 * 1024;

function projectFile(row: FileRow): ProjectFile {
  return { ...fileSummary(row), content: row.content, createdAt: row.createdAt.toISOString() };
}

function validated(row: FileRow, checked: Pick<CheckedFile, "diagnostics">): ValidatedFile {
  return { ...projectFile(row), valid: !hasErrors(checked.diagnostics), diagnostics: checked.diagnostics };
}

/**
 * The context a file is checked in: the workspace's globals and every path
 * (template schemes and the scripts tests name; no other contents are
 * needed), with `change` applied.
 */
async function contextFor(db: Database, projectId: string, change: { path: string; content: string; replaces?: string }) {
  const rows = await db
    .select({
      path: projectFiles.path,
      content: sql<string>`CASE WHEN ${projectFiles.path} = ${GLOBALS_PATH} THEN ${projectFiles.content} ELSE '' END`,
    })
    .from(projectFiles)
    .where(eq(projectFiles.projectId, projectId));
  const others = rows.filter((r) => r.path !== change.path && r.path !== change.replaces);
  return contextOf([...others, { path: change.path, content: change.content }]);
}

function assertSize(content: string) {
  if (new TextEncoder().encode(content).byteLength > MAX_FILE_BYTES) {
    throw new DomainError("PAYLOAD_TOO_LARGE", `A file may hold at most ${MAX_FILE_BYTES} bytes.`);
  }
}

function isUniqueViolation(err: unknown): boolean {
  return /UNIQUE constraint failed/i.test(errorText(err));
}

function pathTaken(path: string): DomainError {
  return new DomainError("FILE_EXISTS", `The project already has a file at ${path}.`, { path });
}

async function fileFor(db: Database, projectId: string, fileId: string): Promise<FileRow> {
  const row = await db
    .select()
    .from(projectFiles)
    .where(and(eq(projectFiles.projectId, projectId), eq(projectFiles.id, fileId)))
    .get();
  if (!row) throw notFound("file");
  return row;
}

export async function listFiles(db: Database, projectId: string, actor: AuthUser, req: PageRequest & { kind?: FileKind | undefined }) {
  await projectFor(db, projectId, actor);
  const after = req.cursor ? decodeCursor(req.cursor, ["string"] as const)[0] : undefined;
  const rows = await db
    .select()
    .from(projectFiles)
    .where(
      and(
        eq(projectFiles.projectId, projectId),
        req.kind ? eq(projectFiles.kind, req.kind) : undefined,
        after !== undefined ? gt(projectFiles.path, after) : undefined,
      ),
    )
    .orderBy(asc(projectFiles.path))
    .limit(req.limit + 1);
  const result = page(rows, req.limit, (r) => [r.path]);
  return { items: result.items.map(fileSummary), nextCursor: result.nextCursor };
}

/** One file with its current diagnostics (checked against today's workspace). */
export async function getFile(db: Database, projectId: string, fileId: string, actor: AuthUser, lang: DiagnosticLang): Promise<ValidatedFile> {
  await projectFor(db, projectId, actor);
  const row = await fileFor(db, projectId, fileId);
  const checked = await checkFile(row.path, row.content, await contextFor(db, projectId, row), lang);
  return validated(row, checked);
}

/** Creates a file. Invalid scripts are saved; their diagnostics come back and block publishing. */
export async function createFile(
  db: Database,
  projectId: string,
  actor: AuthUser,
  input: { path: string; content: string },
  lang: DiagnosticLang,
): Promise<ValidatedFile> {
  await editableProjectFor(db, projectId, actor);
  assertSize(input.content);
  const [existing] = await db
    .select({ n: count(), taken: sql<number>`max(${projectFiles.path} = ${input.path})` })
    .from(projectFiles)
    .where(eq(projectFiles.projectId, projectId));
  if (existing?.taken) throw pathTaken(input.path);
  if ((existing?.n ?? 0) >= MAX_FILES_PER_PROJECT) throw fileLimit();
  const checked = await checkFile(input.path, input.content, await contextFor(db, projectId, input), lang);
  const now = new Date();
  const id = crypto.randomUUID();
  try {
    await atomically(db, [
      db.insert(projectFiles).values({
        id,
        projectId,
        path: checked.path,
        kind: checked.kind,
        content: checked.content,
        contentHash: checked.contentHash,
        sessionId: checked.session?.sessionId ?? null,
        updatedBy: actor.id,
        createdAt: now,
        updatedAt: now,
      }),
      touchProject(db, projectId, now),
      auditEntry(db, actor, "file.create", projectId, checked.path, { kind: checked.kind, contentHash: checked.contentHash }, now),
    ]);
  } catch (err) {
    if (isUniqueViolation(err)) throw pathTaken(input.path);
    throw err;
  }
  return validated(await fileFor(db, projectId, id), checked);
}

/** Changes content and/or path (a rename); the kind follows the new path and content. */
export async function updateFile(
  db: Database,
  projectId: string,
  fileId: string,
  actor: AuthUser,
  input: { path?: string | undefined; content?: string | undefined },
  lang: DiagnosticLang,
): Promise<ValidatedFile> {
  await editableProjectFor(db, projectId, actor);
  const row = await fileFor(db, projectId, fileId);
  const path = input.path ?? row.path;
  const content = input.content ?? row.content;
  assertSize(content);
  const checked = await checkFile(path, content, await contextFor(db, projectId, { path, content, replaces: row.path }), lang);
  const now = new Date();
  try {
    await atomically(db, [
      db
        .update(projectFiles)
        .set({
          path,
          kind: checked.kind,
          content,
          contentHash: checked.contentHash,
          sessionId: checked.session?.sessionId ?? null,
          updatedBy: actor.id,
          updatedAt: now,
        })
        .where(eq(projectFiles.id, fileId)),
      touchProject(db, projectId, now),
      auditEntry(
        db,
        actor,
        "file.update",
        projectId,
        path,
        { contentHash: checked.contentHash, ...(path !== row.path ? { renamedFrom: row.path } : {}) },
        now,
      ),
    ]);
  } catch (err) {
    if (isUniqueViolation(err)) throw pathTaken(path);
    throw err;
  }
  return validated(await fileFor(db, projectId, fileId), checked);
}

export async function deleteFile(db: Database, projectId: string, fileId: string, actor: AuthUser): Promise<void> {
  await editableProjectFor(db, projectId, actor);
  const row = await fileFor(db, projectId, fileId);
  const now = new Date();
  await atomically(db, [
    db.delete(projectFiles).where(eq(projectFiles.id, fileId)),
    touchProject(db, projectId, now),
    auditEntry(db, actor, "file.delete", projectId, row.path, { contentHash: row.contentHash }, now),
  ]);
}
