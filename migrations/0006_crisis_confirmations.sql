CREATE TABLE `crisis_confirmations` (
	`id` text PRIMARY KEY NOT NULL,
	`session_id` text,
	`turn` integer NOT NULL,
	`message_id` text,
	`action_id` text,
	`locale` text NOT NULL,
	`created_at` integer NOT NULL,
	`level` text NOT NULL,
	`outcome` text NOT NULL,
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "crisis_confirmations_level_check" CHECK(level IN ('none', 'low', 'high', 'imminent')),
	CONSTRAINT "crisis_confirmations_outcome_check" CHECK(outcome IN ('confirmed', 'denied', 'unclear'))
);
--> statement-breakpoint
CREATE INDEX `crisis_confirmations_created_idx` ON `crisis_confirmations` (`created_at`);--> statement-breakpoint
CREATE INDEX `crisis_confirmations_session_idx` ON `crisis_confirmations` (`session_id`);