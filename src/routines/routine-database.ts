import type { Database } from "../store/database";

/** How a routine reaches IndexedDB: a connection per use, since a schema upgrade in a newer tab closes old ones. */
export interface RoutineDatabase {
  /** Opens a connection for one use. */
  db: () => Promise<Database>;
  /** Leave the connection open after use (tests share one); closed by default. */
  keepOpen?: boolean;
}

/** Runs `work` on a connection of its own, closed after unless `keepOpen` says otherwise. */
export async function withRoutineDb<T>(options: RoutineDatabase, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await options.db();
  try {
    return await work(db);
  } finally {
    if (!options.keepOpen) db.close();
  }
}
