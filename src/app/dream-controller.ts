import type { Outcome } from "../../workers/agent-api";
import type { SerializedError } from "../core/errors";
import { readJournal, resolveInterrupted, type DreamJournalEntry } from "../memory/dream-journal-store";
import type { DreamProgress, DreamRequest } from "../memory/dream-run";
import { parseDreamTime } from "../memory/dream-schedule";
import { MemoryStore } from "../memory/memory-store";
import { dreamingJob } from "../routines/default-jobs";
import { DREAMING_JOB_ID } from "../routines/dreaming-routine";
import { announceJobsChanged, isJobsMessage, JOBS_CHANNEL } from "../routines/jobs-channel";
import type { Database } from "../store/database";
import { JobStore } from "../store/job-store";
import type { MemoryRevisionRecord } from "../store/memory-record";
import type { DreamingSettings } from "../store/setting-guards";
import type { SettingsStore } from "../store/settings-store";
import { Observable } from "./observable";

/** The worker's `dream`, as the bridge gives it. */
export interface DreamPort {
  dream(request: DreamRequest, onProgress?: (progress: DreamProgress) => void): Promise<Outcome<DreamJournalEntry>>;
}

interface Subscribable {
  subscribe(listener: () => void): () => void;
}

export interface DreamControllerOptions {
  db: Database;
  settings: SettingsStore;
  port: () => Promise<DreamPort>;
  /** Wraps the progress callback for the worker boundary (comlink's `proxy`). */
  callback?: (fn: (progress: DreamProgress) => void) => (progress: DreamProgress) => void;
  /** The model controller: a run needs `load.kind === "ready"`. */
  models: Subscribable & { readonly load: { readonly kind: string } };
  /** The kill switch: nothing starts while paused. */
  pause: Subscribable & { readonly paused: boolean };
  timeZone?: string;
  now?: () => number;
  /** Tells the schedulers the dreaming job changed (default: the `tabclaw-jobs` BroadcastChannel). */
  announceJobsChanged?: () => void;
}

/** One run as the journal shows it: the entry, and the revision it applied (for the diff and undo). */
export interface DreamRun {
  entry: DreamJournalEntry;
  revision?: MemoryRevisionRecord;
}

/** What became of "Undo this run". */
export type UndoResult = { ok: true; message: string } | { ok: false; message: string };

/**
 * The page's side of dreaming. The nightly run is the `dreaming` job of the agent worker's
 * scheduler (src/routines/scheduler.ts), which catches up a missed night once, waits for a model
 * and skips while paused; this controller serves the Dream journal: the runs (read again when the
 * scheduler announces a dreaming run), "Dream now" (the worker runs the job at once), undo, and
 * the nightly setting, which it writes to the job too.
 */
export class DreamController extends Observable {
  readonly timeZone: string;
  #runs: DreamRun[] = [];
  #settings: DreamingSettings = { enabled: true, time: "03:00" };
  #running = false;
  #progress: string | undefined;
  #message: string | undefined;
  #nextDue: number | undefined;
  #loaded = false;
  #error: string | undefined;
  #channel: BroadcastChannel | undefined;
  readonly #undoMessages = new Map<string, string>();
  readonly #memory: MemoryStore;
  readonly #now: () => number;

  constructor(private readonly options: DreamControllerOptions) {
    super();
    this.timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    this.#memory = new MemoryStore(options.db);
    this.#now = options.now ?? (() => Date.now());
  }

  get runs(): readonly DreamRun[] {
    return this.#runs;
  }

  get settings(): DreamingSettings {
    return this.#settings;
  }

  get running(): boolean {
    return this.#running;
  }

  get progress(): string | undefined {
    return this.#progress;
  }

  /** The outcome of the last "Dream now" or scheduled run, in words. */
  get message(): string | undefined {
    return this.#message;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  get error(): string | undefined {
    return this.#error;
  }

  /** When the dreaming job runs next, as the scheduler last computed it. */
  get nextDue(): number | undefined {
    return this.#nextDue;
  }

  /** Why "Dream now" cannot run, or undefined when it can. */
  blockedReason(): string | undefined {
    if (this.options.pause.paused) return "Tabclaw is paused. Nothing runs until you resume.";
    if (this.options.models.load.kind !== "ready") {
      return "Dreaming asks the model: load one first (Models → Load).";
    }
    if (this.#running) return "A run is going on.";
    return undefined;
  }

  undoMessage(entryId: string): string | undefined {
    return this.#undoMessages.get(entryId);
  }

  /** Reads the settings and the journal, and follows the scheduler's dreaming runs. */
  async init(): Promise<void> {
    if (!this.#channel && typeof BroadcastChannel !== "undefined") {
      this.#channel = new BroadcastChannel(JOBS_CHANNEL);
      this.#channel.onmessage = (event: MessageEvent<unknown>) => {
        const message = event.data;
        if (isJobsMessage(message) && message.type === "ran" && message.jobId === DREAMING_JOB_ID) void this.refresh();
      };
    }
    await this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      const db = this.options.db;
      await resolveInterrupted(db, this.#now());
      const [settings, entries, job] = await Promise.all([
        this.options.settings.get("dreaming"),
        readJournal(db),
        new JobStore(db).getJob(DREAMING_JOB_ID),
      ]);
      this.#nextDue = job?.enabled ? job.nextRunAt : undefined;
      const revisions = await Promise.all(
        entries.map((entry) =>
          entry.revisionId !== undefined ? this.#memory.getRevision(entry.revisionId) : Promise.resolve(undefined),
        ),
      );
      this.#settings = settings;
      this.#runs = entries.map((entry, index) => {
        const revision = revisions[index];
        return revision ? { entry, revision } : { entry };
      });
      this.#loaded = true;
      this.#error = undefined;
    } catch (error) {
      this.#error = `The Dream journal could not be read: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.changed();
  }

  /** Stores the nightly setting and the dreaming job's schedule; the schedulers read it again at once. */
  async saveSettings(enabled: boolean, time: string): Promise<{ ok: true } | { ok: false; message: string }> {
    if (!parseDreamTime(time)) return { ok: false, message: "Enter a time as hours and minutes, for example 03:00." };
    await this.options.settings.set("dreaming", { enabled, time });
    this.#settings = { enabled, time };
    const now = this.#now();
    const jobs = new JobStore(this.options.db);
    const job = await jobs.getJob(DREAMING_JOB_ID);
    const updated = job
      ? {
          ...job,
          schedule: { kind: "daily" as const, time },
          enabled,
          // Turned back on: the nights it was off are not caught up.
          ...(enabled && !job.enabled && { since: now }),
        }
      : dreamingJob({ enabled, time }, this.timeZone, now);
    const stored = await jobs.put(updated, now);
    this.#nextDue = stored.enabled ? stored.nextRunAt : undefined;
    (this.options.announceJobsChanged ?? announceJobsChanged)();
    this.changed();
    return { ok: true };
  }

  /** "Dream now": a run right away, if a model is loaded and nothing is paused. */
  async dreamNow(): Promise<DreamJournalEntry | undefined> {
    const blocked = this.blockedReason();
    if (blocked) {
      this.#message = blocked;
      this.changed();
      return undefined;
    }
    return this.#run("manual");
  }

  /** Puts back what a run changed, unless a fact it touched has changed since; then nothing is undone. */
  async undo(entryId: string): Promise<UndoResult> {
    const run = this.#runs.find((candidate) => candidate.entry.id === entryId);
    const revision = run?.revision;
    let result: UndoResult;
    if (!revision) result = { ok: false, message: "This run changed nothing, so there is nothing to undo." };
    else {
      const outcome = await this.#memory.undoRevision(revision.id, this.#now());
      if (outcome.ok) result = { ok: true, message: "Undone: the facts are as they were before this run." };
      else if (outcome.reason === "already_undone") result = { ok: false, message: "This run was already undone." };
      else if (outcome.reason === "not_found")
        result = { ok: false, message: "This run's changes are no longer stored." };
      else if (outcome.reason === "conflict") {
        const texts = outcome.factIds.map((id) => {
          const change = revision.changes.find((candidate) => candidate.factId === id);
          const text = change?.after?.text ?? change?.before?.text ?? id;
          return `“${text}”`;
        });
        result = {
          ok: false,
          message:
            `Nothing was undone: ${texts.length === 1 ? "this fact has" : "these facts have"} changed since this run: ` +
            `${texts.join(", ")}. Undo the later change first.`,
        };
      } else result = { ok: false, message: "This run could not be undone." };
    }
    this.#undoMessages.set(entryId, result.message);
    await this.refresh();
    return result;
  }

  /** Stops listening (tests, teardown). */
  dispose(): void {
    this.#channel?.close();
    this.#channel = undefined;
  }

  async #run(trigger: DreamRequest["trigger"]): Promise<DreamJournalEntry | undefined> {
    this.#running = true;
    this.#message = undefined;
    this.#progress = "Starting…";
    this.changed();
    let entry: DreamJournalEntry | undefined;
    try {
      const onProgress = (progress: DreamProgress) => {
        this.#progress = progress.text;
        this.changed();
      };
      // The worker runs the dreaming job now, under the job's lock: one tab at a time.
      const port = await this.options.port();
      const outcome = await port.dream(
        { timeZone: this.timeZone, trigger },
        this.options.callback?.(onProgress) ?? onProgress,
      );
      if (!outcome.ok)
        this.#message =
          outcome.error.name === "JobBusyError"
            ? outcome.error.message
            : `Dreaming failed: ${describeError(outcome.error)}`;
      else {
        entry = outcome.value;
        this.#message = entry.message;
      }
    } catch (error) {
      this.#message = `Dreaming failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.#running = false;
      this.#progress = undefined;
    }
    await this.refresh();
    return entry;
  }
}

function describeError(error: SerializedError): string {
  if (error.name === "ModelNotLoadedError") return "no model is loaded. Load one under Models and it runs then.";
  return error.message;
}
