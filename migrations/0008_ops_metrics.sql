CREATE TABLE `alert_incidents` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`opened_at` integer NOT NULL,
	`resolved_at` integer,
	`notified_at` integer,
	`value` real NOT NULL,
	`threshold` real NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alert_incidents_open_idx` ON `alert_incidents` (`kind`) WHERE resolved_at IS NULL;--> statement-breakpoint
CREATE TABLE `canary_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`started_at` integer NOT NULL,
	`ok` integer NOT NULL,
	`latency_ms` integer NOT NULL,
	`turns` integer NOT NULL,
	`code` text,
	`mirror_lag_ms` integer
);
--> statement-breakpoint
CREATE INDEX `canary_runs_started_idx` ON `canary_runs` (`started_at`);--> statement-breakpoint
CREATE TABLE `turn_metrics` (
	`id` text PRIMARY KEY NOT NULL,
	`session_id` text,
	`turn` integer NOT NULL,
	`request_id` text,
	`project_id` text,
	`version_id` text,
	`script_id` text NOT NULL,
	`worker_version` text,
	`channel` text NOT NULL,
	`status` text NOT NULL,
	`code` text,
	`latency_ms` integer NOT NULL,
	`llm_calls` integer NOT NULL,
	`model_ms` integer NOT NULL,
	`input_tokens` integer NOT NULL,
	`output_tokens` integer NOT NULL,
	`model` text,
	`risk_level` text NOT NULL,
	`safety_flags` integer NOT NULL,
	`referrals` integer NOT NULL,
	`guarded` integer NOT NULL,
	`ended_at` integer NOT NULL,
	`mirrored_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `turn_metrics_ended_idx` ON `turn_metrics` (`ended_at`);--> statement-breakpoint
CREATE INDEX `turn_metrics_session_idx` ON `turn_metrics` (`session_id`);