import { eq } from "drizzle-orm";
import type { AuthUser } from "../http/user";
import { DomainError } from "../errors";
import type { Database } from "../store/db";
import { projects } from "../store/schema";

export type ProjectRow = typeof projects.$inferSelect;

export function canManage(project: Pick<ProjectRow, "ownerId">, actor: AuthUser): boolean {
  return actor.role === "admin" || (actor.role === "author" && project.ownerId === actor.id);
}

export function notFound(what: string): DomainError {
  return new DomainError("NOT_FOUND", `No such ${what}.`);
}

/**
 * The project if the actor may manage it. Another author's project answers
 * exactly like a missing one (404), so ids do not reveal that a project exists.
 */
export async function projectFor(db: Database, id: string, actor: AuthUser): Promise<ProjectRow> {
  const row = await db.select().from(projects).where(eq(projects.id, id)).get();
  if (!row || !canManage(row, actor)) throw notFound("project");
  return row;
}

/** Archived and deprecated projects are read-only until restored. */
export function assertEditable(project: ProjectRow): void {
  if (project.status === "archived" || project.status === "deprecated") {
    throw new DomainError("PROJECT_READ_ONLY", `The project is ${project.status}; restore it before changing it.`, {
      projectStatus: project.status,
    });
  }
}

export async function editableProjectFor(db: Database, id: string, actor: AuthUser): Promise<ProjectRow> {
  const project = await projectFor(db, id, actor);
  assertEditable(project);
  return project;
}
