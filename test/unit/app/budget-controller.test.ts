import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BudgetController, draftOf, parseLimit, validateDraft } from "../../../src/app/budget-controller";
import { DEFAULT_BUDGET_LIMITS } from "../../../src/core/agent/token-budget";
import { SettingsStore } from "../../../src/store/settings-store";
import { UsageRecorder } from "../../../src/store/usage-recorder";
import { FreshDatabase } from "../store/fresh-database";

const ZONE = "Europe/Berlin";
// 2025-03-10 09:00 in Berlin (UTC+1).
const MORNING = Date.UTC(2025, 2, 10, 8, 0, 0);

let database: FreshDatabase;
let settings: SettingsStore;
let recorder: UsageRecorder;
let budgets: BudgetController;
let now: number;

beforeEach(async () => {
  database = new FreshDatabase();
  const db = await database.open();
  now = MORNING;
  settings = new SettingsStore(db);
  recorder = new UsageRecorder(db, { timeZone: ZONE, now: () => now });
  budgets = new BudgetController(settings, recorder, { timeZone: ZONE, now: () => now });
});

afterEach(async () => {
  await database.dispose();
});

const spend = (routine: string, tokens: number) =>
  recorder.record({
    routine,
    modelId: "SmolLM2",
    usage: { promptTokens: tokens, completionTokens: 0 },
    latencyMs: 10,
    outcome: "completed",
  });

describe("parseLimit", () => {
  it("takes whole numbers ≥ 0, with the grouping people type", () => {
    expect(parseLimit("0")).toEqual({ ok: true, value: 0 });
    expect(parseLimit(" 150000 ")).toEqual({ ok: true, value: 150_000 });
    expect(parseLimit("200,000")).toEqual({ ok: true, value: 200_000 });
    expect(parseLimit("200 000")).toEqual({ ok: true, value: 200_000 });
  });

  it("says what is wrong with anything else", () => {
    expect(parseLimit("")).toEqual({ ok: false, message: "Enter a number of tokens (0 or more)." });
    expect(parseLimit("-5")).toEqual({ ok: false, message: "A budget cannot be negative: enter 0 or more." });
    expect(parseLimit("1.5")).toEqual({ ok: false, message: "Enter a whole number of tokens, without decimals." });
    expect(parseLimit("lots")).toEqual({ ok: false, message: "Enter digits only, for example 150000." });
    expect(parseLimit("1e6")).toMatchObject({ ok: false });
    expect(parseLimit("99999999999999999999")).toEqual({ ok: false, message: "That number is too large." });
  });

  it("validates a whole draft field by field", () => {
    const draft = { ...draftOf(DEFAULT_BUDGET_LIMITS), chatPerDay: "-1", perRoutine: { triage: "x", digest: "5" } };
    expect(validateDraft(draft)).toEqual({
      ok: false,
      errors: {
        chatPerDay: "A budget cannot be negative: enter 0 or more.",
        "routine:triage": "Enter digits only, for example 150000.",
      },
    });
    expect(validateDraft(draftOf(DEFAULT_BUDGET_LIMITS))).toEqual({ ok: true, limits: DEFAULT_BUDGET_LIMITS });
  });
});

describe("BudgetController", () => {
  it("shows the defaults and nothing spent on a fresh device", async () => {
    await budgets.refresh();
    expect(budgets.loaded).toBe(true);
    expect(budgets.limits).toEqual(DEFAULT_BUDGET_LIMITS);
    expect(budgets.rows()).toEqual([
      { id: "total", label: "Total", used: 0, limit: 200_000 },
      { id: "chat", label: "Chat", used: 0, limit: 150_000 },
    ]);
    // Midnight in Berlin is 23:00 UTC.
    expect(budgets.resetsAt()).toBe(Date.UTC(2025, 2, 10, 23, 0, 0));
  });

  it("shows today's spending per routine against each limit, and starts again the next day", async () => {
    await spend("chat", 1200);
    await spend("triage", 300);
    await budgets.refresh();
    expect(budgets.rows()).toEqual([
      { id: "total", label: "Total", used: 1500, limit: 200_000 },
      { id: "chat", label: "Chat", used: 1200, limit: 150_000 },
      { id: "triage", label: "Routine “triage”", used: 300, limit: 20_000 },
    ]);
    now += 24 * 3_600_000;
    await budgets.refresh();
    expect(budgets.usedToday()).toBe(0);
  });

  it("saves valid limits where the budget checks read them, and refuses invalid ones without storing anything", async () => {
    await budgets.refresh();
    let changes = 0;
    budgets.subscribe(() => (changes += 1));
    const refused = await budgets.save({ ...draftOf(budgets.limits), totalPerDay: "1.5" });
    expect(refused).toEqual({
      ok: false,
      errors: { totalPerDay: "Enter a whole number of tokens, without decimals." },
    });
    expect(await settings.get("budgetLimits")).toEqual(DEFAULT_BUDGET_LIMITS);

    const saved = await budgets.save({
      totalPerDay: "1,000",
      chatPerDay: "600",
      routinePerDay: "0",
      perRoutine: { triage: "50" },
    });
    const limits = { totalPerDay: 1000, chatPerDay: 600, routinePerDay: 0, perRoutine: { triage: 50 } };
    expect(saved).toEqual({ ok: true, limits });
    expect(await settings.get("budgetLimits")).toEqual(limits);
    expect(budgets.limits).toEqual(limits);
    expect(changes).toBeGreaterThan(0);
    expect(budgets.rows().map((row) => [row.id, row.limit])).toEqual([
      ["total", 1000],
      ["chat", 600],
      ["triage", 50],
    ]);
    expect(budgets.limitFor("digest")).toBe(0);

    // The limits the agent's budget enforces are the ones just saved.
    await spend("chat", 590);
    const check = (await recorder.budget()).check("chat", 20);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.refusal.message).toMatch(/daily token budget for chat/);
  });

  it("resets to the defaults", async () => {
    await budgets.save({ totalPerDay: "1", chatPerDay: "1", routinePerDay: "1", perRoutine: {} });
    expect(await budgets.resetToDefaults()).toEqual(DEFAULT_BUDGET_LIMITS);
    expect(await settings.get("budgetLimits")).toEqual(DEFAULT_BUDGET_LIMITS);
  });
});
