import { describe, expect, it } from "vitest";
import { nextRun, ScheduleError, validateSchedule, type Schedule } from "../../../src/routines/schedule";

const at = (iso: string): number => Date.parse(iso);
const HOUR = 3_600_000;

/** The next `count` slots after `from`. */
function slots(schedule: Schedule, from: number, zone: string, count: number): string[] {
  const found: string[] = [];
  let after = from;
  for (let i = 0; i < count; i++) {
    const next = nextRun(schedule, after, zone);
    if (next === undefined) break;
    found.push(new Date(next).toISOString());
    after = next;
  }
  return found;
}

describe("every N minutes", () => {
  it("falls on multiples of N from the epoch, strictly after the given instant", () => {
    const every15: Schedule = { kind: "every", minutes: 15 };
    expect(nextRun(every15, at("2026-05-01T09:07:00Z"), "UTC")).toBe(at("2026-05-01T09:15:00Z"));
    expect(nextRun(every15, at("2026-05-01T09:15:00Z"), "UTC")).toBe(at("2026-05-01T09:30:00Z"));
  });

  it("stays the same length of time across a DST change, in any zone", () => {
    // Berlin springs forward at 01:00 UTC on 2026-03-29: the slots do not notice.
    expect(slots({ kind: "every", minutes: 30 }, at("2026-03-29T00:10:00Z"), "Europe/Berlin", 3)).toEqual([
      "2026-03-29T00:30:00.000Z",
      "2026-03-29T01:00:00.000Z",
      "2026-03-29T01:30:00.000Z",
    ]);
  });
});

describe("daily at a time in the user's zone", () => {
  const eight: Schedule = { kind: "daily", time: "08:00" };

  it("is 08:00 on the user's clock, not UTC", () => {
    expect(nextRun(eight, at("2026-11-24T00:00:00Z"), "Europe/Berlin")).toBe(at("2026-11-24T07:00:00Z"));
    expect(nextRun(eight, at("2026-11-24T00:00:00Z"), "America/New_York")).toBe(at("2026-11-24T13:00:00Z"));
    expect(nextRun(eight, at("2026-11-24T00:00:00Z"), "Asia/Kolkata")).toBe(at("2026-11-24T02:30:00Z"));
  });

  it("keeps 08:00 local across spring and autumn changes in Berlin (23- and 25-hour days)", () => {
    expect(slots(eight, at("2026-03-28T00:00:00Z"), "Europe/Berlin", 3)).toEqual([
      "2026-03-28T07:00:00.000Z",
      "2026-03-29T06:00:00.000Z",
      "2026-03-30T06:00:00.000Z",
    ]);
    expect(slots(eight, at("2026-10-24T00:00:00Z"), "Europe/Berlin", 3)).toEqual([
      "2026-10-24T06:00:00.000Z",
      "2026-10-25T07:00:00.000Z",
      "2026-10-26T07:00:00.000Z",
    ]);
  });

  it("keeps 08:00 local across spring and autumn changes in New York", () => {
    expect(slots(eight, at("2026-03-07T00:00:00Z"), "America/New_York", 3)).toEqual([
      "2026-03-07T13:00:00.000Z",
      "2026-03-08T12:00:00.000Z",
      "2026-03-09T12:00:00.000Z",
    ]);
    expect(slots(eight, at("2026-10-31T00:00:00Z"), "America/New_York", 3)).toEqual([
      "2026-10-31T12:00:00.000Z",
      "2026-11-01T13:00:00.000Z",
      "2026-11-02T13:00:00.000Z",
    ]);
  });

  it("runs a time the clock skips as it jumps, and a time it repeats once", () => {
    // Berlin 2026-03-29: 02:00 → 03:00, so 02:30 runs at 03:00 CEST (01:00 UTC), once.
    expect(slots({ kind: "daily", time: "02:30" }, at("2026-03-28T12:00:00Z"), "Europe/Berlin", 2)).toEqual([
      "2026-03-29T01:00:00.000Z",
      "2026-03-30T00:30:00.000Z",
    ]);
    // New York 2026-11-01: 01:30 happens twice; only the first (EDT, 05:30 UTC) runs.
    expect(slots({ kind: "daily", time: "01:30" }, at("2026-10-31T12:00:00Z"), "America/New_York", 2)).toEqual([
      "2026-11-01T05:30:00.000Z",
      "2026-11-02T06:30:00.000Z",
    ]);
    // New York 2026-03-08: 02:30 does not exist; it runs at 03:00 EDT.
    expect(nextRun({ kind: "daily", time: "02:30" }, at("2026-03-08T05:00:00Z"), "America/New_York")).toBe(
      at("2026-03-08T07:00:00Z"),
    );
  });

  it("refuses a time that is not HH:MM", () => {
    expect(() => validateSchedule({ kind: "daily", time: "8am" }, "UTC")).toThrow(/HH:MM on a 24-hour clock/);
  });
});

describe("cron expressions", () => {
  it("reads five fields in the user's zone", () => {
    const weekdayMornings: Schedule = { kind: "cron", expression: "0 7 * * 1-5" };
    // Friday 2026-11-27, after 07:00 in Berlin: next is Monday.
    expect(nextRun(weekdayMornings, at("2026-11-27T07:00:00Z"), "Europe/Berlin")).toBe(at("2026-11-30T06:00:00Z"));
    expect(nextRun(weekdayMornings, at("2026-11-27T07:00:00Z"), "America/New_York")).toBe(at("2026-11-27T12:00:00Z"));
  });

  it("skips the missing hour and runs through the repeated one for stepped jobs", () => {
    // Berlin spring: 01:30 CET then 03:00 CEST; nothing in between.
    expect(slots({ kind: "cron", expression: "*/30 * * * *" }, at("2026-03-29T00:10:00Z"), "Europe/Berlin", 3)).toEqual(
      ["2026-03-29T00:30:00.000Z", "2026-03-29T01:00:00.000Z", "2026-03-29T01:30:00.000Z"],
    );
    // New York autumn: the repeated 01:00–02:00 hour runs twice, every 30 minutes of real time.
    expect(
      slots({ kind: "cron", expression: "*/30 * * * *" }, at("2026-11-01T04:50:00Z"), "America/New_York", 5),
    ).toEqual([
      "2026-11-01T05:00:00.000Z",
      "2026-11-01T05:30:00.000Z",
      "2026-11-01T06:00:00.000Z",
      "2026-11-01T06:30:00.000Z",
      "2026-11-01T07:00:00.000Z",
    ]);
  });

  it("runs a fixed time in the repeated hour once, like a daily time", () => {
    const runs = slots({ kind: "cron", expression: "30 2 * * *" }, at("2026-10-24T12:00:00Z"), "Europe/Berlin", 2);
    expect(runs).toEqual(["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"]);
    expect(at(runs[1] ?? "") - at(runs[0] ?? "")).toBe(25 * HOUR);
  });

  it("says what is wrong with an invalid expression and how to write one", () => {
    const check = (expression: string) => () => validateSchedule({ kind: "cron", expression }, "Europe/Berlin");
    expect(check("61 * * * *")).toThrow(ScheduleError);
    expect(check("61 * * * *")).toThrow(/"61 \* \* \* \*" is not valid: Invalid value for minute: 61/);
    expect(check("61 * * * *")).toThrow(/minute hour day-of-month month day-of-week/);
    expect(check("every morning")).toThrow(/exactly five, six, or seven/);
    expect(check("0 0 9 * * *")).toThrow(/requires exactly 5 parts/);
    expect(check("0 0 31 2 *")).toThrow(/never matches a date/);
    expect(() => nextRun({ kind: "cron", expression: "0 25 * * *" }, 0, "UTC")).toThrow(/Invalid value for hour: 25/);
  });

  it("accepts nicknames", () => {
    expect(nextRun({ kind: "cron", expression: "@daily" }, at("2026-05-01T12:00:00Z"), "Europe/Berlin")).toBe(
      at("2026-05-01T22:00:00Z"),
    );
  });

  it("refuses an unknown zone and a bad interval, by name", () => {
    expect(() => nextRun({ kind: "daily", time: "08:00" }, 0, "Mars/Olympus")).toThrow(
      /Unknown time zone "Mars\/Olympus"/,
    );
    expect(() => validateSchedule({ kind: "every", minutes: 0 }, "UTC")).toThrow(/whole number of minutes from 1/);
    expect(() => validateSchedule({ kind: "every", minutes: 2.5 }, "UTC")).toThrow(ScheduleError);
  });
});
