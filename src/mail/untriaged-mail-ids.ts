import type { Database } from "../store/database";

/**
 * The ids of the mail waiting for triage, newest first. Ids only: a routine that works through
 * thousands of imported mails then reads one record at a time (bodies can be hundreds of KB),
 * so its memory stays flat however large the backlog.
 */
export async function untriagedMailIds(db: Database): Promise<string[]> {
  const keys = await db.getAllKeysFromIndex(
    "mail",
    "byStatus",
    IDBKeyRange.bound(["new", -Infinity], ["new", Infinity]),
  );
  return keys.reverse();
}

/** The newest mail waiting for triage (its id), to notice that new mail arrived without reading it all. */
export async function newestUntriagedId(db: Database): Promise<string | undefined> {
  const cursor = await db
    .transaction("mail")
    .store.index("byStatus")
    .openKeyCursor(IDBKeyRange.bound(["new", -Infinity], ["new", Infinity]), "prev");
  return cursor?.primaryKey;
}
