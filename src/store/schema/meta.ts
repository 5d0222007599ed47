import { sqliteTable, text, integer } from "drizzle-orm/sqlite-core";

/** Small key/value facts about the deployment itself (seed markers, data versions). */
export const appMeta = sqliteTable("app_meta", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
});
