import { describe, expect, it } from "vitest";
import { isActive, nextActiveInstant, WEEKDAYS, type ActiveHours } from "../../../src/routines/active-hours";
import { dueRuns, MAX_COUNTED, nextJobSlot } from "../../../src/routines/due-runs";
import type { JobRecord } from "../../../src/store/job-record";

const at = (iso: string): number => Date.parse(iso);
const BERLIN = "Europe/Berlin";
const officeHours: ActiveHours = { days: WEEKDAYS, from: "08:00", to: "19:00" };

function job(fields: Partial<JobRecord>): JobRecord {
  return {
    id: "mail",
    routine: "mail-triage",
    title: "Mail",
    schedule: { kind: "every", minutes: 15 },
    enabled: true,
    timeZone: BERLIN,
    timeoutMs: 60_000,
    createdAt: at("2026-11-01T00:00:00Z"),
    since: at("2026-11-01T00:00:00Z"),
    ...fields,
  };
}

describe("active hours", () => {
  it("08:00–19:00 on weekdays, on the user's clock", () => {
    // Friday 2026-11-27 in Berlin (UTC+1).
    expect(isActive(officeHours, at("2026-11-27T07:00:00Z"), BERLIN)).toBe(true);
    expect(isActive(officeHours, at("2026-11-27T17:59:00Z"), BERLIN)).toBe(true);
    expect(isActive(officeHours, at("2026-11-27T18:00:00Z"), BERLIN)).toBe(false);
    expect(isActive(officeHours, at("2026-11-28T10:00:00Z"), BERLIN)).toBe(false);
    // From Friday evening the next window is Monday 08:00.
    expect(nextActiveInstant(officeHours, at("2026-11-27T18:00:00Z"), BERLIN)).toBe(at("2026-11-30T07:00:00Z"));
  });

  it("a window across midnight belongs to the day it starts", () => {
    const nights: ActiveHours = { days: [5], from: "22:00", to: "06:00" };
    expect(isActive(nights, at("2026-11-27T21:30:00Z"), BERLIN)).toBe(true); // Fri 22:30
    expect(isActive(nights, at("2026-11-28T04:59:00Z"), BERLIN)).toBe(true); // Sat 05:59
    expect(isActive(nights, at("2026-11-28T05:00:00Z"), BERLIN)).toBe(false);
    expect(isActive(nights, at("2026-11-26T23:00:00Z"), BERLIN)).toBe(false); // Fri 00:00 is Thursday's night
  });

  it("follows the user's clock across a DST change", () => {
    // Monday 2026-03-30, the first weekday of summer time: 08:00 is 06:00 UTC.
    expect(nextActiveInstant(officeHours, at("2026-03-28T12:00:00Z"), BERLIN)).toBe(at("2026-03-30T06:00:00Z"));
  });

  it("keeps a job's slots inside them", () => {
    const mail = job({ activeHours: officeHours });
    expect(nextJobSlot(mail, at("2026-11-27T17:50:00Z"))).toBe(at("2026-11-30T07:00:00Z"));
    expect(nextJobSlot(mail, at("2026-11-30T07:00:00Z"))).toBe(at("2026-11-30T07:15:00Z"));
  });
});

describe("due runs", () => {
  it("a new job waits for its first slot", () => {
    const mail = job({ since: at("2026-11-24T09:07:00Z") });
    expect(dueRuns(mail, at("2026-11-24T09:10:00Z"))).toEqual({
      due: false,
      missedSlots: 0,
      next: at("2026-11-24T09:15:00Z"),
    });
    expect(dueRuns(mail, at("2026-11-24T09:15:00Z"))).toMatchObject({ due: true, slot: at("2026-11-24T09:15:00Z") });
  });

  it("closed overnight: one catch-up run for the latest slot, then the next slot after now", () => {
    const mail = job({ lastRunAt: at("2026-11-24T21:00:02Z") });
    const now = at("2026-11-25T06:40:00Z");
    const due = dueRuns(mail, now);
    // 21:15 … 06:30 is 38 slots: one run stands for all of them.
    expect(due).toEqual({
      due: true,
      slot: at("2026-11-25T06:30:00Z"),
      missedSlots: 37,
      next: at("2026-11-25T06:45:00Z"),
    });
    // Once it has run, nothing is due until the next slot.
    expect(dueRuns({ ...mail, lastRunAt: now }, now + 60_000)).toMatchObject({
      due: false,
      next: at("2026-11-25T06:45:00Z"),
    });
  });

  it("a daily job closed for three days runs once, and next tomorrow", () => {
    const digest = job({ schedule: { kind: "daily", time: "08:00" }, lastRunAt: at("2026-11-21T07:00:00Z") });
    expect(dueRuns(digest, at("2026-11-24T12:00:00Z"))).toEqual({
      due: true,
      slot: at("2026-11-24T07:00:00Z"),
      missedSlots: 2,
      next: at("2026-11-25T07:00:00Z"),
    });
  });

  it("a slot missed inside active hours waits for them to open again", () => {
    const report = job({ schedule: { kind: "daily", time: "18:30" }, activeHours: officeHours });
    // Ran Thursday 18:30; closed Friday 17:00 (Berlin), opened Saturday.
    const closed = { ...report, lastRunAt: at("2026-11-26T17:30:00Z") };
    expect(dueRuns(closed, at("2026-11-28T09:00:00Z"))).toEqual({
      due: false,
      slot: at("2026-11-27T17:30:00Z"),
      missedSlots: 0,
      next: at("2026-11-30T07:00:00Z"),
    });
    expect(dueRuns(closed, at("2026-11-30T07:00:00Z"))).toMatchObject({
      due: true,
      slot: at("2026-11-27T17:30:00Z"),
      next: at("2026-11-30T17:30:00Z"),
    });
  });

  it("slots outside active hours are not missed at all", () => {
    const mail = job({ activeHours: officeHours, lastRunAt: at("2026-11-27T17:45:00Z") });
    // Friday 18:45 was the last slot; opening on Saturday finds nothing due.
    expect(dueRuns(mail, at("2026-11-28T10:00:00Z"))).toEqual({
      due: false,
      missedSlots: 0,
      next: at("2026-11-30T07:00:00Z"),
    });
  });

  it("a slot on the DST night is caught up once", () => {
    const nightly = job({
      schedule: { kind: "daily", time: "02:30" },
      since: at("2026-03-01T00:00:00Z"),
      lastRunAt: at("2026-03-28T01:30:00Z"),
    });
    expect(dueRuns(nightly, at("2026-03-29T08:00:00Z"))).toEqual({
      due: true,
      slot: at("2026-03-29T01:00:00Z"),
      missedSlots: 0,
      next: at("2026-03-30T00:30:00Z"),
    });
  });

  it("counts missed slots only so far, but still finds the latest", () => {
    const minutely = job({
      schedule: { kind: "cron", expression: "* * * * *" },
      lastRunAt: at("2026-11-20T00:00:00Z"),
    });
    const due = dueRuns(minutely, at("2026-11-27T10:30:30Z"));
    expect(due).toEqual({
      due: true,
      slot: at("2026-11-27T10:30:00Z"),
      missedSlots: MAX_COUNTED - 1,
      next: at("2026-11-27T10:31:00Z"),
    });
  });

  it("a job turned off is never due", () => {
    expect(dueRuns(job({ enabled: false }), at("2026-11-25T06:40:00Z"))).toEqual({ due: false, missedSlots: 0 });
  });
});
