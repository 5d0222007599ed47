import { getTableColumns, type Table } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Database = ReturnType<typeof drizzle<typeof schema>>;

// drizzle() walks the whole schema each time it is called: one instance per binding object.
const instances = new WeakMap<D1Database, Database>();

export function database(d1: D1Database): Database {
  let db = instances.get(d1);
  if (!db) instances.set(d1, (db = drizzle(d1, { schema })));
  return db;
}

/**
 * A table's columns with a row's values in that order, each encoded by drizzle's own column
 * mapper (JSON, timestamps, booleans): for the few statements written by hand, so their rows
 * are the ones drizzle would write and reads through drizzle see them. Missing values are null.
 */
export function tableColumns<T extends Table>(table: T) {
  const columns = Object.entries(getTableColumns(table));
  return {
    names: columns.map(([, c]) => `"${c.name}"`),
    values: (row: T["$inferInsert"]): unknown[] =>
      columns.map(([key, column]) => {
        const value = (row as Record<string, unknown>)[key];
        return value === undefined || value === null ? null : column.mapToDriverValue(value);
      }),
  };
}
