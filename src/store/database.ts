import { openDB, type IDBPDatabase } from "idb";
import { migrate } from "./migrations";
import { DB_NAME, DB_VERSION, type TabclawDB } from "./schema";

export type Database = IDBPDatabase<TabclawDB>;

/** Opens the one Tabclaw database. Another tab holding an old version is asked to let go. */
export function openDatabase(name = DB_NAME): Promise<Database> {
  return openDB<TabclawDB>(name, DB_VERSION, {
    upgrade: (db, oldVersion, newVersion) => migrate(db, oldVersion, newVersion ?? DB_VERSION),
    blocking: (_current, _blocked, event) => {
      // A newer version of the app opened in another tab: close so its upgrade can run.
      (event.target as IDBDatabase | null)?.close();
    },
  });
}
