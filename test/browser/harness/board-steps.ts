/**
 * Boards from a routine's real output: a routine runs in Node against a fake service through a
 * real Gate (test/unit/deploy and test/unit/slack-digest harnesses), and what it stored (the
 * board's records, the connector's state, the Gate's approvals, the job and its run) is copied into
 * the app's IndexedDB as it stands, then the page reloads and reads it.
 */
import type { Page } from "playwright-core";
import type { Database } from "../../../src/store/database";
import { waitForAppReady } from "./app-steps";

/** The stores a board reads; each written as it is in the Node database. */
export const BOARD_STORES = ["deployments", "slackThreads", "connectorState", "approvals", "jobs", "jobRuns"] as const;

export type BoardStore = (typeof BOARD_STORES)[number] | "settings";

/** Every record of each store: `[key, value]` (connectorState keeps its keys out of line). */
export type StoreDump = Partial<Record<BoardStore, [IDBValidKey, unknown][]>>;

/** The stores, and of the settings only the keys named (the rest of the Node database's settings stay there). */
export async function dumpStores(
  db: Database,
  settings: readonly string[] = [],
  stores: readonly BoardStore[] = BOARD_STORES,
): Promise<StoreDump> {
  const dump: StoreDump = {};
  if (settings.length > 0) {
    const values = await Promise.all(settings.map((key) => db.get("settings", key)));
    dump.settings = settings.map((key, index): [IDBValidKey, unknown] => [key, values[index]]);
  }
  for (const store of stores) {
    const tx = db.transaction(store);
    const [keys, values] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll()]);
    await tx.done;
    dump[store] = keys.map((key, index): [IDBValidKey, unknown] => [key, values[index]]);
  }
  return dump;
}

/** Writes the dump into the app's database (inline-keyed stores by value, connectorState by key), then reloads. */
export async function loadStores(page: Page, dump: StoreDump): Promise<void> {
  // Plain JSON across to the page (structured records, no functions): typed loosely at this boundary only.
  const stores = JSON.parse(JSON.stringify(dump)) as Record<string, [string | number, unknown][]>;
  await page.evaluate(async (stores: Record<string, [string | number, unknown][]>) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open("tabclaw");
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error("could not open tabclaw"));
    });
    const names = Object.keys(stores);
    const tx = db.transaction(names, "readwrite");
    for (const name of names) {
      const store = tx.objectStore(name);
      for (const [key, value] of stores[name] ?? []) {
        if (store.keyPath === null) store.put(value, key);
        else store.put(value);
      }
    }
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error("could not store the records"));
    });
    db.close();
  }, stores);
  await page.reload();
  await waitForAppReady(page);
}
