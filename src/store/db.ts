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
