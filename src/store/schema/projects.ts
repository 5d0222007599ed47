import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex, type AnySQLiteColumn } from "drizzle-orm/sqlite-core";

export const projectStatuses = ["draft", "published", "archived", "deprecated"] as const;
export type ProjectStatus = (typeof projectStatuses)[number];

export const fileKinds = ["session", "technique", "globals", "template", "test"] as const;
export type FileKind = (typeof fileKinds)[number];

const inList = (column: string, values: readonly string[]) => sql.raw(`${column} IN (${values.map((v) => `'${v}'`).join(", ")})`);

const timestamps = {
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
};

/**
 * A counselor's project. `currentVersionId` is a real foreign key: a publish
 * that failed to insert its version cannot leave the project pointing at nothing.
 */
export const projects = sqliteTable(
  "projects",
  {
    id: text("id").primaryKey(),
    projectName: text("project_name").notNull(),
    description: text("description").notNull().default(""),
    ownerId: text("owner_id").notNull(),
    status: text("status", { enum: projectStatuses }).notNull().default("draft"),
    language: text("language").notNull().default("zh-CN"),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    /** Descriptions of template schemes by name; the schemes themselves are the files under templates/. */
    schemeDescriptions: text("scheme_descriptions", { mode: "json" }).$type<Record<string, string>>().notNull().default(sql`'{}'`),
    currentVersionId: text("current_version_id").references((): AnySQLiteColumn => projectVersions.id, {
      onDelete: "set null",
    }),
    ...timestamps,
  },
  (t) => [
    index("projects_owner_updated_idx").on(t.ownerId, t.updatedAt, t.id),
    index("projects_updated_idx").on(t.updatedAt, t.id),
    index("projects_status_idx").on(t.status),
    check("projects_status_check", inList("status", projectStatuses)),
  ],
);

/** The editable workspace (the draft): one row per path. */
export const projectFiles = sqliteTable(
  "project_files",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    path: text("path").notNull(),
    kind: text("kind", { enum: fileKinds }).notNull(),
    content: text("content").notNull(),
    contentHash: text("content_hash").notNull(),
    /** `session.session_id` of a loadable session script, so sessions can be started by it. */
    sessionId: text("session_id"),
    updatedBy: text("updated_by").notNull(),
    ...timestamps,
  },
  (t) => [uniqueIndex("project_files_project_path_unique").on(t.projectId, t.path), check("project_files_kind_check", inList("kind", fileKinds))],
);

/** File contents by SHA-256, shared by every version that contains the same text. */
export const blobs = sqliteTable("blobs", {
  hash: text("hash").primaryKey(),
  content: text("content").notNull(),
  size: integer("size").notNull(),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
});

/** Immutable published versions. Semver parts are stored to order and compare in SQL. */
export const projectVersions = sqliteTable(
  "project_versions",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    versionNumber: text("version_number").notNull(),
    major: integer("major").notNull(),
    minor: integer("minor").notNull(),
    patch: integer("patch").notNull(),
    releaseNote: text("release_note").notNull().default(""),
    publishedBy: text("published_by").notNull(),
    publishedAt: integer("published_at", { mode: "timestamp_ms" }).notNull(),
    isRollback: integer("is_rollback", { mode: "boolean" }).notNull().default(false),
    rollbackFromVersionId: text("rollback_from_version_id").references((): AnySQLiteColumn => projectVersions.id, {
      onDelete: "set null",
    }),
  },
  (t) => [
    uniqueIndex("project_versions_project_number_unique").on(t.projectId, t.versionNumber),
    index("project_versions_order_idx").on(t.projectId, t.major, t.minor, t.patch),
  ],
);

/** What a version contains: path → blob, plus what clients need to list its session scripts. */
export const versionFiles = sqliteTable(
  "version_files",
  {
    versionId: text("version_id")
      .notNull()
      .references(() => projectVersions.id, { onDelete: "cascade" }),
    path: text("path").notNull(),
    kind: text("kind", { enum: fileKinds }).notNull(),
    contentHash: text("content_hash")
      .notNull()
      .references(() => blobs.hash),
    size: integer("size").notNull(),
    sessionId: text("session_id"),
    sessionName: text("session_name"),
    language: text("language"),
  },
  (t) => [
    primaryKey({ columns: [t.versionId, t.path] }),
    index("version_files_hash_idx").on(t.contentHash),
    check("version_files_kind_check", inList("kind", fileKinds)),
  ],
);

/** Who changed what, one row per change, written in the same batch as the change. Never file contents. */
export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: text("id").primaryKey(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    actorId: text("actor_id").notNull(),
    actorRole: text("actor_role").notNull(),
    action: text("action").notNull(),
    // No foreign key: the trail outlives whatever it describes.
    projectId: text("project_id"),
    target: text("target"),
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
  },
  (t) => [index("audit_events_project_idx").on(t.projectId, t.at, t.id)],
);
