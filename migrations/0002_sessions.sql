CREATE TABLE `messages` (
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
	CONSTRAINT "messages_role_check" CHECK(role IN ('user', 'assistant'))
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`project_id` text,
	`version_id` text,
	`version_number` text,
	`script_path` text,
	`script_id` text NOT NULL,
	`script_hash` text NOT NULL,
	`templates` text NOT NULL,
	`debug` integer NOT NULL,
	`status` text NOT NULL,
	`execution_status` text NOT NULL,
	`position` text NOT NULL,
	`variables` text NOT NULL,
	`state` text NOT NULL,
	`last_seq` integer NOT NULL,
	`last_turn` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`last_activity_at` integer NOT NULL,
	`completed_at` integer,
	CONSTRAINT "sessions_status_check" CHECK(status IN ('active', 'paused', 'completed', 'archived')),
	CONSTRAINT "sessions_execution_status_check" CHECK(execution_status IN ('waiting_input', 'completed', 'error'))
);
--> statement-breakpoint
CREATE INDEX `sessions_user_created_idx` ON `sessions` (`user_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `sessions_script_hash_idx` ON `sessions` (`script_hash`);--> statement-breakpoint
CREATE TABLE `variable_changes` (
	`session_id` text NOT NULL,
	`turn` integer NOT NULL,
	`idx` integer NOT NULL,
	`action_id` text,
	`name` text NOT NULL,
	`scope` text NOT NULL,
	`value` text NOT NULL,
	`previous` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`session_id`, `turn`, `idx`),
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE cascade
);
