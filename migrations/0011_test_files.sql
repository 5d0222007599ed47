-- Adds the file kind `test` (tests/<name>.test.yaml): SQLite changes a CHECK only by rebuilding the table.
-- D1 cannot turn foreign keys off inside a migration; deferring them lets the rebuilt tables swap in.
PRAGMA defer_foreign_keys = on;--> statement-breakpoint
CREATE TABLE `__new_project_files` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`path` text NOT NULL,
	`kind` text NOT NULL,
	`content` text NOT NULL,
	`content_hash` text NOT NULL,
	`session_id` text,
	`updated_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "project_files_kind_check" CHECK(kind IN ('session', 'technique', 'globals', 'template', 'test'))
);
--> statement-breakpoint
INSERT INTO `__new_project_files`("id", "project_id", "path", "kind", "content", "content_hash", "session_id", "updated_by", "created_at", "updated_at") SELECT "id", "project_id", "path", "kind", "content", "content_hash", "session_id", "updated_by", "created_at", "updated_at" FROM `project_files`;--> statement-breakpoint
DROP TABLE `project_files`;--> statement-breakpoint
ALTER TABLE `__new_project_files` RENAME TO `project_files`;--> statement-breakpoint
CREATE UNIQUE INDEX `project_files_project_path_unique` ON `project_files` (`project_id`,`path`);--> statement-breakpoint
CREATE TABLE `__new_version_files` (
	`version_id` text NOT NULL,
	`path` text NOT NULL,
	`kind` text NOT NULL,
	`content_hash` text NOT NULL,
	`size` integer NOT NULL,
	`session_id` text,
	`session_name` text,
	`language` text,
	PRIMARY KEY(`version_id`, `path`),
	FOREIGN KEY (`version_id`) REFERENCES `project_versions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`content_hash`) REFERENCES `blobs`(`hash`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "version_files_kind_check" CHECK(kind IN ('session', 'technique', 'globals', 'template', 'test'))
);
--> statement-breakpoint
INSERT INTO `__new_version_files`("version_id", "path", "kind", "content_hash", "size", "session_id", "session_name", "language") SELECT "version_id", "path", "kind", "content_hash", "size", "session_id", "session_name", "language" FROM `version_files`;--> statement-breakpoint
DROP TABLE `version_files`;--> statement-breakpoint
ALTER TABLE `__new_version_files` RENAME TO `version_files`;--> statement-breakpoint
CREATE INDEX `version_files_hash_idx` ON `version_files` (`content_hash`);--> statement-breakpoint
-- Dropping project_files dropped its trigger (0003_file_limit.sql): the same limit, again.
CREATE TRIGGER `project_files_limit` BEFORE INSERT ON `project_files`
WHEN (SELECT count(*) FROM `project_files` WHERE `project_id` = NEW.`project_id`) >= 200
BEGIN
  SELECT RAISE(ABORT, 'FILE_LIMIT');
END;
