import { count, eq } from "drizzle-orm";
import type { Env } from "../config";
import type { AuthUser } from "../http/user";
import { database, type Database } from "../store/db";
import { projects } from "../store/schema";
import { createProject } from "./projects";
import { publish } from "./versions";

export const SAMPLE_OWNER: AuthUser = { id: "sample-author", role: "author" };
export const SAMPLE_PROJECT_NAME = "HeartRule samples";
export const SAMPLE_VERSION = "1.0.0";

/**
 * Local development: when the database has no project at all, create the
 * sample project from the bundled scripts/sessions/ scripts and publish it,
 * through the same functions the API uses. Does nothing otherwise.
 */
export async function seedSampleProject(env: Env): Promise<{ seeded: boolean; projectId: string | null; versionNumber: string | null }> {
  const db = database(env.DB);
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(projects);
  if (n > 0) return { seeded: false, projectId: null, versionNumber: null };
  const project = await createSampleProject(db, SAMPLE_OWNER);
  const version = await publish(env, project.id, SAMPLE_OWNER, { versionNumber: SAMPLE_VERSION, releaseNote: "Sample scripts" }, "en");
  return { seeded: true, projectId: project.id, versionNumber: version.versionNumber };
}

/**
 * Local development: an author who owns no project yet gets a draft copy of
 * the sample project, so the author view opens on scripts they may edit (the
 * published sample belongs to SAMPLE_OWNER, and other authors' projects answer 404).
 * Called when a development token is minted; returns the new project's id, or null.
 */
export async function seedSampleForAuthor(db: Database, author: AuthUser): Promise<string | null> {
  if (author.role !== "author") return null;
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(projects).where(eq(projects.ownerId, author.id));
  if (n > 0) return null;
  return (await createSampleProject(db, author)).id;
}

function createSampleProject(db: Database, owner: AuthUser) {
  return createProject(
    db,
    owner,
    {
      projectName: SAMPLE_PROJECT_NAME,
      description: "The sample counseling scripts that ship with HeartRule (English and Chinese).",
      tags: ["sample"],
      language: "en",
      template: "sample",
    },
    "en",
  );
}
