import { structuredPatch, formatPatch, FILE_HEADERS_ONLY } from "diff";
import { and, asc, count, desc, eq, inArray, lt, or, sql } from "drizzle-orm";
import type { Env } from "../config";
import type { AuthUser } from "../http/user";
import { DomainError } from "../errors";
import { database, type Database } from "../store/db";
import { blobs, projectFiles, projects, projectVersions, versionFiles } from "../store/schema";
import { assertEditable, notFound, projectFor, type ProjectRow } from "./access";
import { auditEntry } from "./audit";
import { atomically, chunkRows } from "./batch";
import { writePointer } from "./cache";
import { checkWorkspace, hasErrors, type CheckedFile } from "./checks";
import { decodeCursor, page, type PageRequest } from "../store/cursor";
import type { DiagnosticLang } from "./globals";
import type { DraftStatus, FileDiff, FileProblems, Version, VersionDiff, VersionSummary } from "./models";
import { fileName } from "./paths";
import { runProjectTests } from "./testing/project";
import { workspaceRows } from "./workspace";
import { compareSemver, formatSemver, parseSemver, type Semver } from "./semver";

type VersionRow = typeof projectVersions.$inferSelect;

const semverOrder = [desc(projectVersions.major), desc(projectVersions.minor), desc(projectVersions.patch)];

function summary(row: VersionRow, currentVersionId: string | null, fileCount: number): VersionSummary {
  return {
    id: row.id,
    projectId: row.projectId,
    versionNumber: row.versionNumber,
    releaseNote: row.releaseNote,
    publishedBy: row.publishedBy,
    publishedAt: row.publishedAt.toISOString(),
    isRollback: row.isRollback,
    rollbackFromVersionId: row.rollbackFromVersionId,
    isCurrent: row.id === currentVersionId,
    fileCount,
  };
}

async function latestVersion(db: Database, projectId: string): Promise<VersionRow | undefined> {
  return db
    .select()
    .from(projectVersions)
    .where(eq(projectVersions.projectId, projectId))
    .orderBy(...semverOrder)
    .limit(1)
    .get();
}

async function versionFor(db: Database, projectId: string, versionId: string): Promise<VersionRow> {
  const row = await db
    .select()
    .from(projectVersions)
    .where(and(eq(projectVersions.projectId, projectId), eq(projectVersions.id, versionId)))
    .get();
  if (!row) throw notFound("version");
  return row;
}

/** A version's files with their contents, by path. */
export async function versionContents(db: Database, versionId: string) {
  return db
    .select({
      path: versionFiles.path,
      kind: versionFiles.kind,
      contentHash: versionFiles.contentHash,
      size: versionFiles.size,
      content: blobs.content,
    })
    .from(versionFiles)
    .innerJoin(blobs, eq(blobs.hash, versionFiles.contentHash))
    .where(eq(versionFiles.versionId, versionId))
    .orderBy(asc(versionFiles.path));
}

function versionConflict(number: string, latest: VersionRow | undefined, exists: boolean): DomainError {
  if (exists) return new DomainError("VERSION_EXISTS", `Version ${number} is already published; choose a new number.`, { versionNumber: number });
  return new DomainError(
    "VERSION_NOT_INCREASING",
    `A new version must be greater than every existing version; the latest is ${latest?.versionNumber}.`,
    { versionNumber: number, latestVersion: latest?.versionNumber ?? null },
  );
}

/** Throws the problem that explains why `number` cannot be the next version, if one does. */
async function assertNextVersion(db: Database, projectId: string, number: string, v: Semver) {
  const [latest, same] = await Promise.all([
    latestVersion(db, projectId),
    db
      .select({ id: projectVersions.id })
      .from(projectVersions)
      .where(and(eq(projectVersions.projectId, projectId), eq(projectVersions.versionNumber, number)))
      .get(),
  ]);
  if (same || (latest && compareSemver(v, latest) <= 0)) throw versionConflict(number, latest, Boolean(same));
}

interface NewVersion {
  project: ProjectRow;
  id: string;
  version: Semver;
  releaseNote: string;
  actor: AuthUser;
  at: Date;
  rollbackFrom: VersionRow | null;
}

/**
 * The version row, inserted only if its number is still greater than every
 * existing one (checked inside the batch, so two racing publishes cannot both
 * pass). When the guard inserts nothing, the statements that reference the new
 * id fail their foreign keys and the whole batch rolls back.
 */
function guardedVersionInsert(v: NewVersion) {
  const { major, minor, patch } = v.version;
  return sql`
    INSERT INTO ${projectVersions} (id, project_id, version_number, major, minor, patch, release_note, published_by, published_at, is_rollback, rollback_from_version_id)
    SELECT ${v.id}, ${v.project.id}, ${formatSemver(v.version)}, ${major}, ${minor}, ${patch}, ${v.releaseNote}, ${v.actor.id}, ${v.at.getTime()}, ${v.rollbackFrom ? 1 : 0}, ${v.rollbackFrom?.id ?? null}
    WHERE NOT EXISTS (
      SELECT 1 FROM ${projectVersions} WHERE project_id = ${v.project.id}
        AND (major > ${major} OR (major = ${major} AND (minor > ${minor} OR (minor = ${minor} AND patch >= ${patch}))))
    )`;
}

function pointProjectAt(db: Database, v: NewVersion) {
  return db.update(projects).set({ currentVersionId: v.id, status: "published", updatedAt: v.at }).where(eq(projects.id, v.project.id));
}

/** Runs a version batch; a failure caused by a competing publish becomes its 409. */
async function commitVersion(env: Env, db: Database, v: NewVersion, statements: Parameters<typeof atomically>[1]) {
  const number = formatSemver(v.version);
  try {
    await atomically(db, statements);
  } catch (err) {
    await assertNextVersion(db, v.project.id, number, v.version);
    throw err;
  }
  await writePointer(env, v.project.id, { versionId: v.id, versionNumber: number });
  const row = await versionFor(db, v.project.id, v.id);
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(versionFiles).where(eq(versionFiles.versionId, v.id));
  return summary(row, v.id, n);
}

function draftInvalid(problems: FileProblems, detail: string): DomainError {
  return new DomainError("DRAFT_INVALID", detail, { files: problems });
}

/**
 * Snapshots the workspace as a new version: validated, its conversation tests
 * passing (or an admin's `force`, audited), numbered above every existing
 * version, all in one D1 batch (blobs, version, its files, the project's
 * pointer, the audit row).
 */
export async function publish(
  env: Env,
  projectId: string,
  actor: AuthUser,
  input: { versionNumber: string; releaseNote: string; force?: boolean | undefined },
  lang: DiagnosticLang,
): Promise<VersionSummary> {
  if (input.force && actor.role !== "admin") {
    throw new DomainError("FORCE_NOT_ALLOWED", "Only an admin may publish with `force`; fix the failing tests instead.");
  }
  const db = database(env.DB);
  const project = await projectFor(db, projectId, actor);
  assertEditable(project);
  const version = parseSemver(input.versionNumber);
  await assertNextVersion(db, projectId, input.versionNumber, version);

  const workspace = await db.select().from(projectFiles).where(eq(projectFiles.projectId, projectId)).orderBy(asc(projectFiles.path));
  if (!workspace.length) throw draftInvalid([], "The project has no files to publish.");
  const checked = await checkWorkspace(workspace, lang);
  const broken = checked.filter((f) => hasErrors(f.diagnostics));
  if (broken.length) {
    throw draftInvalid(
      broken.map((f) => ({ path: f.path, diagnostics: f.diagnostics.filter((d) => d.severity === "error") })),
      `Fix the errors in ${broken.length} file(s) before publishing: ${broken.map((f) => f.path).join(", ")}.`,
    );
  }

  const report = await runProjectTests(workspace, { lang });
  if (!report.passed && !input.force) {
    throw new DomainError("TESTS_FAILED", `${report.failed} of the project's tests fail; fix them before publishing.`, { report });
  }
  const forced = report.passed ? {} : { forced: true, testsFailed: report.failed };

  const v: NewVersion = { project, id: crypto.randomUUID(), version, releaseNote: input.releaseNote, actor, at: new Date(), rollbackFrom: null };
  return commitVersion(env, db, v, [
    ...chunkRows(uniqueBlobs(checked, v.at)).map((chunk) => db.insert(blobs).values(chunk).onConflictDoNothing()),
    guardedVersionInsert(v),
    ...chunkRows(checked.map((f) => versionFileRow(v.id, f))).map((chunk) => db.insert(versionFiles).values(chunk)),
    pointProjectAt(db, v),
    auditEntry(db, actor, "version.publish", projectId, formatSemver(version), { versionId: v.id, files: checked.length, ...forced }, v.at),
  ]);
}

function uniqueBlobs(files: readonly CheckedFile[], at: Date) {
  const byHash = new Map(files.map((f) => [f.contentHash, { hash: f.contentHash, content: f.content, size: f.size, createdAt: at }]));
  return [...byHash.values()];
}

function versionFileRow(versionId: string, f: CheckedFile) {
  return {
    versionId,
    path: f.path,
    kind: f.kind,
    contentHash: f.contentHash,
    size: f.size,
    sessionId: f.session?.sessionId ?? null,
    sessionName: f.session?.sessionName ?? null,
    language: f.session?.language ?? null,
  };
}

/**
 * Restores the workspace to an old version's files (paths included) and
 * publishes that content as the next patch version, marked as a rollback.
 * One batch: the workspace is never half-restored.
 */
export async function rollback(
  env: Env,
  projectId: string,
  actor: AuthUser,
  input: { targetVersionId: string; releaseNote?: string | undefined },
): Promise<VersionSummary> {
  const db = database(env.DB);
  const project = await projectFor(db, projectId, actor);
  assertEditable(project);
  const target = await versionFor(db, projectId, input.targetVersionId);
  const [latest, files, workspace] = await Promise.all([
    latestVersion(db, projectId),
    db.select().from(versionFiles).where(eq(versionFiles.versionId, target.id)),
    versionContents(db, target.id),
  ]);
  const base = latest ?? target;
  const v: NewVersion = {
    project,
    id: crypto.randomUUID(),
    version: { major: base.major, minor: base.minor, patch: base.patch + 1 },
    releaseNote: input.releaseNote ?? `Rolled back to version ${target.versionNumber}`,
    actor,
    at: new Date(),
    rollbackFrom: target,
  };
  const sessionIds = new Map(files.map((f) => [f.path, f.sessionId]));
  const restored = workspaceRows(
    projectId,
    workspace.map((f) => ({ ...f, sessionId: sessionIds.get(f.path) ?? null })),
    actor,
    v.at,
  );
  return commitVersion(env, db, v, [
    db
      .delete(projectFiles)
      .where(
        and(
          eq(projectFiles.projectId, projectId),
          sql`${projectFiles.path} NOT IN (SELECT path FROM ${versionFiles} WHERE version_id = ${target.id})`,
        ),
      ),
    ...chunkRows(restored).map((chunk) =>
      db
        .insert(projectFiles)
        .values(chunk)
        .onConflictDoUpdate({
          target: [projectFiles.projectId, projectFiles.path],
          set: {
            kind: sql`excluded.kind`,
            content: sql`excluded.content`,
            contentHash: sql`excluded.content_hash`,
            sessionId: sql`excluded.session_id`,
            updatedBy: sql`excluded.updated_by`,
            updatedAt: sql`excluded.updated_at`,
          },
        }),
    ),
    guardedVersionInsert(v),
    sql`
      INSERT INTO ${versionFiles} (version_id, path, kind, content_hash, size, session_id, session_name, language)
      SELECT ${v.id}, path, kind, content_hash, size, session_id, session_name, language FROM ${versionFiles} WHERE version_id = ${target.id}`,
    pointProjectAt(db, v),
    auditEntry(
      db,
      actor,
      "version.rollback",
      projectId,
      formatSemver(v.version),
      { versionId: v.id, restoredVersionId: target.id, restoredVersion: target.versionNumber },
      v.at,
    ),
  ]);
}

/** Newest version first (by version number). */
export async function listVersions(db: Database, projectId: string, actor: AuthUser, req: PageRequest) {
  const project = await projectFor(db, projectId, actor);
  const after = req.cursor ? decodeCursor(req.cursor, ["number", "number", "number"] as const) : null;
  const fileCount = sql<number>`(SELECT count(*) FROM ${versionFiles} WHERE ${versionFiles.versionId} = ${projectVersions.id})`;
  const rows = await db
    .select({ row: projectVersions, fileCount })
    .from(projectVersions)
    .where(
      and(
        eq(projectVersions.projectId, projectId),
        after
          ? sql`(${projectVersions.major}, ${projectVersions.minor}, ${projectVersions.patch}) < (${after[0]}, ${after[1]}, ${after[2]})`
          : undefined,
      ),
    )
    .orderBy(...semverOrder)
    .limit(req.limit + 1);
  const result = page(rows, req.limit, (r) => [r.row.major, r.row.minor, r.row.patch]);
  return { items: result.items.map((r) => summary(r.row, project.currentVersionId, r.fileCount)), nextCursor: result.nextCursor };
}

export async function getVersion(db: Database, projectId: string, versionId: string, actor: AuthUser): Promise<Version> {
  const project = await projectFor(db, projectId, actor);
  const row = await versionFor(db, projectId, versionId);
  const files = await versionContents(db, versionId);
  return {
    ...summary(row, project.currentVersionId, files.length),
    files: files.map((f) => ({ ...f, fileName: fileName(f.path) })),
  };
}

async function previousVersion(db: Database, v: VersionRow): Promise<VersionRow> {
  const row = await db
    .select()
    .from(projectVersions)
    .where(
      and(
        eq(projectVersions.projectId, v.projectId),
        or(
          lt(projectVersions.major, v.major),
          and(eq(projectVersions.major, v.major), lt(projectVersions.minor, v.minor)),
          and(eq(projectVersions.major, v.major), eq(projectVersions.minor, v.minor), lt(projectVersions.patch, v.patch)),
        ),
      ),
    )
    .orderBy(...semverOrder)
    .limit(1)
    .get();
  if (!row) throw new DomainError("NOT_FOUND", `Version ${v.versionNumber} is the first; name a version to compare with.`);
  return row;
}

async function blobContents(db: Database, hashes: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(hashes)];
  const rows = (
    await Promise.all(
      chunkRows(unique.map((hash) => ({ hash }))).map((chunk) =>
        db
          .select({ hash: blobs.hash, content: blobs.content })
          .from(blobs)
          .where(
            inArray(
              blobs.hash,
              chunk.map((c) => c.hash),
            ),
          ),
      ),
    )
  ).flat();
  return new Map(rows.map((r) => [r.hash, r.content]));
}

/** Per-file line diff between two versions, from `compareWith` (default: the previous version) to `versionId`. */
export async function diffVersions(
  db: Database,
  projectId: string,
  versionId: string,
  compareWithId: string | undefined,
  actor: AuthUser,
): Promise<VersionDiff> {
  await projectFor(db, projectId, actor);
  const target = await versionFor(db, projectId, versionId);
  const base = compareWithId ? await versionFor(db, projectId, compareWithId) : await previousVersion(db, target);
  const [oldFiles, newFiles] = await Promise.all([
    db.select().from(versionFiles).where(eq(versionFiles.versionId, base.id)),
    db.select().from(versionFiles).where(eq(versionFiles.versionId, target.id)),
  ]);
  const oldByPath = new Map(oldFiles.map((f) => [f.path, f]));
  const newByPath = new Map(newFiles.map((f) => [f.path, f]));
  const paths = [...new Set([...oldByPath.keys(), ...newByPath.keys()])].sort();
  const changed = paths.filter((p) => oldByPath.get(p)?.contentHash !== newByPath.get(p)?.contentHash);
  const contents = await blobContents(
    db,
    changed.flatMap((p) => [oldByPath.get(p)?.contentHash, newByPath.get(p)?.contentHash].filter((h): h is string => Boolean(h))),
  );

  const files: FileDiff[] = changed.map((path) => {
    const before = oldByPath.get(path);
    const after = newByPath.get(path);
    const patch = structuredPatch(
      `a/${path}`,
      `b/${path}`,
      before ? (contents.get(before.contentHash) ?? "") : "",
      after ? (contents.get(after.contentHash) ?? "") : "",
      base.versionNumber,
      target.versionNumber,
      { context: 3 },
    );
    const lines = patch.hunks.flatMap((h) => h.lines);
    return {
      path,
      status: !before ? "added" : !after ? "removed" : "modified",
      kind: (after ?? before)!.kind,
      oldHash: before?.contentHash ?? null,
      newHash: after?.contentHash ?? null,
      additions: lines.filter((l) => l.startsWith("+")).length,
      deletions: lines.filter((l) => l.startsWith("-")).length,
      patch: formatPatch(patch, FILE_HEADERS_ONLY),
    };
  });
  return {
    version: { id: target.id, versionNumber: target.versionNumber },
    compareWith: { id: base.id, versionNumber: base.versionNumber },
    summary: {
      added: files.filter((f) => f.status === "added").length,
      removed: files.filter((f) => f.status === "removed").length,
      modified: files.filter((f) => f.status === "modified").length,
      unchanged: paths.length - changed.length,
    },
    files,
  };
}

/** What publishing now would do: changes against the current version and every file's diagnostics. */
export async function draftStatus(db: Database, projectId: string, actor: AuthUser, lang: DiagnosticLang): Promise<DraftStatus> {
  const project = await projectFor(db, projectId, actor);
  const [workspace, current, published] = await Promise.all([
    db.select().from(projectFiles).where(eq(projectFiles.projectId, projectId)).orderBy(asc(projectFiles.path)),
    project.currentVersionId ? versionFor(db, projectId, project.currentVersionId) : null,
    project.currentVersionId
      ? db
          .select({ path: versionFiles.path, contentHash: versionFiles.contentHash })
          .from(versionFiles)
          .where(eq(versionFiles.versionId, project.currentVersionId))
      : [],
  ]);
  const checked = await checkWorkspace(workspace, lang);
  const publishedByPath = new Map(published.map((f) => [f.path, f.contentHash]));
  const workspacePaths = new Set(workspace.map((f) => f.path));
  const changes = [
    ...workspace
      .filter((f) => publishedByPath.get(f.path) !== f.contentHash)
      .map((f) => ({ path: f.path, status: publishedByPath.has(f.path) ? ("modified" as const) : ("added" as const) })),
    ...published.filter((f) => !workspacePaths.has(f.path)).map((f) => ({ path: f.path, status: "removed" as const })),
  ].sort((a, b) => a.path.localeCompare(b.path));
  const files = checked.map((f) => ({
    path: f.path,
    kind: f.kind,
    errors: f.diagnostics.filter((d) => d.severity === "error").length,
    warnings: f.diagnostics.filter((d) => d.severity === "warning").length,
  }));
  const errorCount = files.reduce((n, f) => n + f.errors, 0);
  const lastEdit = workspace.reduce((t, f) => Math.max(t, f.updatedAt.getTime()), project.updatedAt.getTime());
  return {
    projectId,
    currentVersion: current ? { id: current.id, versionNumber: current.versionNumber } : null,
    hasUnpublishedChanges: changes.length > 0,
    changes,
    files,
    errorCount,
    warningCount: files.reduce((n, f) => n + f.warnings, 0),
    publishable: project.status !== "archived" && project.status !== "deprecated" && workspace.length > 0 && errorCount === 0,
    updatedAt: new Date(lastEdit).toISOString(),
  };
}
