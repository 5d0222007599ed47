import { sql } from "drizzle-orm";
import { check, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { projects, projectVersions } from "./projects";

/** Jurisdictions a session's Durable Object can be created in (Cloudflare's `namespace.jurisdiction()`). */
export const jurisdictions = ["eu", "fedramp"] as const;
export type Jurisdiction = (typeof jurisdictions)[number];

/** Location hints for a session's Durable Object (`namespace.get(id, { locationHint })`). */
export const locationHints = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;
export type LocationHint = (typeof locationHints)[number];

const inList = (column: string, values: readonly string[]) => sql.raw(`${column} IN (${values.map((v) => `'${v}'`).join(", ")})`);

/**
 * What a project's new sessions get besides their script: how long they are kept, where their
 * Durable Object lives, and a canary split between two published versions. One row per project
 * that set any of it; read once when a session starts (src/authoring/plan.ts).
 */
export const projectPlans = sqliteTable(
  "project_plans",
  {
    projectId: text("project_id")
      .primaryKey()
      .references(() => projects.id, { onDelete: "cascade" }),
    /** Days after its last activity a session erases itself; null: SESSION_RETENTION_DAYS. */
    retentionDays: integer("retention_days"),
    jurisdiction: text("jurisdiction", { enum: jurisdictions }),
    locationHint: text("location_hint", { enum: locationHints }),
    /** The canary: this share (percent) of users start `split_version_id` instead of the published version. */
    splitVersionId: text("split_version_id").references(() => projectVersions.id, { onDelete: "set null" }),
    /** The published version when the split was set: once another is published the split stops applying. */
    splitBaseVersionId: text("split_base_version_id").references(() => projectVersions.id, { onDelete: "set null" }),
    splitPercent: integer("split_percent"),
    splitSince: integer("split_since", { mode: "timestamp_ms" }),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  () => [
    check("project_plans_jurisdiction_check", sql`jurisdiction IS NULL OR ${inList("jurisdiction", jurisdictions)}`),
    check("project_plans_location_hint_check", sql`location_hint IS NULL OR ${inList("location_hint", locationHints)}`),
    check("project_plans_split_percent_check", sql`split_percent IS NULL OR (split_percent BETWEEN 1 AND 99)`),
    check("project_plans_retention_check", sql`retention_days IS NULL OR retention_days >= 1`),
  ],
);
