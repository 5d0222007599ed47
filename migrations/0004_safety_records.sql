CREATE TABLE `crisis_referrals` (
	`id` text PRIMARY KEY NOT NULL,
	`session_id` text,
	`turn` integer NOT NULL,
	`message_id` text,
	`action_id` text,
	`level` text NOT NULL,
	`locale` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "crisis_referrals_level_check" CHECK(level IN ('none', 'low', 'high', 'imminent'))
);
--> statement-breakpoint
CREATE INDEX `crisis_referrals_created_idx` ON `crisis_referrals` (`created_at`);--> statement-breakpoint
CREATE INDEX `crisis_referrals_session_idx` ON `crisis_referrals` (`session_id`);--> statement-breakpoint
CREATE TABLE `safety_flags` (
	`id` text PRIMARY KEY NOT NULL,
	`session_id` text,
	`turn` integer NOT NULL,
	`message_id` text,
	`action_id` text,
	`level` text NOT NULL,
	`locale` text NOT NULL,
	`created_at` integer NOT NULL,
	`source` text NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "safety_flags_level_check" CHECK(level IN ('none', 'low', 'high', 'imminent')),
	CONSTRAINT "safety_flags_source_check" CHECK(source IN ('model', 'input'))
);
--> statement-breakpoint
CREATE INDEX `safety_flags_created_idx` ON `safety_flags` (`created_at`);--> statement-breakpoint
CREATE INDEX `safety_flags_session_idx` ON `safety_flags` (`session_id`);--> statement-breakpoint
ALTER TABLE `sessions` ADD `risk_level` text DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE `sessions` ADD `risk_raised_at` integer;--> statement-breakpoint
CREATE INDEX `sessions_risk_created_idx` ON `sessions` (`risk_level`,`created_at`,`id`);