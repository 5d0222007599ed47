-- A counselor's messages join the log as role 'counselor' (Counselors in the session). SQLite changes a
-- CHECK only by rebuilding the table; D1 keeps foreign keys on, and nothing references messages.
CREATE TABLE `__new_messages` (
	`session_id` text NOT NULL,
	`seq` integer NOT NULL,
	`id` text NOT NULL,
	`role` text NOT NULL,
	`content` text NOT NULL,
	`action_id` text,
	`client_message_id` text,
	`metadata` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`session_id`, `seq`),
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "messages_role_check" CHECK(role IN ('user', 'assistant', 'counselor'))
);
--> statement-breakpoint
INSERT INTO `__new_messages`("session_id", "seq", "id", "role", "content", "action_id", "client_message_id", "metadata", "created_at") SELECT "session_id", "seq", "id", "role", "content", "action_id", "client_message_id", "metadata", "created_at" FROM `messages`;--> statement-breakpoint
DROP TABLE `messages`;--> statement-breakpoint
ALTER TABLE `__new_messages` RENAME TO `messages`;
