import type { JobRecord } from "../store/job-record";
import { nextActiveInstant } from "./active-hours";
import { nextRun } from "./schedule";

/** The first slot after `after` that falls inside the job's active hours (`nextRun` with them applied). */
export function nextJobSlot(job: JobRecord, after: number): number | undefined {
  let from = after;
  // Each pass jumps to the next window, so a few hundred passes cover years of any schedule.
  for (let pass = 0; pass < 1000; pass++) {
    const slot = nextRun(job.schedule, from, job.timeZone);
    if (slot === undefined) return undefined;
    const active = nextActiveInstant(job.activeHours, slot, job.timeZone);
    if (active === undefined) return undefined;
    if (active === slot) return slot;
    from = active - 1;
  }
  return undefined;
}

export interface DueRuns {
  /** Run now: a slot passed since the last run (or since the job was turned on), and now is active. */
  due: boolean;
  /** The latest passed slot the run stands for (however many were missed, it is one run). */
  slot?: number;
  /** Further slots missed before `slot`, folded into this run (counted up to {@link MAX_COUNTED}). */
  missedSlots: number;
  /** When to look again: the next slot after now, or, for a missed slot outside active hours, when they open. */
  next?: number;
}

/** Counting stops here: a minutely job closed overnight would otherwise walk hundreds of slots on every tick. */
export const MAX_COUNTED = 100;

/**
 * Whether `job` should run at `now`. The app may have been closed or the laptop asleep through
 * several slots: that is one run (the catch-up), standing for the latest of them, and the next run
 * is the first slot after now. A missed slot is caught up only inside the active hours; outside
 * them the catch-up waits for the next window.
 */
export function dueRuns(job: JobRecord, now: number): DueRuns {
  if (!job.enabled) return { due: false, missedSlots: 0 };
  const since = Math.max(job.since, job.lastRunAt ?? -Infinity);
  const upcoming = nextJobSlot(job, now);
  let slot: number | undefined;
  let count = 0;
  for (let at = nextJobSlot(job, since); at !== undefined && at <= now; at = nextJobSlot(job, at)) {
    slot = at;
    if (++count >= MAX_COUNTED) {
      // Too many to count one by one: the latest passed slot is still found exactly.
      slot = latestSlotBefore(job, now, at);
      break;
    }
  }
  if (slot === undefined) return { due: false, missedSlots: 0, ...(upcoming !== undefined && { next: upcoming }) };
  const missedSlots = count - 1;
  const activeAt = nextActiveInstant(job.activeHours, now, job.timeZone);
  if (activeAt !== now) {
    // Missed inside the active hours, but they are over: catch up when they open again.
    const next = activeAt === undefined ? upcoming : Math.min(activeAt, upcoming ?? Infinity);
    return { due: false, slot, missedSlots, ...(next !== undefined && { next }) };
  }
  return { due: true, slot, missedSlots, ...(upcoming !== undefined && { next: upcoming }) };
}

/** The latest active slot at or before `now`, searching back from `now` in widening steps. */
function latestSlotBefore(job: JobRecord, now: number, known: number): number {
  let best = known;
  for (let back = 60_000; back < now - known; back *= 2) {
    let at = nextJobSlot(job, now - back);
    if (at === undefined || at > now) continue;
    while (at !== undefined && at <= now) {
      best = Math.max(best, at);
      at = nextJobSlot(job, at);
    }
    break;
  }
  return best;
}
