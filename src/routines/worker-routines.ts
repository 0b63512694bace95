import type { ChatEngine } from "../engine/chat-engine";
import { announceMailChanged } from "../mail/mail-channel";
import type { DreamJournalEntry } from "../memory/dream-journal-store";
import type { DreamProgress, DreamRequest } from "../memory/dream-run";
import { ApprovalStore } from "../store/approval-store";
import type { Database } from "../store/database";
import type { JobRecord, JobRunRecord } from "../store/job-record";
import { JobStore, type RunRange } from "../store/job-store";
import { KillSwitch } from "../store/kill-switch";
import { readSetting } from "../store/settings-store";
import { systemClock, type Clock } from "./clock";
import { defaultJobs } from "./default-jobs";
import { deployWatchRoutine } from "./deploy-watch-routine";
import { DREAMING_JOB_ID, dreamingRoutine, dreamOnce, dreamRunResult } from "./dreaming-routine";
import { InProcessJobLocks, WebJobLocks, type JobLocks } from "./job-lock";
import { isJobsMessage, JOBS_CHANNEL, type JobsMessage } from "./jobs-channel";
import { mailTriageRoutine } from "./mail-triage-routine";
import { morningBriefingRoutine } from "./morning-briefing-routine";
import { RoutineRegistry, type ProposeAction } from "./routine";
import { Scheduler, type SchedulerLedger } from "./scheduler";
import { slackDigestRoutine } from "./slack-digest-routine";

/**
 * The Gate's BroadcastChannel (`GATE_CHANNEL` in src/gate/gate.ts, checked equal by a test),
 * named here so the worker does not load the whole Gate to hear the kill switch.
 */
export const GATE_CHANNEL_NAME = "tabclaw-gate";

export interface WorkerRoutinesOptions {
  openDb: () => Promise<Database>;
  engine: () => ChatEngine | undefined;
  /** The user's IANA zone, from the page (a worker's own zone is the same, but the page's is the one shown). */
  timeZone: string;
  clock?: Clock;
  locks?: JobLocks;
  /** The page's `gate.propose`; also settable later, when the page starts the scheduler. */
  proposeAction?: ProposeAction;
}

/** Runs `work` on a connection of its own, closed after: a schema upgrade in a newer tab closes old ones. */
async function withDb<T>(open: () => Promise<Database>, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await open();
  try {
    return await work(db);
  } finally {
    db.close();
  }
}

/** The `JobStore`, opened per use, as the long-lived scheduler needs it. */
export function jobLedger(open: () => Promise<Database>): SchedulerLedger & {
  runsBetween(range: RunRange): Promise<JobRunRecord[]>;
} {
  const use = <T>(work: (store: JobStore) => Promise<T>) => withDb(open, (db) => work(new JobStore(db)));
  return {
    list: () => use((store) => store.list()),
    getJob: (id) => use((store) => store.getJob(id)),
    put: (job: JobRecord, now: number) => use((store) => store.put(job, now)),
    startRun: (run, job) => use((store) => store.startRun(run, job)),
    finishRun: (run) => use((store) => store.finishRun(run)),
    resolveInterrupted: (now) => use((store) => store.resolveInterrupted(now)),
    runsBetween: (range) => use((store) => store.runsBetween(range)),
  };
}

/** Logged, not thrown: the loop goes on at its next wake. */
function warn(error: unknown): void {
  console.warn("Routines:", error);
}

function defaultLocks(): JobLocks {
  const locks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
  return locks ? new WebJobLocks(locks) : new InProcessJobLocks();
}

/**
 * The routines as the agent worker runs them: the scheduler over the stored jobs, dreaming, the
 * morning briefing and mail triage registered, the page's "jobs changed" and the Gate's kill switch heard on their
 * BroadcastChannels, and every finished run announced back to the pages.
 */
export class WorkerRoutines {
  readonly scheduler: Scheduler;
  readonly #options: WorkerRoutinesOptions;
  #channels: BroadcastChannel[] = [];
  #proposeAction: ProposeAction | undefined;

  constructor(options: WorkerRoutinesOptions) {
    this.#options = options;
    this.#proposeAction = options.proposeAction;
    const ledger = jobLedger(options.openDb);
    const clock = options.clock ?? systemClock;
    const dreaming = { db: options.openDb, engine: options.engine, timeZone: options.timeZone, now: () => clock.now() };
    const routines = new RoutineRegistry([
      dreamingRoutine(dreaming),
      morningBriefingRoutine({
        runsBetween: (range) => ledger.runsBetween(range),
        waitingApprovals: () => withDb(options.openDb, async (db) => (await new ApprovalStore(db).waiting()).length),
      }),
      mailTriageRoutine({
        db: options.openDb,
        engine: options.engine,
        announce: announceMailChanged,
        now: () => clock.now(),
        timeZone: options.timeZone,
      }),
      deployWatchRoutine({ engine: options.engine, db: options.openDb }),
      slackDigestRoutine({ engine: options.engine, db: options.openDb }),
    ]);
    this.scheduler = new Scheduler({
      clock,
      locks: options.locks ?? defaultLocks(),
      ledger,
      routines,
      isPaused: () => withDb(options.openDb, (db) => new KillSwitch(db).isOn()),
      modelLoaded: () => options.engine()?.loadedModelId !== undefined,
      proposeAction: () => this.#proposeAction,
      defaultJobs: (now) =>
        withDb(options.openDb, async (db) =>
          defaultJobs(await readSetting({ get: (key) => db.get("settings", key) }, "dreaming"), options.timeZone, now),
        ),
      onError: warn,
      onRun: (run) => this.#announce({ type: "ran", jobId: run.jobId, runId: run.id, outcome: run.outcome }),
    });
  }

  /** Starts listening and the loop; idempotent. Resolves once the default jobs exist. */
  start(): Promise<void> {
    if (this.#channels.length === 0 && typeof BroadcastChannel !== "undefined") {
      const jobs = new BroadcastChannel(JOBS_CHANNEL);
      jobs.onmessage = (event: MessageEvent<unknown>) => {
        if (isJobsMessage(event.data) && event.data.type === "changed") void this.scheduler.jobsChanged();
      };
      const gate = new BroadcastChannel(GATE_CHANNEL_NAME);
      // The Gate announces every change of approvals and the kill switch; the switch is read again.
      gate.onmessage = () => void this.#readPause().catch(warn);
      this.#channels = [jobs, gate];
    }
    this.scheduler.start().catch(warn);
    return this.scheduler.ready();
  }

  /**
   * The page's Gate, for routines that read connectors and propose actions (mail triage). The
   * latest page to start the scheduler wins: its Gate is the one that answers.
   */
  setProposeAction(proposeAction: ProposeAction | undefined): void {
    this.#proposeAction = proposeAction;
  }

  /**
   * Runs a job at once through the scheduler (its lock, its watchdog, a manual run on record) and
   * returns the finished run: the Inbox's "Triage now". Busy or missing jobs are clear errors.
   */
  async runJobNow(jobId: string): Promise<JobRunRecord> {
    await this.start();
    const attempt = await this.scheduler.runNow(jobId);
    switch (attempt.status) {
      case "done":
        return attempt.run;
      case "busy":
        throw Object.assign(
          new Error("This job is running right now (here or in another tab); its run will appear when it ends."),
          { name: "JobBusyError" },
        );
      case "missing":
      case "not-due":
        throw Object.assign(new Error(`There is no job "${jobId}". Open Routines to see the jobs there are.`), {
          name: "JobMissingError",
        });
    }
  }

  /** A model loaded: routines skipped for want of one run now. */
  modelLoaded(): void {
    this.scheduler.modelLoaded().catch(warn);
  }

  /**
   * "Dream now": the dreaming job run at once through the scheduler (its lock, its watchdog, a
   * job run on record), reporting progress, and returning the journal entry as before.
   */
  async dream(request: DreamRequest, onProgress?: (progress: DreamProgress) => void): Promise<DreamJournalEntry> {
    await this.start();
    const clock = this.#options.clock ?? systemClock;
    const options = {
      db: this.#options.openDb,
      engine: this.#options.engine,
      timeZone: request.timeZone,
      now: () => clock.now(),
    };
    let entry: DreamJournalEntry | undefined;
    const attempt = await this.scheduler.runNow(DREAMING_JOB_ID, async ({ signal }) => {
      entry = await dreamOnce(options, request.trigger, signal, onProgress);
      return dreamRunResult(entry);
    });
    if (attempt.status === "busy")
      throw Object.assign(
        new Error("Dreaming is running right now (here or in another tab); its run will appear here when it ends."),
        { name: "JobBusyError" },
      );
    if (attempt.status === "missing" || attempt.status === "not-due")
      return dreamOnce(options, request.trigger, new AbortController().signal, onProgress);
    if (entry) return entry;
    const { run } = attempt;
    if (run.error) throw Object.assign(new Error(run.error.message), { name: run.error.name });
    throw new Error(run.message ?? "Dreaming did not run.");
  }

  stop(): void {
    this.scheduler.stop();
    for (const channel of this.#channels) channel.close();
    this.#channels = [];
  }

  async #readPause(): Promise<void> {
    const paused = await withDb(this.#options.openDb, (db) => new KillSwitch(db).isOn());
    if (paused !== this.scheduler.paused) this.scheduler.setPaused(paused);
  }

  #announce(message: JobsMessage): void {
    if (typeof BroadcastChannel === "undefined") return;
    const channel = new BroadcastChannel(JOBS_CHANNEL);
    channel.postMessage(message);
    channel.close();
  }
}
