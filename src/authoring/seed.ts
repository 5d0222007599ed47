import { count } from "drizzle-orm";
import type { Env } from "../config";
import type { AuthUser } from "../http/user";
import { database } from "../store/db";
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
  const project = await createProject(
    db,
    SAMPLE_OWNER,
    {
      projectName: SAMPLE_PROJECT_NAME,
      description: "The sample counseling scripts that ship with HeartRule (English and Chinese).",
      tags: ["sample"],
      language: "en",
      template: "sample",
    },
    "en",
  );
  const version = await publish(env, project.id, SAMPLE_OWNER, { versionNumber: SAMPLE_VERSION, releaseNote: "Sample scripts" }, "en");
  return { seeded: true, projectId: project.id, versionNumber: version.versionNumber };
}
