import { assertTimeZone, dayKey } from "../core/agent/local-day";
import { addDays, parseLocalTime, scheduledInstant, type LocalTime } from "../core/zoned-time";

/**
 * When dreaming is due: nightly at a local time in the user's IANA zone, and once at the next
 * open when the app was closed then (never once per missed night). Pure, so it is tested with a
 * fake clock. The app now runs dreaming as the scheduler's `dreaming` job (src/routines/); this
 * module's `parseDreamTime` still checks the setting.
 */

/** Hours and minutes on a 24-hour clock. */
export type DreamTime = LocalTime;

export const DEFAULT_DREAM_TIME = "03:00";

/** `HH:MM` (24-hour), or undefined if it is not one. */
export const parseDreamTime = parseLocalTime;

// The zone arithmetic now lives in core, shared with the routines' scheduler.
export { addDays, scheduledInstant };

export interface DreamScheduleInput {
  /** When the last run started; undefined if none ever ran. */
  lastRun: number | undefined;
  /**
   * With no run yet: when there was first something to dream about (the oldest note). A night
   * before it has nothing to consolidate, so a fresh install does not dream at its first open.
   */
  firstActivity?: number | undefined;
  now: number;
  /** `HH:MM`; a malformed value falls back to {@link DEFAULT_DREAM_TIME}. */
  time: string;
  timeZone: string;
}

export interface DreamSchedule {
  due: boolean;
  /** The scheduled time the due run stands for (the latest one not after `now`). */
  lastScheduled: number;
  /** The next scheduled time after `now`: when to look again if nothing is due. */
  nextDue: number;
}

/**
 * Due when a scheduled time has passed since the last run (or, with none yet, since the first
 * note): however many nights were missed, that is one run, and the next is the following night.
 */
export function dreamSchedule(input: DreamScheduleInput): DreamSchedule {
  assertTimeZone(input.timeZone);
  const time = parseDreamTime(input.time) ?? parseDreamTime(DEFAULT_DREAM_TIME) ?? { hour: 3, minute: 0 };
  const today = dayKey(input.now, input.timeZone);
  const todays = scheduledInstant(today, time, input.timeZone);
  const lastScheduled = todays <= input.now ? todays : scheduledInstant(addDays(today, -1), time, input.timeZone);
  const nextDue = todays > input.now ? todays : scheduledInstant(addDays(today, 1), time, input.timeZone);
  const since = input.lastRun ?? input.firstActivity;
  const due = since !== undefined && since < lastScheduled;
  return { due, lastScheduled, nextDue };
}
