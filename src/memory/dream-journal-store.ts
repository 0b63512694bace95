import type { Database } from "../store/database";

/**
 * The Dream journal: one entry per dreaming run, including runs that changed nothing, so the
 * user sees that a night was dreamt and why nothing came of it.
 *
 * Kept in the key-value `settings` store under one key rather than a store of its own: a new
 * object store needs a schema version, and a journal of at most {@link MAX_JOURNAL_ENTRIES} short
 * entries is small. The facts themselves change only through `MemoryStore.applyRevision`.
 */

export const JOURNAL_KEY = "dreamJournal";
export const MAX_JOURNAL_ENTRIES = 100;

export type DreamStatus =
  /** Written before the model is asked; a run that never finished stays so until read back. */
  | "running"
  | "applied"
  | "refused"
  | "nothing_new"
  | "failed"
  /** The tab closed (or the worker died) mid-run, before any change was applied. */
  | "interrupted";

/** Facts a merge folded into one: the first keeps its id, the others were retired. */
export interface DreamMerge {
  into: string;
  from: string[];
}

export interface DreamJournalEntry {
  id: string;
  /** When the run started; also the `createdAt` of its revision, which is how an interrupted run is resolved. */
  at: number;
  /** The user's day it ran on, `YYYY-MM-DD`. */
  day: string;
  trigger: "schedule" | "manual";
  status: DreamStatus;
  /** One line for the journal: what happened, in words. */
  message: string;
  /** Why a run was refused, or what failed. */
  reasons: string[];
  /** Operations the guards left out or marked untrusted, in words. */
  notes: string[];
  notesRead: number;
  /** Notes past the reading cap, left for the next run. */
  notesLeft: number;
  /** The time of the last note read: the next run reads notes after it. Absent when nothing was read. */
  readThrough?: number;
  tokens: number;
  revisionId?: string;
  merges: DreamMerge[];
  finishedAt?: number;
}

function isEntry(value: unknown): value is DreamJournalEntry {
  if (typeof value !== "object" || value === null) return false;
  const entry = value as Partial<DreamJournalEntry>;
  return (
    typeof entry.id === "string" &&
    typeof entry.at === "number" &&
    typeof entry.status === "string" &&
    Array.isArray(entry.reasons) &&
    Array.isArray(entry.notes) &&
    Array.isArray(entry.merges)
  );
}

/** Every stored entry, newest first; a malformed stored value reads as an empty journal. */
export async function readJournal(db: Database): Promise<DreamJournalEntry[]> {
  const stored = await db.get("settings", JOURNAL_KEY);
  const entries = Array.isArray(stored) ? stored.filter(isEntry) : [];
  return entries.sort((a, b) => b.at - a.at);
}

/**
 * Adds or replaces an entry (by id), in one transaction so two writers cannot lose each other's
 * entries. The oldest entries beyond the cap are dropped.
 */
export async function writeJournalEntry(db: Database, entry: DreamJournalEntry): Promise<void> {
  const tx = db.transaction("settings", "readwrite");
  const stored = await tx.store.get(JOURNAL_KEY);
  const entries = (Array.isArray(stored) ? stored.filter(isEntry) : []).filter((old) => old.id !== entry.id);
  entries.push(entry);
  entries.sort((a, b) => b.at - a.at);
  await tx.store.put(entries.slice(0, MAX_JOURNAL_ENTRIES), JOURNAL_KEY);
  await tx.done;
}

/**
 * The journal as it really is: an entry left `running` by a closed tab is resolved against the
 * revisions. If a dreaming revision was stored at the run's start time, the run's one transaction
 * committed and it is `applied`; otherwise nothing of it was written and it is `interrupted`.
 * Only entries older than `staleAfterMs` are resolved, so a run still going in another tab is left alone.
 */
export async function resolveInterrupted(db: Database, now: number, staleAfterMs = 10 * 60_000): Promise<void> {
  const entries = await readJournal(db);
  for (const entry of entries) {
    if (entry.status !== "running" || now - entry.at < staleAfterMs) continue;
    const revisions = await db.getAllFromIndex("memoryRevisions", "byCreated", entry.at);
    const revision = revisions.find((candidate) => candidate.origin === "dreaming");
    await writeJournalEntry(
      db,
      revision
        ? {
            ...entry,
            status: "applied",
            revisionId: revision.id,
            message: "Applied. The tab closed before the run was written to the journal.",
          }
        : {
            ...entry,
            status: "interrupted",
            message: "Interrupted: the tab closed or the worker stopped before anything was changed.",
            readThrough: undefined,
          },
    );
  }
}

/** When the next run should start reading: after the last note a finished run read. */
export function readFrom(entries: readonly DreamJournalEntry[]): number | undefined {
  let latest: number | undefined;
  for (const entry of entries) {
    if (entry.status !== "applied" && entry.status !== "nothing_new" && entry.status !== "refused") continue;
    if (entry.readThrough !== undefined && (latest === undefined || entry.readThrough > latest))
      latest = entry.readThrough;
  }
  return latest;
}

/** When the oldest note was written, or undefined if there is none. */
export async function firstNoteAt(db: Database): Promise<number | undefined> {
  const cursor = await db.transaction("notes").store.index("byDay").openCursor();
  return cursor?.value.at;
}
