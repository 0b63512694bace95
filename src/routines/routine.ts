import type { ActionOutcome, ProposedAction } from "../core/agent/action";
import type { JobRecord } from "../store/job-record";
import type { RoutineResult } from "./job-runner";

/** The page's `gate.propose`, passed to the agent worker through comlink when the scheduler starts. */
export type ProposeAction = (action: ProposedAction) => Promise<ActionOutcome>;

/** What the cheap check found: nothing (no model call follows) or something to run on. */
export type CheckResult = { kind: "nothing-new"; message?: string } | { kind: "new"; items: number };

export interface CheckContext {
  /** The job as it was before this run started: `lastRunAt` is the previous run's start. */
  job: Readonly<JobRecord>;
  now: number;
  /**
   * The page's Gate, when a page started the scheduler with one: a routine reads connectors and
   * proposes actions through it. Absent (a Node test, a worker started without a page), a routine
   * does what it can without connectors.
   */
  proposeAction?: ProposeAction;
}

export interface RunContext extends CheckContext {
  /** Aborted by the watchdog or the kill switch: stop the model call. */
  signal: AbortSignal;
  /** What the check found. */
  found: number;
}

/**
 * A routine the scheduler can run. `check` is deterministic and cheap (IndexedDB reads, a history
 * id, an ETag) and never calls the model: when it finds nothing, the run is recorded `nothing-new`
 * with 0 tokens and `run` is not called. `run` does the work and reports tokens and items.
 */
export interface ScheduledRoutine {
  /** The job's `routine` field; usage records name it too. */
  readonly id: string;
  /** Whether `run` calls the model: without a loaded model the run is skipped and retried when one loads. */
  readonly needsModel: boolean;
  check(context: CheckContext): Promise<CheckResult>;
  run(context: RunContext): Promise<RoutineResult>;
}

/** Routines by id: the scheduler looks a job's routine up here; a job naming none is skipped. */
export class RoutineRegistry {
  readonly #routines = new Map<string, ScheduledRoutine>();

  constructor(routines: Iterable<ScheduledRoutine> = []) {
    for (const routine of routines) this.add(routine);
  }

  add(routine: ScheduledRoutine): this {
    if (this.#routines.has(routine.id)) throw new Error(`The routine "${routine.id}" is registered twice.`);
    this.#routines.set(routine.id, routine);
    return this;
  }

  get(id: string): ScheduledRoutine | undefined {
    return this.#routines.get(id);
  }

  ids(): string[] {
    return [...this.#routines.keys()];
  }
}
