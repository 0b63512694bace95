import { describe, expect, it } from "vitest";
import { dayKey, formatLocalTime, nextDayStart } from "../../../src/core/agent/local-day";
import { CHAT_ROUTINE, DEFAULT_BUDGET_LIMITS, TokenBudget } from "../../../src/core/agent/token-budget";

const at = (iso: string): number => Date.parse(iso);

function clock(iso: string): { now: () => number; set: (next: string) => void } {
  let current = at(iso);
  return { now: () => current, set: (next) => (current = at(next)) };
}

describe("days in the user's time zone", () => {
  it("puts an instant on the calendar day of the zone", () => {
    expect(dayKey(at("2026-11-24T23:30:00Z"), "Europe/Berlin")).toBe("2026-11-25");
    expect(dayKey(at("2026-11-24T23:30:00Z"), "UTC")).toBe("2026-11-24");
    expect(dayKey(at("2026-11-24T09:00:00Z"), "Pacific/Kiritimati")).toBe("2026-11-24");
    expect(dayKey(at("2026-11-24T10:00:00Z"), "Pacific/Kiritimati")).toBe("2026-11-25");
  });

  it("finds the next local midnight, across daylight-saving changes", () => {
    expect(nextDayStart(at("2026-11-24T12:00:00Z"), "Europe/Berlin")).toBe(at("2026-11-24T23:00:00Z"));
    expect(nextDayStart(at("2026-03-28T12:00:00Z"), "Europe/Berlin")).toBe(at("2026-03-28T23:00:00Z"));
    expect(nextDayStart(at("2026-03-29T12:00:00Z"), "Europe/Berlin")).toBe(at("2026-03-29T22:00:00Z"));
    expect(nextDayStart(at("2026-11-24T23:00:00Z"), "Europe/Berlin")).toBe(at("2026-11-25T23:00:00Z"));
  });

  it("finds the day's first instant where daylight saving skips midnight (Santiago, 2026-09-06)", () => {
    const start = nextDayStart(at("2026-09-05T12:00:00Z"), "America/Santiago");
    expect(start).toBe(at("2026-09-06T04:00:00Z"));
    expect(formatLocalTime(start, "America/Santiago")).toBe("01:00");
  });
});

describe("the daily token budget", () => {
  it("has sensible defaults: 200k in total, 150k for chat, 20k per routine", () => {
    expect(DEFAULT_BUDGET_LIMITS).toEqual({
      totalPerDay: 200_000,
      chatPerDay: 150_000,
      routinePerDay: 20_000,
      perRoutine: {},
    });
    const budget = new TokenBudget({ timeZone: "UTC", now: () => 0, limits: { perRoutine: { dreaming: 40_000 } } });
    expect(budget.limitFor(CHAT_ROUTINE)).toBe(150_000);
    expect(budget.limitFor("triage")).toBe(20_000);
    expect(budget.limitFor("dreaming")).toBe(40_000);
  });

  it("allows spending within both budgets and reports what is left", () => {
    const budget = new TokenBudget({ timeZone: "Europe/Berlin", now: clock("2026-11-24T10:00:00Z").now });
    budget.record("triage", 5_000);
    expect(budget.check("triage", 10_000)).toEqual({ ok: true, remaining: 15_000 });
    expect(budget.usedToday("triage")).toBe(5_000);
    expect(budget.usedToday()).toBe(5_000);
  });

  it("refuses a routine past its own budget, saying which, how much is left and when it resets", () => {
    const budget = new TokenBudget({ timeZone: "Europe/Berlin", now: clock("2026-11-24T17:48:00Z").now });
    budget.record("triage", 19_800);
    const check = budget.check("triage", 1_500);
    expect(check).toEqual({
      ok: false,
      refusal: {
        budget: "routine",
        routine: "triage",
        limit: 20_000,
        used: 19_800,
        remaining: 200,
        requested: 1_500,
        resetsAt: at("2026-11-24T23:00:00Z"),
        message:
          'Stopped: the daily token budget for the "triage" routine would be exceeded. 19,800 of 20,000 tokens used ' +
          "today, 200 left; the next step needs about 1,500. It resets at 00:00 (Europe/Berlin), in 5 h 12 min.",
      },
    });
  });

  it("names chat by name, and the total budget when that is the one that binds", () => {
    const budget = new TokenBudget({ timeZone: "UTC", now: clock("2026-11-24T23:59:30Z").now });
    budget.record(CHAT_ROUTINE, 149_999);
    const chat = budget.check(CHAT_ROUTINE, 10);
    expect(chat.ok).toBe(false);
    if (!chat.ok) expect(chat.refusal.message).toMatch(/^Stopped: the daily token budget for chat would be exceeded/);
    if (!chat.ok) expect(chat.refusal.message).toMatch(/resets at 00:00 \(UTC\), in 30 s\.$/);

    budget.record("triage", 20_000);
    budget.record("digest", 20_000);
    const dreaming = budget.check("dreaming", 15_000);
    expect(dreaming.ok).toBe(false);
    if (!dreaming.ok) {
      expect(dreaming.refusal).toMatchObject({ budget: "total", limit: 200_000, used: 189_999, remaining: 10_001 });
      expect(dreaming.refusal.message).toMatch(/^Stopped: the total daily token budget would be exceeded/);
    }
  });

  it("refuses any spending once a budget is used up exactly", () => {
    const budget = new TokenBudget({ timeZone: "UTC", now: () => 0, limits: { routinePerDay: 100 } });
    budget.record("triage", 100);
    expect(budget.check("triage", 0).ok).toBe(false);
  });

  it("starts afresh at midnight in the user's zone", () => {
    const time = clock("2026-11-24T22:30:00Z");
    const budget = new TokenBudget({ timeZone: "Europe/Berlin", now: time.now });
    budget.record("triage", 20_000);
    expect(budget.check("triage", 1).ok).toBe(false);
    time.set("2026-11-24T23:00:00Z");
    expect(budget.usedToday("triage")).toBe(0);
    expect(budget.check("triage", 1)).toEqual({ ok: true, remaining: 20_000 });
  });

  it("restores today's ledger and ignores yesterday's", () => {
    const now = clock("2026-11-24T10:00:00Z").now;
    const today = new TokenBudget({ timeZone: "UTC", now, ledger: { day: "2026-11-24", used: { triage: 7 } } });
    expect(today.usedToday("triage")).toBe(7);
    const stale = new TokenBudget({ timeZone: "UTC", now, ledger: { day: "2026-11-23", used: { triage: 7 } } });
    expect(stale.usedToday("triage")).toBe(0);
    stale.record("triage", 3.2);
    expect(stale.ledger()).toEqual({ day: "2026-11-24", used: { triage: 4 } });
  });

  it("ignores non-positive or non-finite usage", () => {
    const budget = new TokenBudget({ timeZone: "UTC", now: () => 0 });
    budget.record("triage", 0);
    budget.record("triage", -5);
    budget.record("triage", Number.NaN);
    expect(budget.usedToday()).toBe(0);
  });

  it("hands the agent loop a guard bound to one routine", () => {
    const budget = new TokenBudget({ timeZone: "UTC", now: () => 0 });
    const guard = budget.guard("digest");
    guard.record(19_000);
    expect(budget.usedToday("digest")).toBe(19_000);
    expect(guard.check(2_000).ok).toBe(false);
    expect(budget.check(CHAT_ROUTINE, 2_000).ok).toBe(true);
  });

  it("rejects an unknown zone and negative limits when constructed", () => {
    expect(() => new TokenBudget({ timeZone: "Mars/Olympus", now: () => 0 })).toThrow(RangeError);
    expect(() => new TokenBudget({ timeZone: "UTC", now: () => 0, limits: { chatPerDay: -1 } })).toThrow(RangeError);
  });
});
