import type { SQLWrapper } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import type { Database } from "../store/db";
import { fileLimit } from "./limits";

/** D1 binds at most 100 parameters per statement. */
const MAX_PARAMS = 100;

/** Splits rows so each multi-row INSERT stays under D1's parameter limit. */
export function chunkRows<T extends object>(rows: T[]): T[][] {
  const columns = Math.max(1, ...rows.map((r) => Object.keys(r).length));
  const size = Math.max(1, Math.floor(MAX_PARAMS / columns));
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}

const dialect = new SQLiteAsyncDialect();

/**
 * One D1 transaction: every statement commits, or none does. Statements are
 * drizzle query builders or `sql` fragments, compiled here and sent with
 * D1's own batch (drizzle's batch cannot bind raw `sql` with parameters).
 */
export async function atomically(db: Database, statements: SQLWrapper[]): Promise<void> {
  if (!statements.length) return;
  try {
    await db.$client.batch(
      statements.map((s) => {
        const query = dialect.sqlToQuery(s.getSQL());
        return db.$client.prepare(query.sql).bind(...query.params);
      }),
    );
  } catch (err) {
    // The file-limit trigger (migration 0003) refused an insert that raced past the check in code.
    if (/FILE_LIMIT/.test(errorText(err))) throw fileLimit();
    throw err;
  }
}

/** A D1 error's message with its cause: D1 puts the SQLite message in either. */
export function errorText(err: unknown): string {
  return err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? "")}` : String(err);
}
