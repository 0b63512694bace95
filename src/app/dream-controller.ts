import type { Outcome } from "../../workers/agent-api";
import type { SerializedError } from "../core/errors";
import { firstNoteAt, readJournal, resolveInterrupted, type DreamJournalEntry } from "../memory/dream-journal-store";
import type { DreamProgress, DreamRequest } from "../memory/dream-run";
import { dreamSchedule, parseDreamTime } from "../memory/dream-schedule";
import { MemoryStore } from "../memory/memory-store";
import type { Database } from "../store/database";
import type { MemoryRevisionRecord } from "../store/memory-record";
import type { DreamingSettings } from "../store/setting-guards";
import type { SettingsStore } from "../store/settings-store";
import { Observable } from "./observable";

/** The worker's `dream`, as the bridge gives it. */
export interface DreamPort {
  dream(request: DreamRequest, onProgress?: (progress: DreamProgress) => void): Promise<Outcome<DreamJournalEntry>>;
}

/** Runs `work` only if no other tab holds the dreaming lock; `ran: false` if one does. */
export type DreamLock = <T>(work: () => Promise<T>) => Promise<{ ran: true; value: T } | { ran: false }>;

export const DREAM_LOCK_NAME = "tabclaw-dreaming";

/** The Web Lock that keeps dreaming to one tab (`ifAvailable`: a second tab skips, it does not queue). */
export function webDreamLock(locks: LockManager): DreamLock {
  return async <T>(work: () => Promise<T>) => {
    let result: { ran: true; value: T } | { ran: false } = { ran: false };
    await locks.request(DREAM_LOCK_NAME, { ifAvailable: true }, async (lock) => {
      if (lock) result = { ran: true, value: await work() };
    });
    return result;
  };
}

/** A lock for one realm only (Node tests; a browser without Web Locks). */
export function localDreamLock(): DreamLock {
  let held = false;
  return async <T>(work: () => Promise<T>) => {
    if (held) return { ran: false };
    held = true;
    try {
      return { ran: true, value: await work() };
    } finally {
      held = false;
    }
  };
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
  lock?: DreamLock;
  timeZone?: string;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/** One run as the journal shows it: the entry, and the revision it applied (for the diff and undo). */
export interface DreamRun {
  entry: DreamJournalEntry;
  revision?: MemoryRevisionRecord;
}

/** What became of "Undo this run". */
export type UndoResult = { ok: true; message: string } | { ok: false; message: string };

/** A timer longer than this is cut short and the schedule asked again (sleep, clock changes, DST). */
const MAX_TIMER_MS = 60 * 60_000;
/** After a run that could not start (another tab had the lock, the worker failed), look again later. */
const RETRY_MS = 5 * 60_000;

/**
 * The page's side of dreaming: asks the pure schedule when the next run is due and sets one
 * timer; a due run waits for a loaded model and for the kill switch to be off, takes the
 * `tabclaw-dreaming` Web Lock (so only one tab runs it) and asks the agent worker to dream.
 * It also serves the Dream journal: the runs, "Dream now", undo, and the nightly time setting.
 */
export class DreamController extends Observable {
  readonly timeZone: string;
  #runs: DreamRun[] = [];
  #settings: DreamingSettings = { enabled: true, time: "03:00" };
  #running = false;
  #progress: string | undefined;
  #message: string | undefined;
  #due = false;
  #nextDue: number | undefined;
  #timer: unknown;
  #loaded = false;
  #error: string | undefined;
  readonly #undoMessages = new Map<string, string>();
  readonly #memory: MemoryStore;
  readonly #now: () => number;
  readonly #lock: DreamLock;
  readonly #setTimer: (fn: () => void, ms: number) => unknown;
  readonly #clearTimer: (handle: unknown) => void;

  constructor(private readonly options: DreamControllerOptions) {
    super();
    this.timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    this.#memory = new MemoryStore(options.db);
    this.#now = options.now ?? (() => Date.now());
    const locks = (globalThis.navigator as Navigator | undefined)?.locks;
    this.#lock = options.lock ?? (locks ? webDreamLock(locks) : localDreamLock());
    this.#setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.#clearTimer = options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
    // A due run starts as soon as a model is ready and nothing is paused.
    options.models.subscribe(() => this.#startIfReady());
    options.pause.subscribe(() => this.#startIfReady());
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

  /** A scheduled run is waiting (for a model, or for the pause to end). */
  get due(): boolean {
    return this.#due;
  }

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

  /** Reads the settings and the journal, and sets the timer (or starts a run that was missed). */
  async init(): Promise<void> {
    await this.refresh();
    await this.#check();
  }

  async refresh(): Promise<void> {
    try {
      const db = this.options.db;
      await resolveInterrupted(db, this.#now());
      const [settings, entries] = await Promise.all([this.options.settings.get("dreaming"), readJournal(db)]);
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

  /** Stores the nightly setting; the schedule follows it at once. */
  async saveSettings(enabled: boolean, time: string): Promise<{ ok: true } | { ok: false; message: string }> {
    if (!parseDreamTime(time)) return { ok: false, message: "Enter a time as hours and minutes, for example 03:00." };
    await this.options.settings.set("dreaming", { enabled, time });
    this.#settings = { enabled, time };
    this.changed();
    await this.#check();
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

  /** Stops the timer (tests, teardown). */
  dispose(): void {
    if (this.#timer !== undefined) this.#clearTimer(this.#timer);
    this.#timer = undefined;
  }

  async #check(): Promise<void> {
    this.dispose();
    if (!this.#settings.enabled) {
      this.#due = false;
      this.#nextDue = undefined;
      this.changed();
      return;
    }
    const now = this.#now();
    const lastRun = this.#runs[0]?.entry.at;
    const firstActivity = lastRun === undefined ? await firstNoteAt(this.options.db) : undefined;
    const schedule = dreamSchedule({ lastRun, firstActivity, now, time: this.#settings.time, timeZone: this.timeZone });
    this.#due = schedule.due;
    this.#nextDue = schedule.nextDue;
    if (!schedule.due) this.#wake(schedule.nextDue - now);
    this.changed();
    this.#startIfReady();
  }

  #wake(ms: number): void {
    this.dispose();
    this.#timer = this.#setTimer(() => void this.#check(), Math.max(1_000, Math.min(ms, MAX_TIMER_MS)));
  }

  #startIfReady(): void {
    if (!this.#due || this.blockedReason() !== undefined) return;
    this.#due = false;
    void this.#run("schedule");
  }

  async #run(trigger: DreamRequest["trigger"]): Promise<DreamJournalEntry | undefined> {
    this.#running = true;
    this.#message = undefined;
    this.#progress = "Starting…";
    this.changed();
    let entry: DreamJournalEntry | undefined;
    let failed = false;
    try {
      const onProgress = (progress: DreamProgress) => {
        this.#progress = progress.text;
        this.changed();
      };
      const locked = await this.#lock(async () => {
        const port = await this.options.port();
        return port.dream({ timeZone: this.timeZone, trigger }, this.options.callback?.(onProgress) ?? onProgress);
      });
      if (!locked.ran) {
        failed = true;
        this.#message = "Another Tabclaw tab is dreaming right now; its run will appear here when it ends.";
      } else if (!locked.value.ok) {
        failed = true;
        this.#message = `Dreaming failed: ${describeError(locked.value.error)}`;
      } else {
        entry = locked.value.value;
        this.#message = entry.message;
      }
    } catch (error) {
      failed = true;
      this.#message = `Dreaming failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.#running = false;
      this.#progress = undefined;
    }
    await this.refresh();
    // A run that could not start is tried again later, not in a loop.
    if (failed && trigger === "schedule") this.#wake(RETRY_MS);
    else await this.#check();
    return entry;
  }
}

function describeError(error: SerializedError): string {
  if (error.name === "ModelNotLoadedError") return "no model is loaded. Load one under Models and it runs then.";
  return error.message;
}
