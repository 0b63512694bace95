import "fake-indexeddb/auto";
import { openDatabase, type Database } from "../../../src/store/database";

/** Deletes a database, failing the test if it cannot (an unclosed connection blocks it). */
export function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(new Error(`could not delete ${name}`));
    request.onblocked = () => reject(new Error(`${name} is still open somewhere`));
  });
}

/** A database of its own for one test: `reopen` is a page reload, `dispose` the teardown. */
export class FreshDatabase {
  readonly name = `tabclaw-test-${crypto.randomUUID()}`;
  #db: Database | undefined;

  get db(): Database {
    if (!this.#db) throw new Error("open() first");
    return this.#db;
  }

  async open(): Promise<Database> {
    this.#db = await openDatabase(this.name);
    return this.#db;
  }

  /** Closes and opens again, as a reload does. */
  async reopen(): Promise<Database> {
    this.#db?.close();
    return this.open();
  }

  async dispose(): Promise<void> {
    this.#db?.close();
    this.#db = undefined;
    await deleteDatabase(this.name);
  }
}
