import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BriefingController } from "../../../src/app/briefing-controller";
import { JobStore } from "../../../src/store/job-store";
import { SettingsStore } from "../../../src/store/settings-store";
import { FreshDatabase } from "../store/fresh-database";
import { at, job, run } from "./routines-fixtures";

let fresh: FreshDatabase;
let jobs: JobStore;
let settings: SettingsStore;
let clock = at("2026-11-24T08:00:00Z");
let pending = 0;

function controller(): BriefingController {
  return new BriefingController({ jobs, settings, pendingApprovals: () => pending, now: () => clock });
}

beforeEach(async () => {
  fresh = new FreshDatabase();
  const db = await fresh.open();
  jobs = new JobStore(db);
  settings = new SettingsStore(db);
  clock = at("2026-11-24T08:00:00Z");
  pending = 0;
});
afterEach(() => fresh.dispose());

describe("BriefingController", () => {
  it("the first visit only records the moment; later runs make a briefing until it is dismissed", async () => {
    const first = controller();
    await first.load();
    expect(first.briefing).toBeUndefined();
    expect(await settings.get("lastSeenAt")).toBe(clock);

    await jobs.put(job(), clock);
    await jobs.startRun(
      run({ id: "before", startedAt: at("2026-11-24T07:00:00Z"), outcome: "ran", itemsFound: 9 }),
      job(),
    );
    await jobs.startRun(
      run({ id: "after", startedAt: at("2026-11-25T06:00:00Z"), outcome: "ran", itemsFound: 2 }),
      job(),
    );
    pending = 1;
    clock = at("2026-11-25T08:00:00Z");
    const next = controller();
    await next.load();
    expect(next.briefing).toMatchObject({ runs: 1, itemsFound: 2, pendingApprovals: 1 });
    pending = 0;
    next.updatePending();
    expect(next.briefing?.pendingApprovals).toBe(0);

    await next.dismiss();
    expect(next.briefing).toBeUndefined();
    expect(await settings.get("lastSeenAt")).toBe(clock);
    const again = controller();
    await again.load();
    expect(again.briefing).toBeUndefined();
  });
});
