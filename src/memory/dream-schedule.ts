import { assertTimeZone, dayKey } from "../core/agent/local-day";

/**
 * When dreaming is due: nightly at a local time in the user's IANA zone, and once at the next
 * open when the app was closed then (never once per missed night). Pure, so it is tested with a
 * fake clock; the page-side trigger (`src/app/dream-controller.ts`) only asks it and sets a timer.
 */

/** Hours and minutes on a 24-hour clock. */
export interface DreamTime {
  hour: number;
  minute: number;
}

export const DEFAULT_DREAM_TIME = "03:00";

/** `HH:MM` (24-hour, as `<input type="time">` gives it), or undefined if it is not one. */
export function parseDreamTime(text: string): DreamTime | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  if (!match) return undefined;
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

const wallFormatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock reading of `instant` in `timeZone`, as if that reading were UTC (minute precision). */
function wallClock(instant: number, timeZone: string): number {
  let formatter = wallFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    wallFormatters.set(timeZone, formatter);
  }
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(instant)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0);
}

function dayParts(day: string): [number, number, number] {
  const [year = 1970, month = 1, date = 1] = day.split("-").map(Number);
  return [year, month, date];
}

/** The calendar day `offset` days after `day` (both `YYYY-MM-DD`). */
export function addDays(day: string, offset: number): string {
  const [year, month, date] = dayParts(day);
  return new Date(Date.UTC(year, month - 1, date + offset)).toISOString().slice(0, 10);
}

const DAY_MS = 86_400_000;

/**
 * The instant the clock in `timeZone` shows `time` on `day`. At a DST change it follows the usual
 * "compatible" rule: a time that happens twice (clocks go back) is its first occurrence; a time
 * that does not exist (clocks go forward) is read with the offset from before the jump, so 02:30
 * on a spring-forward night becomes 03:30. Either way the night gets exactly one run.
 */
export function scheduledInstant(day: string, time: DreamTime, timeZone: string): number {
  const [year, month, date] = dayParts(day);
  const wanted = Date.UTC(year, month - 1, date, time.hour, time.minute);
  // Offsets a day either side: a zone changes offset at most once in that span.
  const before = wallClock(wanted - DAY_MS, timeZone) - (wanted - DAY_MS);
  const after = wallClock(wanted + DAY_MS, timeZone) - (wanted + DAY_MS);
  const candidates = [wanted - before, wanted - after]
    .filter((instant) => wallClock(instant, timeZone) === wanted)
    .sort((a, b) => a - b);
  return candidates[0] ?? wanted - before;
}

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
