import { createRouter } from "../../http/router";
import { fileRoutes } from "./files";
import { planRoutes } from "./plan";
import { projectRoutes } from "./projects";
import { publishedRoutes } from "./published";
import { seedRoutes } from "./seed";
import { templateRoutes } from "./templates";
import { testRoutes } from "./tests";
import { versionRoutes } from "./versions";

/** Authoring: projects, files, template schemes, drafts and versions. */
export const authoringRoutes = createRouter()
  // Before /api/projects/{id}, which would take "published" for a (bad) id.
  .route("/", publishedRoutes)
  .route("/", projectRoutes)
  .route("/", fileRoutes)
  .route("/", templateRoutes)
  .route("/", versionRoutes)
  .route("/", testRoutes)
  .route("/", planRoutes)
  .route("/", seedRoutes);

export const authoringTags = [
  { name: "projects", description: "Counselors' projects; the published scripts clients can start" },
  { name: "files", description: "A project's workspace: session scripts, techniques, globals, templates, tests" },
  { name: "templates", description: "Prompt-template schemes that override the engine's built-in prompts" },
  { name: "versions", description: "Draft status, conversation tests, publishing, history, rollback and diffs" },
];
