import { describe, expect, it } from "vitest";
import { addDays, dreamSchedule, parseDreamTime, scheduledInstant } from "../../../src/memory/dream-schedule";

const at = (iso: string): number => Date.parse(iso);

describe("dreaming's schedule", () => {
  it("reads HH:MM and refuses anything else", () => {
    expect(parseDreamTime("03:00")).toEqual({ hour: 3, minute: 0 });
    expect(parseDreamTime("23:59")).toEqual({ hour: 23, minute: 59 });
    for (const bad of ["3:00", "24:00", "12:60", "", "noon"]) expect(parseDreamTime(bad)).toBeUndefined();
  });

  it("counts calendar days across month and year ends", () => {
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });

  it("places 03:00 in the user's zone, not UTC", () => {
    expect(scheduledInstant("2026-11-24", { hour: 3, minute: 0 }, "Europe/Berlin")).toBe(at("2026-11-24T02:00:00Z"));
    expect(scheduledInstant("2026-11-24", { hour: 3, minute: 0 }, "America/New_York")).toBe(at("2026-11-24T08:00:00Z"));
    expect(scheduledInstant("2026-11-24", { hour: 3, minute: 0 }, "Asia/Kolkata")).toBe(at("2026-11-23T21:30:00Z"));
  });

  it("on DST change days: a skipped time runs just after the jump, a repeated one runs once, at its first occurrence", () => {
    // Berlin, 2026-03-29: 02:00 → 03:00. 02:30 does not exist; it becomes 03:30 (01:30 UTC).
    expect(scheduledInstant("2026-03-29", { hour: 2, minute: 30 }, "Europe/Berlin")).toBe(at("2026-03-29T01:30:00Z"));
    // 03:00 exists on that day (right after the jump), an hour earlier in UTC than the day before.
    expect(scheduledInstant("2026-03-29", { hour: 3, minute: 0 }, "Europe/Berlin")).toBe(at("2026-03-29T01:00:00Z"));
    expect(scheduledInstant("2026-03-28", { hour: 3, minute: 0 }, "Europe/Berlin")).toBe(at("2026-03-28T02:00:00Z"));
    // Berlin, 2026-10-25: 03:00 → 02:00. 02:30 happens twice; the first (CEST, 00:30 UTC) is the one.
    expect(scheduledInstant("2026-10-25", { hour: 2, minute: 30 }, "Europe/Berlin")).toBe(at("2026-10-25T00:30:00Z"));
    // New York, 2026-11-01: 01:30 happens twice; first at EDT.
    expect(scheduledInstant("2026-11-01", { hour: 1, minute: 30 }, "America/New_York")).toBe(
      at("2026-11-01T05:30:00Z"),
    );
  });

  it("on the DST change day the next run is still one per night", () => {
    // Just after Saturday's run in Berlin: the next is Sunday 03:00 CEST (01:00 UTC), 23 hours later.
    const saturdayRun = at("2026-03-28T02:00:00Z");
    const schedule = dreamSchedule({
      lastRun: saturdayRun,
      now: saturdayRun + 60_000,
      time: "03:00",
      timeZone: "Europe/Berlin",
    });
    expect(schedule.due).toBe(false);
    expect(schedule.nextDue).toBe(at("2026-03-29T01:00:00Z"));
    expect(schedule.nextDue - saturdayRun).toBe(23 * 3_600_000);
  });

  it("is due once after the time passes, and not again that night", () => {
    const zone = "Europe/Berlin";
    const lastRun = at("2026-11-23T02:00:05Z");
    const before = dreamSchedule({ lastRun, now: at("2026-11-24T01:59:00Z"), time: "03:00", timeZone: zone });
    expect(before).toMatchObject({ due: false, nextDue: at("2026-11-24T02:00:00Z") });
    const after = dreamSchedule({ lastRun, now: at("2026-11-24T02:00:00Z"), time: "03:00", timeZone: zone });
    expect(after).toMatchObject({ due: true, lastScheduled: at("2026-11-24T02:00:00Z") });
    const ran = dreamSchedule({
      lastRun: at("2026-11-24T02:00:01Z"),
      now: at("2026-11-24T09:00:00Z"),
      time: "03:00",
      timeZone: zone,
    });
    expect(ran).toMatchObject({ due: false, nextDue: at("2026-11-25T02:00:00Z") });
  });

  it("after missed nights (the app was closed) it is due once, and the next run is the following night", () => {
    const zone = "America/New_York";
    const lastRun = at("2026-11-10T08:00:00Z");
    const now = at("2026-11-24T15:00:00Z");
    const schedule = dreamSchedule({ lastRun, now, time: "03:00", timeZone: zone });
    expect(schedule.due).toBe(true);
    expect(schedule.lastScheduled).toBe(at("2026-11-24T08:00:00Z"));
    // Once that run is recorded, nothing is due until tomorrow: not one run per missed night.
    const afterRun = dreamSchedule({ lastRun: now, now: now + 1_000, time: "03:00", timeZone: zone });
    expect(afterRun).toMatchObject({ due: false, nextDue: at("2026-11-25T08:00:00Z") });
  });

  it("uses the configured time, and the zone's day (not UTC's)", () => {
    // 23:30 in Tokyo on the 24th is 14:30 UTC.
    const schedule = dreamSchedule({
      lastRun: at("2026-11-23T14:30:00Z"),
      now: at("2026-11-24T14:29:00Z"),
      time: "23:30",
      timeZone: "Asia/Tokyo",
    });
    expect(schedule).toMatchObject({ due: false, nextDue: at("2026-11-24T14:30:00Z") });
  });

  it("with no run yet, is due only if a scheduled time passed since the first note", () => {
    const zone = "Europe/Berlin";
    const now = at("2026-11-24T12:00:00Z");
    expect(dreamSchedule({ lastRun: undefined, now, time: "03:00", timeZone: zone }).due).toBe(false);
    expect(
      dreamSchedule({
        lastRun: undefined,
        firstActivity: at("2026-11-24T10:00:00Z"),
        now,
        time: "03:00",
        timeZone: zone,
      }).due,
    ).toBe(false);
    expect(
      dreamSchedule({
        lastRun: undefined,
        firstActivity: at("2026-11-23T10:00:00Z"),
        now,
        time: "03:00",
        timeZone: zone,
      }).due,
    ).toBe(true);
  });

  it("falls back to 03:00 for a malformed time and refuses an unknown zone", () => {
    const schedule = dreamSchedule({ lastRun: 0, now: at("2026-11-24T12:00:00Z"), time: "late", timeZone: "UTC" });
    expect(schedule.lastScheduled).toBe(at("2026-11-24T03:00:00Z"));
    expect(() => dreamSchedule({ lastRun: 0, now: 0, time: "03:00", timeZone: "Mars/Olympus" })).toThrow(RangeError);
  });
});
