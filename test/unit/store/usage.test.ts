import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuditLog } from "../../../src/store/audit-log";
import { SettingsStore } from "../../../src/store/settings-store";
import { UsageRecorder, type ModelCallReport } from "../../../src/store/usage-recorder";
import { UsageStore } from "../../../src/store/usage-store";
import { FreshDatabase } from "./fresh-database";

const ZONE = "Europe/Berlin";
// 2025-03-10 09:00 in Berlin (UTC+1).
const MORNING = Date.UTC(2025, 2, 10, 8, 0, 0);
const HOUR = 3_600_000;

let database: FreshDatabase;
let now: number;
let recorder: UsageRecorder;
let usage: UsageStore;

beforeEach(async () => {
  database = new FreshDatabase();
  const db = await database.open();
  now = MORNING;
  recorder = new UsageRecorder(db, { timeZone: ZONE, now: () => now });
  usage = new UsageStore(db);
});

afterEach(async () => {
  await database.dispose();
});

function call(routine: string, promptTokens: number, completionTokens: number, latencyMs = 100): ModelCallReport {
  return { routine, modelId: "SmolLM2", usage: { promptTokens, completionTokens }, latencyMs, outcome: "completed" };
}

describe("usage", () => {
  it("totals equal the calls recorded, in all and per routine", async () => {
    const calls = [call("chat", 900, 100, 250), call("chat", 1200, 300, 400), call("triage", 400, 20, 50)];
    for (const report of calls) {
      await recorder.record(report);
      now += 60_000;
    }
    expect(await usage.totals()).toEqual({
      calls: 3,
      promptTokens: 2500,
      completionTokens: 420,
      totalTokens: 2920,
      latencyMs: 700,
    });
    expect(await usage.totals({ routine: "chat" })).toMatchObject({ calls: 2, totalTokens: 2500 });
    expect(await usage.totalsByRoutine()).toMatchObject({ chat: { calls: 2 }, triage: { calls: 1, totalTokens: 420 } });
    expect(await usage.totals({ from: MORNING + 60_000 })).toMatchObject({ calls: 2, totalTokens: 1920 });
    expect(await usage.totals({ to: MORNING + 60_000 })).toMatchObject({ calls: 1, totalTokens: 1000 });
    expect((await usage.list()).map((record) => record.routine)).toEqual(["chat", "chat", "triage"]);
  });

  it("keeps the day's ledger in step with the records, also under concurrent calls", async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, index) => recorder.record(call(index % 2 ? "chat" : "triage", 10, 5))),
    );
    const budget = await recorder.budget();
    expect(budget.usedToday("chat")).toBe(150);
    expect(budget.usedToday("triage")).toBe(150);
    expect(budget.usedToday()).toBe((await usage.totals()).totalTokens);
  });

  it("never counts a nonsense figure", async () => {
    const record = await recorder.record({
      ...call("chat", Number.NaN, -5),
      latencyMs: Number.POSITIVE_INFINITY,
      estimated: true,
    });
    expect(record).toMatchObject({ promptTokens: 0, completionTokens: 0, latencyMs: 0, estimated: true });
    expect((await recorder.budget()).usedToday()).toBe(0);
  });
});

describe("budget checks", () => {
  it("refuses a call over the limit in settings, says why, and audits the refusal", async () => {
    await new SettingsStore(database.db).set("budgetLimits", {
      totalPerDay: 10_000,
      chatPerDay: 2_000,
      routinePerDay: 1_000,
      perRoutine: {},
    });
    await recorder.record(call("chat", 1500, 300));
    expect(await recorder.checkBudget("chat", 150)).toEqual({ ok: true, remaining: 200 });
    const refused = await recorder.checkBudget("chat", 500);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.refusal.message).toMatch(
      /daily token budget for chat would be exceeded. 1,800 of 2,000/,
    );
    const entries = (await new AuditLog(database.db).list()).entries;
    expect(entries).toEqual([
      { seq: 1, at: now, kind: "budget", routine: "chat", budget: "routine", limit: 2000, used: 1800, requested: 500 },
    ]);
  });

  it("starts a new day at midnight in the user's zone", async () => {
    await recorder.record(call("triage", 19_000, 900));
    expect((await recorder.checkBudget("triage", 500)).ok).toBe(false);
    now = MORNING + 15 * HOUR; // 00:00 the next day in Berlin
    expect(await recorder.checkBudget("triage", 500)).toEqual({ ok: true, remaining: 20_000 });
    now = MORNING + 14 * HOUR; // 23:00 the same day: still refused
    expect((await recorder.checkBudget("triage", 500)).ok).toBe(false);
  });
});
