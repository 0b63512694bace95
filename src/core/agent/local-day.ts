/** Calendar-day arithmetic in a named IANA time zone, with Intl only (no date library). */

const dayFormatters = new Map<string, Intl.DateTimeFormat>();
const timeFormatters = new Map<string, Intl.DateTimeFormat>();

function dayFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = dayFormatters.get(timeZone);
  if (!formatter) {
    // en-CA formats as YYYY-MM-DD. Throws RangeError for an unknown zone.
    formatter = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    dayFormatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Throws a RangeError naming the zone if Intl does not know it. */
export function assertTimeZone(timeZone: string): void {
  try {
    dayFormatter(timeZone);
  } catch {
    throw new RangeError(`Unknown time zone "${timeZone}".`);
  }
}

/** The calendar day (`YYYY-MM-DD`) that `instant` falls on in `timeZone`. */
export function dayKey(instant: number, timeZone: string): string {
  return dayFormatter(timeZone).format(instant);
}

// Longer than any civil day (25 h at a DST change), so the search range always holds a day boundary.
const SEARCH_SPAN_MS = 26 * 3_600_000;

/**
 * The first instant after `instant` that falls on a later day in `timeZone`. Found by binary
 * search rather than by building "midnight", because in some zones a DST change skips midnight.
 */
export function nextDayStart(instant: number, timeZone: string): number {
  const today = dayKey(instant, timeZone);
  let sameDay = instant;
  let laterDay = instant + SEARCH_SPAN_MS;
  while (laterDay - sameDay > 1) {
    const middle = Math.floor((sameDay + laterDay) / 2);
    if (dayKey(middle, timeZone) === today) sameDay = middle;
    else laterDay = middle;
  }
  return laterDay;
}

/** `HH:MM` (24-hour) of `instant` in `timeZone`. */
export function formatLocalTime(instant: number, timeZone: string): string {
  let formatter = timeFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    timeFormatters.set(timeZone, formatter);
  }
  return formatter.format(instant);
}

/** The user's date for the system prompt, e.g. "Tuesday 2026-11-24", in the device's zone. */
export function todayLabel(instant: number, timeZone: string): string {
  const weekday = new Intl.DateTimeFormat("en-US", { weekday: "long", timeZone }).format(instant);
  return `${weekday} ${dayKey(instant, timeZone)}`;
}
