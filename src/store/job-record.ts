import type { ActiveHours } from "../routines/active-hours";
import type { Schedule } from "../routines/schedule";

/** A scheduled routine and its state; one record per job in the `jobs` store (v4). */
export interface JobRecord {
  id: string;
  /** Which routine program runs (e.g. `mail-triage`); usage records name it too. */
  routine: string;
  /** What the user calls it. */
  title: string;
  schedule: Schedule;
  enabled: boolean;
  activeHours?: ActiveHours;
  /** The IANA zone the schedule and active hours are read in. */
  timeZone: string;
  /** The watchdog: a run still going after this long is recorded as timed out. */
  timeoutMs: number;
  createdAt: number;
  /** Slots before this count as missed only after it: creation, or the last time the job was turned on. */
  since: number;
  /** When the last run started (set as it starts, so a crashed run is not retried in a loop). */
  lastRunAt?: number;
  lastOutcome?: RunOutcome;
  /** When the next run is due, as last computed: for display and for the scheduler's timer. */
  nextRunAt?: number;
}

/**
 * How a run ended. `ran`: it did its work. `nothing-new`: the cheap check found nothing, no model
 * call. `skipped`: it chose not to run (paused, no model, budget spent). `failed`: it threw.
 * `timed-out`: the watchdog gave up on it. `interrupted`: the tab closed or the worker died mid-run.
 */
export type RunOutcome = "ran" | "nothing-new" | "skipped" | "failed" | "timed-out" | "interrupted";

export type RunTrigger = "schedule" | "catch-up" | "manual";

/** One run of a job, in the `jobRuns` store (v4): what the briefing and usage views read. */
export interface JobRunRecord {
  id: string;
  jobId: string;
  routine: string;
  trigger: RunTrigger;
  /** The slot the run stands for; absent for a manual run. */
  slot?: number;
  /** Slots missed before this one while the app was closed or asleep, folded into this run. */
  missedSlots: number;
  startedAt: number;
  /** `running` until it ends. */
  outcome: RunOutcome | "running";
  finishedAt?: number;
  /** Model tokens the run spent (prompt and completion); 0 when nothing was new. */
  tokens: number;
  /** New items the run found (mail, messages, workflow runs). */
  itemsFound: number;
  /** One line for the briefing: what happened, or why it was skipped. */
  message?: string;
  error?: { name: string; message: string };
}
