import { assertTimeZone, dayKey } from "../core/agent/local-day";
import { addDays, parseLocalTime, scheduledInstant, weekdayOf } from "../core/zoned-time";
import { ScheduleError } from "./schedule";

/**
 * When a job may run at all, on the user's clock: e.g. 08:00–19:00 on weekdays. A slot outside
 * these hours is not a run; a run missed inside them waits for the next window. `to` before (or
 * equal to) `from` is a window that crosses midnight (22:00–06:00), counted on the day it starts.
 */
export interface ActiveHours {
  /** Days a window starts on, 0 = Sunday … 6 = Saturday. */
  days: number[];
  /** `HH:MM`, inclusive. */
  from: string;
  /** `HH:MM`, exclusive. */
  to: string;
}

export const WEEKDAYS = [1, 2, 3, 4, 5];

export function validateActiveHours(hours: ActiveHours): void {
  if (!parseLocalTime(hours.from) || !parseLocalTime(hours.to))
    throw new ScheduleError(
      `Active hours "${hours.from}–${hours.to}" are not two times of day: write each as HH:MM on a 24-hour clock, e.g. 08:00–19:00.`,
    );
  if (hours.days.length === 0 || hours.days.some((day) => !Number.isInteger(day) || day < 0 || day > 6))
    throw new ScheduleError(
      "Active hours need at least one day, each from 0 (Sunday) to 6 (Saturday); weekdays are 1–5.",
    );
}

interface Window {
  start: number;
  end: number;
}

/** The window that starts on `day`, or undefined if `day` is not one of the active days. */
function windowOn(day: string, hours: ActiveHours, timeZone: string): Window | undefined {
  if (!hours.days.includes(weekdayOf(day))) return undefined;
  const from = parseLocalTime(hours.from);
  const to = parseLocalTime(hours.to);
  if (!from || !to) return undefined;
  const overnight = to.hour * 60 + to.minute <= from.hour * 60 + from.minute;
  return {
    start: scheduledInstant(day, from, timeZone),
    end: scheduledInstant(overnight ? addDays(day, 1) : day, to, timeZone),
  };
}

/**
 * The earliest instant at or after `instant` that is inside the active hours: `instant` itself if
 * it is inside, else the next window's start. Undefined for hours that have no window at all.
 */
export function nextActiveInstant(
  hours: ActiveHours | undefined,
  instant: number,
  timeZone: string,
): number | undefined {
  if (!hours) return instant;
  validateActiveHours(hours);
  assertTimeZone(timeZone);
  const today = dayKey(instant, timeZone);
  // Yesterday's window may still be open (overnight); a week ahead always holds an active day.
  for (let offset = -1; offset <= 7; offset++) {
    const window = windowOn(addDays(today, offset), hours, timeZone);
    if (!window || window.end <= instant) continue;
    return Math.max(window.start, instant);
  }
  return undefined;
}

export function isActive(hours: ActiveHours | undefined, instant: number, timeZone: string): boolean {
  return nextActiveInstant(hours, instant, timeZone) === instant;
}
