-- Custom SQL (drizzle cannot express triggers): the per-project file limit
-- (MAX_FILES_PER_PROJECT in src/authoring/files.ts) enforced by the
-- database, so two concurrent writes cannot both pass the count check in code.
CREATE TRIGGER `project_files_limit` BEFORE INSERT ON `project_files`
WHEN (SELECT count(*) FROM `project_files` WHERE `project_id` = NEW.`project_id`) >= 200
BEGIN
  SELECT RAISE(ABORT, 'FILE_LIMIT');
END;
