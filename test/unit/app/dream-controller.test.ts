import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DreamController, type DreamPort } from "../../../src/app/dream-controller";
import { Observable } from "../../../src/app/observable";
import { writeJournalEntry, type DreamJournalEntry } from "../../../src/memory/dream-journal-store";
import type { DreamRequest } from "../../../src/memory/dream-run";
import { dreamingJob } from "../../../src/routines/default-jobs";
import { DREAMING_JOB_ID } from "../../../src/routines/dreaming-routine";
import { JobStore } from "../../../src/store/job-store";
import { SettingsStore } from "../../../src/store/settings-store";
import { FreshDatabase } from "../store/fresh-database";

const ZONE = "Europe/Berlin";

class FakeModels extends Observable {
  load: { kind: string } = { kind: "idle" };
  ready(): void {
    this.load = { kind: "ready" };
    this.changed();
  }
}

class FakePause extends Observable {
  paused = false;
  set(on: boolean): void {
    this.paused = on;
    this.changed();
  }
}

function entry(at: number): DreamJournalEntry {
  return {
    id: `run-${at}`,
    at,
    day: "2026-11-23",
    trigger: "manual",
    status: "nothing_new",
    message: "Nothing new to read since the last run: the model was not asked.",
    reasons: [],
    notes: [],
    notesRead: 0,
    notesLeft: 0,
    tokens: 0,
    merges: [],
  };
}

let fresh: FreshDatabase;
beforeEach(async () => {
  fresh = new FreshDatabase();
  await fresh.open();
});
afterEach(async () => {
  await fresh.dispose();
});

function setUp(now: number, answer?: Awaited<ReturnType<DreamPort["dream"]>>) {
  const models = new FakeModels();
  const pause = new FakePause();
  const requests: DreamRequest[] = [];
  let announced = 0;
  const port: DreamPort = {
    dream: async (request) => {
      requests.push(request);
      if (answer) return answer;
      const done = { ...entry(now), id: `dream-${requests.length}` };
      await writeJournalEntry(fresh.db, done);
      return { ok: true, value: done };
    },
  };
  const controller = new DreamController({
    db: fresh.db,
    settings: new SettingsStore(fresh.db),
    port: () => Promise.resolve(port),
    models,
    pause,
    timeZone: ZONE,
    now: () => now,
    announceJobsChanged: () => (announced += 1),
  });
  return { controller, models, pause, requests, announced: () => announced };
}

describe("the dream controller", () => {
  it("sets no timer of its own: the next run is the scheduler's dreaming job", async () => {
    const now = Date.parse("2026-11-24T09:00:00Z");
    await new JobStore(fresh.db).put(dreamingJob({ enabled: true, time: "03:00" }, ZONE, now), now);
    const { controller, models, requests } = setUp(now);
    await controller.init();
    models.ready();
    expect(requests).toHaveLength(0);
    // Tomorrow at 03:00 Berlin (02:00 UTC).
    expect(controller.nextDue).toBe(Date.parse("2026-11-25T02:00:00Z"));
    controller.dispose();
  });

  it("saving the nightly setting writes the dreaming job and tells the schedulers", async () => {
    const now = Date.parse("2026-11-24T09:00:00Z");
    const { controller, announced } = setUp(now);
    await controller.init();
    expect(await controller.saveSettings(true, "04:30")).toEqual({ ok: true });
    const job = await new JobStore(fresh.db).getJob(DREAMING_JOB_ID);
    expect(job).toMatchObject({ enabled: true, schedule: { kind: "daily", time: "04:30" }, timeZone: ZONE });
    expect(controller.nextDue).toBe(Date.parse("2026-11-25T03:30:00Z"));
    await controller.saveSettings(false, "04:30");
    expect((await new JobStore(fresh.db).getJob(DREAMING_JOB_ID))?.enabled).toBe(false);
    expect(controller.nextDue).toBeUndefined();
    expect(announced()).toBe(2);
    expect(await controller.saveSettings(true, "3am")).toMatchObject({ ok: false });
    // Turned back on: counted from now, so the nights it was off are not caught up.
    await controller.saveSettings(true, "04:30");
    expect((await new JobStore(fresh.db).getJob(DREAMING_JOB_ID))?.since).toBe(now);
    controller.dispose();
  });

  it("Dream now explains what blocks it, then asks the worker to run the job", async () => {
    const { controller, models, pause, requests } = setUp(Date.parse("2026-11-24T09:00:00Z"));
    await controller.init();
    expect(await controller.dreamNow()).toBeUndefined();
    expect(controller.message).toContain("load one first");
    models.ready();
    pause.set(true);
    expect(await controller.dreamNow()).toBeUndefined();
    expect(controller.message).toContain("paused");
    pause.set(false);
    await controller.dreamNow();
    expect(requests).toEqual([{ timeZone: ZONE, trigger: "manual" }]);
    expect(controller.runs).toHaveLength(1);
    controller.dispose();
  });

  it("a run going on elsewhere is said plainly, not as a failure", async () => {
    const { controller, models } = setUp(Date.parse("2026-11-24T09:00:00Z"), {
      ok: false,
      error: { name: "JobBusyError", message: "Dreaming is running right now (here or in another tab)." },
    });
    await controller.init();
    models.ready();
    await controller.dreamNow();
    expect(controller.message).toBe("Dreaming is running right now (here or in another tab).");
    controller.dispose();
  });
});
