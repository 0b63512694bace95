/**
 * Wall-clock times in a named IANA zone, with Intl only: "08:00 on 2026-03-29 in Berlin" as an
 * instant, across DST changes. Shared by dreaming's schedule and the routines' scheduler.
 */

/** Hours and minutes on a 24-hour clock. */
export interface LocalTime {
  hour: number;
  minute: number;
}

/** `HH:MM` (24-hour, as `<input type="time">` gives it), or undefined if it is not one. */
export function parseLocalTime(text: string): LocalTime | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  if (!match) return undefined;
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

const wallFormatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock reading of `instant` in `timeZone`, as if that reading were UTC (minute precision). */
export function wallClock(instant: number, timeZone: string): number {
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

/** The weekday of a calendar day, 0 = Sunday … 6 = Saturday (as cron and `Date` count). */
export function weekdayOf(day: string): number {
  const [year, month, date] = dayParts(day);
  return new Date(Date.UTC(year, month - 1, date)).getUTCDay();
}

const DAY_MS = 86_400_000;

/**
 * The instant the clock in `timeZone` shows `time` on `day`. At a DST change it follows the usual
 * "compatible" rule: a time that happens twice (clocks go back) is its first occurrence; a time
 * that does not exist (clocks go forward) is read with the offset from before the jump, so 02:30
 * on a spring-forward night becomes 03:30. Either way the day gets exactly one such instant.
 */
export function scheduledInstant(day: string, time: LocalTime, timeZone: string): number {
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
