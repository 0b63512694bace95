import { Cron } from "croner";
import { assertTimeZone } from "../core/agent/local-day";
import { parseLocalTime } from "../core/zoned-time";

/**
 * When a job's slots fall. `every`: elapsed time, the same length across a DST change, counted
 * from the Unix epoch so that every tab and every reload agree on the slots without any stored
 * anchor (15, 30 or 60 minutes land on the quarter hours in whole-hour zones; use cron for slots
 * tied to the wall clock). `daily`: a wall-clock time in the user's zone. `cron`: five fields in
 * the user's zone, read by croner. At DST changes daily times and cron follow Vixie cron: a fixed
 * time the clock skips runs as the clock jumps (02:30 → 03:00), one it repeats runs once, the first
 * time; a wildcard or stepped job (every 15 minutes) skips the gap and runs through the repeat.
 */
export type Schedule =
  { kind: "every"; minutes: number } | { kind: "daily"; time: string } | { kind: "cron"; expression: string };

/** A schedule Tabclaw cannot use; the message says what to change. */
export class ScheduleError extends Error {
  override readonly name = "ScheduleError";
}

const MINUTE_MS = 60_000;
/** The shortest interval: a job that runs more often than this is a busy loop, not a routine. */
export const MIN_EVERY_MINUTES = 1;
/** A week: anything rarer is written as a cron expression. */
export const MAX_EVERY_MINUTES = 7 * 24 * 60;

const CRON_HINT =
  'Write five fields separated by spaces: minute hour day-of-month month day-of-week, e.g. "*/15 8-18 * * 1-5" for every 15 minutes from 08:00 to 18:45 on weekdays, or a nickname such as "@daily".';

const crons = new Map<string, Cron>();

/**
 * A parsed cron in a zone, cached: parsing fills croner's tables, and the scheduler asks often.
 * Five fields only; a seconds field would let a routine fire every second.
 */
function cronFor(expression: string, timeZone: string): Cron {
  const key = `${timeZone} ${expression}`;
  let cron = crons.get(key);
  if (!cron) {
    try {
      cron = new Cron(expression, {
        timezone: timeZone,
        paused: true,
        mode: "5-part",
        // Vixie cron's rule: a job at fixed hours and minutes (lists and ranges too) runs once when
        // the clock goes back and just after the jump when it goes forward, like a daily time.
        fixedTimeRule: "no-wildcard",
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message.replace(/^CronPattern:\s*/, "") : String(error);
      throw new ScheduleError(`The cron expression "${expression}" is not valid: ${reason}. ${CRON_HINT}`);
    }
    crons.set(key, cron);
  }
  return cron;
}

/**
 * Throws a {@link ScheduleError} that says what to fix, or returns nothing. Called before a
 * schedule is stored, so a stored job always has a usable schedule.
 */
export function validateSchedule(schedule: Schedule, timeZone: string): void {
  assertTimeZone(timeZone);
  switch (schedule.kind) {
    case "every":
      if (
        !Number.isInteger(schedule.minutes) ||
        schedule.minutes < MIN_EVERY_MINUTES ||
        schedule.minutes > MAX_EVERY_MINUTES
      )
        throw new ScheduleError(
          `"Every ${schedule.minutes} minutes" is not a usable interval: give a whole number of minutes from ${MIN_EVERY_MINUTES} to ${MAX_EVERY_MINUTES} (a week).`,
        );
      return;
    case "daily":
      if (!parseLocalTime(schedule.time))
        throw new ScheduleError(
          `"${schedule.time}" is not a time of day: write it as HH:MM on a 24-hour clock, e.g. "07:30".`,
        );
      return;
    case "cron":
      // A valid expression that no date matches (e.g. 30 February) would never run.
      if (cronFor(schedule.expression, timeZone).nextRun(new Date(0)) === null)
        throw new ScheduleError(
          `The cron expression "${schedule.expression}" never matches a date (is the day of the month in that month?). ${CRON_HINT}`,
        );
  }
}

/**
 * The first slot strictly after `after`, or undefined if there is none (a cron whose last date has
 * passed). Throws a {@link ScheduleError} for a schedule {@link validateSchedule} refuses.
 */
export function nextRun(schedule: Schedule, after: number, timeZone: string): number | undefined {
  switch (schedule.kind) {
    case "every": {
      validateSchedule(schedule, timeZone);
      const step = schedule.minutes * MINUTE_MS;
      return (Math.floor(after / step) + 1) * step;
    }
    case "daily": {
      const time = parseLocalTime(schedule.time);
      if (!time) {
        validateSchedule(schedule, timeZone);
        return undefined;
      }
      assertTimeZone(timeZone);
      // The same as the cron "M H * * *", so daily times and cron agree at DST changes.
      return cronFor(`${time.minute} ${time.hour} * * *`, timeZone).nextRun(new Date(after))?.getTime();
    }
    case "cron":
      assertTimeZone(timeZone);
      return cronFor(schedule.expression, timeZone).nextRun(new Date(after))?.getTime();
  }
}
