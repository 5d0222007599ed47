import { and, asc, desc, eq, getTableColumns, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import type { Env } from "../config";
import type { Language } from "../engine/script/schema";
import type { AuthUser } from "../http/user";
import { DomainError } from "../errors";
import { database, type Database } from "../store/db";
import { auditEvents, projectFiles, projects, projectVersions, type ProjectStatus } from "../store/schema";
import { assertEditable, projectFor, type ProjectRow } from "./access";
import { auditEntry, auditEntryIfChanged } from "./audit";
import { atomically, chunkRows } from "./batch";
import { pointerFor, writePointer } from "./cache";
import { checkWorkspace } from "./checks";
import { decodeCursor, page, type PageRequest } from "../store/cursor";
import type { DiagnosticLang } from "./globals";
import type { Project, ProjectDetail, statusActions } from "./models";
import { starterFiles, type StarterName } from "./starters";
import { fileSummary, insertFiles } from "./workspace";

export interface ProjectFilter extends PageRequest {
  status?: ProjectStatus | "all" | undefined;
  search?: string | undefined;
  ownerId?: string | undefined;
}

export interface NewProject {
  projectName: string;
  description: string;
  tags: string[];
  language: Language;
  template: StarterName;
}

export type ProjectPatch = Partial<Pick<NewProject, "projectName" | "description" | "tags" | "language">>;

const fileCount = sql<number>`(SELECT count(*) FROM ${projectFiles} WHERE ${projectFiles.projectId} = ${projects.id})`;

function projectQuery(db: Database) {
  return db
    .select({ ...getTableColumns(projects), fileCount, currentVersionNumber: projectVersions.versionNumber })
    .from(projects)
    .leftJoin(projectVersions, eq(projectVersions.id, projects.currentVersionId));
}

type ProjectQueryRow = ProjectRow & { fileCount: number; currentVersionNumber: string | null };

function toProject(row: ProjectQueryRow): Project {
  return {
    id: row.id,
    projectName: row.projectName,
    description: row.description,
    status: row.status,
    ownerId: row.ownerId,
    language: row.language as Language,
    tags: row.tags,
    currentVersionId: row.currentVersionId,
    currentVersionNumber: row.currentVersionNumber,
    fileCount: row.fileCount,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * Newest-changed first, keyset-paginated. Authors see only their own
 * projects; admins everyone's (optionally one owner's). Without a status
 * filter, archived and deprecated projects are left out.
 */
export async function listProjects(db: Database, actor: AuthUser, filter: ProjectFilter) {
  const conditions: (SQL | undefined)[] = [];
  if (actor.role !== "admin") conditions.push(eq(projects.ownerId, actor.id));
  if (filter.ownerId) conditions.push(eq(projects.ownerId, filter.ownerId));
  if (!filter.status) conditions.push(inArray(projects.status, ["draft", "published"]));
  else if (filter.status !== "all") conditions.push(eq(projects.status, filter.status));
  if (filter.search) {
    // instr, not LIKE: D1 refuses LIKE patterns over 50 bytes, and the term is text, not a pattern.
    // SQLite's lower() folds ASCII only, as LIKE did; both sides go through it so they fold alike.
    const term = sql`lower(${filter.search})`;
    conditions.push(sql`(instr(lower(${projects.projectName}), ${term}) > 0 OR instr(lower(${projects.description}), ${term}) > 0)`);
  }
  if (filter.cursor) {
    const [updatedAt, id] = decodeCursor(filter.cursor, ["number", "string"] as const);
    const at = new Date(updatedAt);
    conditions.push(or(lt(projects.updatedAt, at), and(eq(projects.updatedAt, at), lt(projects.id, id))));
  }
  const rows = await projectQuery(db)
    .where(and(...conditions))
    .orderBy(desc(projects.updatedAt), desc(projects.id))
    .limit(filter.limit + 1);
  const result = page(rows, filter.limit, (r) => [r.updatedAt.getTime(), r.id]);
  return { items: result.items.map(toProject), nextCursor: result.nextCursor };
}

async function projectById(db: Database, id: string): Promise<Project> {
  const row = await projectQuery(db).where(eq(projects.id, id)).get();
  if (!row) throw new Error(`project ${id} vanished`);
  return toProject(row);
}

export async function getProject(db: Database, id: string, actor: AuthUser): Promise<ProjectDetail> {
  await projectFor(db, id, actor);
  const [project, files, history] = await Promise.all([
    projectById(db, id),
    db.select().from(projectFiles).where(eq(projectFiles.projectId, id)).orderBy(asc(projectFiles.path)),
    db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.projectId, id), inArray(auditEvents.action, ["project.archive", "project.deprecate", "project.restore"])))
      .orderBy(asc(auditEvents.at), asc(auditEvents.id)),
  ]);
  return {
    ...project,
    files: files.map(fileSummary),
    statusHistory: history.map((e) => ({
      action: e.action.slice("project.".length) as (typeof statusActions)[number],
      at: e.at.toISOString(),
      by: e.actorId,
      reason: typeof e.detail.reason === "string" ? e.detail.reason : "",
    })),
  };
}

export async function createProject(db: Database, actor: AuthUser, input: NewProject, lang: DiagnosticLang): Promise<Project> {
  const id = crypto.randomUUID();
  const now = new Date();
  const files = await checkWorkspace(starterFiles(input.template, input.language), lang);
  await atomically(db, [
    db.insert(projects).values({
      id,
      projectName: input.projectName,
      description: input.description,
      ownerId: actor.id,
      status: "draft",
      language: input.language,
      tags: input.tags,
      createdAt: now,
      updatedAt: now,
    }),
    ...insertFiles(db, id, files, actor, now),
    auditEntry(db, actor, "project.create", id, null, { template: input.template, files: files.length }, now),
  ]);
  return projectById(db, id);
}

export async function updateProject(db: Database, id: string, actor: AuthUser, patch: ProjectPatch): Promise<Project> {
  const project = await projectFor(db, id, actor);
  assertEditable(project);
  const now = new Date();
  await atomically(db, [
    db
      .update(projects)
      .set({ ...patch, updatedAt: now })
      .where(eq(projects.id, id)),
    auditEntry(db, actor, "project.update", id, null, { fields: Object.keys(patch) }, now),
  ]);
  return projectById(db, id);
}

type StatusAction = (typeof statusActions)[number];

const allowedFrom: Record<StatusAction, readonly ProjectStatus[]> = {
  archive: ["draft", "published", "deprecated"],
  deprecate: ["draft", "published"],
  restore: ["archived", "deprecated"],
};

/**
 * Archive (DELETE), deprecate and restore. Restoring goes back to `published`
 * when the project has a current version, else `draft`. Each change is an
 * audit row, which is the status history.
 */
export async function changeStatus(env: Env, id: string, actor: AuthUser, action: StatusAction, reason: string): Promise<Project> {
  const db = database(env.DB);
  const project = await projectFor(db, id, actor);
  if (!allowedFrom[action].includes(project.status)) {
    throw new DomainError("STATUS_CONFLICT", `A ${project.status} project cannot be ${action === "restore" ? "restored" : `${action}d`}.`, {
      projectStatus: project.status,
    });
  }
  const next: ProjectStatus =
    action === "archive" ? "archived" : action === "deprecate" ? "deprecated" : project.currentVersionId ? "published" : "draft";
  const now = new Date();
  await atomically(db, [
    db
      .update(projects)
      .set({ status: next, updatedAt: now })
      .where(and(eq(projects.id, id), eq(projects.status, project.status))),
    auditEntryIfChanged(db, actor, `project.${action}`, id, { from: project.status, to: next, reason }, now),
  ]);
  const updated = await projectById(db, id);
  // Another change won the race between the read above and the guarded update: nothing was written.
  if (updated.status !== next) {
    throw new DomainError("STATUS_CONFLICT", `The project became ${updated.status} meanwhile; reload it and try again.`, {
      projectStatus: updated.status,
    });
  }
  await writePointer(
    env,
    id,
    pointerFor(
      updated.status,
      updated.currentVersionId && updated.currentVersionNumber ? { id: updated.currentVersionId, versionNumber: updated.currentVersionNumber } : null,
    ),
  );
  return updated;
}

/** A new draft project owned by the caller with every workspace file (paths included); versions stay behind. */
export async function copyProject(db: Database, id: string, actor: AuthUser, projectName: string | undefined): Promise<Project> {
  const source = await projectFor(db, id, actor);
  const files = await db.select().from(projectFiles).where(eq(projectFiles.projectId, id));
  const copyId = crypto.randomUUID();
  const now = new Date();
  const rows = files.map((f) => ({ ...f, id: crypto.randomUUID(), projectId: copyId, updatedBy: actor.id, createdAt: now, updatedAt: now }));
  await atomically(db, [
    db.insert(projects).values({
      id: copyId,
      projectName: projectName ?? `${source.projectName} (copy)`,
      description: source.description,
      ownerId: actor.id,
      status: "draft",
      language: source.language,
      tags: source.tags,
      schemeDescriptions: source.schemeDescriptions,
      createdAt: now,
      updatedAt: now,
    }),
    ...chunkRows(rows).map((chunk) => db.insert(projectFiles).values(chunk)),
    auditEntry(db, actor, "project.copy", copyId, null, { sourceProjectId: id, files: files.length }, now),
  ]);
  return projectById(db, copyId);
}
