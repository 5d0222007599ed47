import { z } from "@hono/zod-openapi";
import { requireAuth } from "../../http/auth";

/** Everything under /api/projects except the published list is for authors (their own projects) and admins. */
export const authorsOnly = [requireAuth("author", "admin")];

const uuid = (name: string, description: string) =>
  z.uuid().openapi({ param: { name, in: "path" }, description, example: "6f1c2a8e-8c1b-4e8f-9d3a-2b7c5e9a1d40" });

export const ProjectParams = z.object({ id: uuid("id", "Project id") });
export const FileParams = ProjectParams.extend({ fileId: uuid("fileId", "File id") });
export const VersionParams = ProjectParams.extend({ versionId: uuid("versionId", "Version id") });
