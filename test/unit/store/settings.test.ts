import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_GATE_POLICY } from "../../../src/core/agent/gate-policy";
import { DEFAULT_BUDGET_LIMITS } from "../../../src/core/agent/token-budget";
import { SettingsStore } from "../../../src/store/settings-store";
import { FreshDatabase } from "./fresh-database";

let database: FreshDatabase;
let settings: SettingsStore;

beforeEach(async () => {
  database = new FreshDatabase();
  settings = new SettingsStore(await database.open());
});

afterEach(async () => {
  await database.dispose();
});

describe("the safety settings", () => {
  it("default to the kill switch off, the default policy and the default limits", async () => {
    expect(await settings.get("killSwitch")).toBe(false);
    expect(await settings.get("gatePolicy")).toEqual(DEFAULT_GATE_POLICY);
    expect(await settings.get("budgetLimits")).toEqual(DEFAULT_BUDGET_LIMITS);
  });

  it("read back what was set", async () => {
    const policy = {
      readAccess: { slack: "ask" as const },
      defaultReadAccess: "allow" as const,
      autoApprovedWrites: ["apply_label"],
    };
    await settings.set("gatePolicy", policy);
    expect(await settings.get("gatePolicy")).toEqual(policy);
  });

  it("fall back to the default when the stored value has the wrong shape", async () => {
    const db = database.db;
    await db.put("settings", "yes", "killSwitch");
    await db.put(
      "settings",
      { readAccess: { gmail: "sometimes" }, defaultReadAccess: "allow", autoApprovedWrites: [] },
      "gatePolicy",
    );
    await db.put("settings", { ...DEFAULT_BUDGET_LIMITS, chatPerDay: -1 }, "budgetLimits");
    expect(await settings.get("killSwitch")).toBe(false);
    expect(await settings.get("gatePolicy")).toEqual(DEFAULT_GATE_POLICY);
    expect(await settings.get("budgetLimits")).toEqual(DEFAULT_BUDGET_LIMITS);
  });
});
