CREATE TABLE `guard_actions` (
	`id` text PRIMARY KEY NOT NULL,
	`session_id` text,
	`turn` integer NOT NULL,
	`message_id` text,
	`action_id` text,
	`source` text NOT NULL,
	`kinds` text NOT NULL,
	`action` text NOT NULL,
	`locale` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "guard_actions_source_check" CHECK(source IN ('model', 'local')),
	CONSTRAINT "guard_actions_action_check" CHECK(action IN ('rewritten', 'canned'))
);
--> statement-breakpoint
CREATE INDEX `guard_actions_created_idx` ON `guard_actions` (`created_at`);--> statement-breakpoint
CREATE INDEX `guard_actions_session_idx` ON `guard_actions` (`session_id`);