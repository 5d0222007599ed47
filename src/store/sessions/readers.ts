/** What decides who reads a session besides its client: the owner of the project it runs (authoring/access.ts canManage). */
import { eq } from "drizzle-orm";
import type { ProjectRow } from "../../authoring/access";
import { database } from "../db";
import { projects } from "../schema";

export async function sessionProject(d1: D1Database, projectId: string): Promise<Pick<ProjectRow, "ownerId"> | null> {
  const row = await database(d1).select({ ownerId: projects.ownerId }).from(projects).where(eq(projects.id, projectId)).get();
  return row ?? null;
}
