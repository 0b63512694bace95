import { dayKey } from "../core/agent/local-day";
import type { ChatEngine } from "../engine/chat-engine";
import { readFrom, readJournal, type DreamJournalEntry } from "../memory/dream-journal-store";
import { FIRST_RUN_LOOKBACK_MS, runDream, type DreamProgress } from "../memory/dream-run";
import { MemoryStore } from "../memory/memory-store";
import type { Database } from "../store/database";
import type { RoutineResult } from "./job-runner";
import type { CheckResult, ScheduledRoutine } from "./routine";
import { withRoutineDb, type RoutineDatabase } from "./routine-database";

/** The dreaming job's id and routine: one job, daily at the Dreaming setting's time. */
export const DREAMING_JOB_ID = "dreaming";

export interface DreamingRoutineOptions extends RoutineDatabase {
  engine: () => ChatEngine | undefined;
  timeZone: string;
  /** The scheduler's clock (tests pass a fake one). */
  now?: () => number;
}

/** Notes a dreaming run would read now: after the last note a finished run read. */
export async function notesToDream(db: Database, now: number, timeZone: string): Promise<number> {
  const from = readFrom(await readJournal(db)) ?? now - FIRST_RUN_LOOKBACK_MS;
  const notes = await new MemoryStore(db).notesBetween(dayKey(from, timeZone), dayKey(now, timeZone));
  return notes.filter((note) => note.at > from && note.at <= now).length;
}

/** A journal entry as a job run: tokens spent, notes read, and the entry's one line. */
export function dreamRunResult(entry: DreamJournalEntry): RoutineResult {
  const base = { tokens: entry.tokens, itemsFound: entry.notesRead, message: entry.message };
  if (entry.status === "failed" || entry.status === "interrupted") return { ...base, outcome: "failed" };
  if (entry.status === "nothing_new" && entry.tokens === 0) return { ...base, outcome: "nothing-new" };
  return { ...base, outcome: "ran" };
}

/** Runs `runDream` with its own connection and returns the journal entry. */
export async function dreamOnce(
  options: DreamingRoutineOptions,
  trigger: "schedule" | "manual",
  signal: AbortSignal,
  onProgress?: (progress: DreamProgress) => void,
): Promise<DreamJournalEntry> {
  return withRoutineDb(options, (db) =>
    runDream({
      engine: options.engine(),
      db,
      request: { timeZone: options.timeZone, trigger },
      signal,
      ...(options.now ? { now: options.now } : {}),
      ...(onProgress ? { onProgress } : {}),
    }),
  );
}

/**
 * Dreaming on the scheduler. The check counts the notes written since the last run read (an
 * IndexedDB read): none means nothing new, no model call and no journal entry. The run is
 * `runDream`, which writes its journal entry as before.
 */
export function dreamingRoutine(options: DreamingRoutineOptions): ScheduledRoutine {
  return {
    id: DREAMING_JOB_ID,
    needsModel: true,
    async check({ now }): Promise<CheckResult> {
      const items = await withRoutineDb(options, (db) => notesToDream(db, now, options.timeZone));
      return items === 0 ? { kind: "nothing-new", message: "No notes since the last run." } : { kind: "new", items };
    },
    async run({ signal }) {
      return dreamRunResult(await dreamOnce(options, "schedule", signal));
    },
  };
}
