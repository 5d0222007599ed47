CREATE TABLE `audit_events` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`actor_id` text NOT NULL,
	`actor_role` text NOT NULL,
	`action` text NOT NULL,
	`project_id` text,
	`target` text,
	`detail` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_events_project_idx` ON `audit_events` (`project_id`,`at`,`id`);--> statement-breakpoint
CREATE TABLE `blobs` (
	`hash` text PRIMARY KEY NOT NULL,
	`content` text NOT NULL,
	`size` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `project_files` (
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
	CONSTRAINT "project_files_kind_check" CHECK(kind IN ('session', 'technique', 'globals', 'template'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `project_files_project_path_unique` ON `project_files` (`project_id`,`path`);--> statement-breakpoint
CREATE TABLE `project_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`version_number` text NOT NULL,
	`major` integer NOT NULL,
	`minor` integer NOT NULL,
	`patch` integer NOT NULL,
	`release_note` text DEFAULT '' NOT NULL,
	`published_by` text NOT NULL,
	`published_at` integer NOT NULL,
	`is_rollback` integer DEFAULT false NOT NULL,
	`rollback_from_version_id` text,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`rollback_from_version_id`) REFERENCES `project_versions`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `project_versions_project_number_unique` ON `project_versions` (`project_id`,`version_number`);--> statement-breakpoint
CREATE INDEX `project_versions_order_idx` ON `project_versions` (`project_id`,`major`,`minor`,`patch`);--> statement-breakpoint
CREATE TABLE `projects` (
	`id` text PRIMARY KEY NOT NULL,
	`project_name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`owner_id` text NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`language` text DEFAULT 'zh-CN' NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`scheme_descriptions` text DEFAULT '{}' NOT NULL,
	`current_version_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`current_version_id`) REFERENCES `project_versions`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "projects_status_check" CHECK(status IN ('draft', 'published', 'archived', 'deprecated'))
);
--> statement-breakpoint
CREATE INDEX `projects_owner_updated_idx` ON `projects` (`owner_id`,`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `projects_updated_idx` ON `projects` (`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `projects_status_idx` ON `projects` (`status`);--> statement-breakpoint
CREATE TABLE `version_files` (
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
	CONSTRAINT "version_files_kind_check" CHECK(kind IN ('session', 'technique', 'globals', 'template'))
);
--> statement-breakpoint
CREATE INDEX `version_files_hash_idx` ON `version_files` (`content_hash`);