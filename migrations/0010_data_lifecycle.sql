CREATE TABLE `project_plans` (
	`project_id` text PRIMARY KEY NOT NULL,
	`retention_days` integer,
	`jurisdiction` text,
	`location_hint` text,
	`split_version_id` text,
	`split_base_version_id` text,
	`split_percent` integer,
	`split_since` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`split_version_id`) REFERENCES `project_versions`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`split_base_version_id`) REFERENCES `project_versions`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "project_plans_jurisdiction_check" CHECK(jurisdiction IS NULL OR jurisdiction IN ('eu', 'fedramp')),
	CONSTRAINT "project_plans_location_hint_check" CHECK(location_hint IS NULL OR location_hint IN ('wnam', 'enam', 'sam', 'weur', 'eeur', 'apac', 'oc', 'afr', 'me')),
	CONSTRAINT "project_plans_split_percent_check" CHECK(split_percent IS NULL OR (split_percent BETWEEN 1 AND 99)),
	CONSTRAINT "project_plans_retention_check" CHECK(retention_days IS NULL OR retention_days >= 1)
);
--> statement-breakpoint
ALTER TABLE `sessions` ADD `retention_days` integer;--> statement-breakpoint
CREATE INDEX `sessions_last_activity_idx` ON `sessions` (`last_activity_at`);