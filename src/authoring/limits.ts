import { DomainError } from "../errors";

/** Files one project may hold. Migration 0003's trigger enforces the same number in the database. */
export const MAX_FILES_PER_PROJECT = 200;

export function fileLimit(): DomainError {
  return new DomainError("FILE_LIMIT", `A project holds at most ${MAX_FILES_PER_PROJECT} files.`);
}
