/**
 * The tests route's run: a project's conversation tests on its draft (the
 * workspace) or on one of its versions, for the authors who may see it.
 */
import { and, eq } from "drizzle-orm";
import { DomainError } from "../errors";
import type { AuthUser } from "../http/user";
import type { Database } from "../store/db";
import { projectFiles, projectVersions } from "../store/schema";
import { notFound, projectFor } from "./access";
import type { DiagnosticLang } from "./globals";
import { runProjectTests, isTestPath } from "./testing/project";
import type { TestReport } from "./testing/report";
import { versionContents } from "./versions";

export async function runTestsOf(
  db: Database,
  projectId: string,
  actor: AuthUser,
  input: { versionId?: string | undefined; paths?: string[] | undefined },
  lang: DiagnosticLang,
): Promise<TestReport> {
  await projectFor(db, projectId, actor);
  let files: { path: string; content: string }[];
  if (input.versionId) {
    const version = await db
      .select({ id: projectVersions.id })
      .from(projectVersions)
      .where(and(eq(projectVersions.projectId, projectId), eq(projectVersions.id, input.versionId)))
      .get();
    if (!version) throw notFound("version");
    files = await versionContents(db, version.id);
  } else {
    files = await db
      .select({ path: projectFiles.path, content: projectFiles.content })
      .from(projectFiles)
      .where(eq(projectFiles.projectId, projectId));
  }
  const missing = input.paths?.filter((p) => !files.some((f) => f.path === p && isTestPath(p)));
  if (missing?.length) {
    throw new DomainError("NOT_FOUND", `No test file ${missing.join(", ")} in ${input.versionId ? "this version" : "the draft"}.`, {
      paths: missing,
    });
  }
  return runProjectTests(files, { paths: input.paths, lang });
}
