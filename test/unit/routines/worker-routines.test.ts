import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GATE_CHANNEL } from "../../../src/gate/gate";
import { TRUSTED } from "../../../src/memory/fact-rules";
import { MemoryStore } from "../../../src/memory/memory-store";
import { DREAMING_JOB_ID } from "../../../src/routines/dreaming-routine";
import { InProcessJobLocks } from "../../../src/routines/job-lock";
import { GATE_CHANNEL_NAME, WorkerRoutines } from "../../../src/routines/worker-routines";
import { openDatabase } from "../../../src/store/database";
import { JobStore } from "../../../src/store/job-store";
import { KillSwitch } from "../../../src/store/kill-switch";
import { FreshDatabase } from "../store/fresh-database";
import { FakeClock, settle } from "./fake-clock";
import { CountingEngine, ZONE } from "./scheduler-harness";

let fresh: FreshDatabase;
let clock: FakeClock;
let engine: CountingEngine;
let routines: WorkerRoutines;

beforeEach(async () => {
  fresh = new FreshDatabase();
  await fresh.open();
  clock = new FakeClock(Date.parse("2026-11-24T09:00:00Z"));
  engine = new CountingEngine();
  routines = new WorkerRoutines({
    openDb: () => openDatabase(fresh.name),
    engine: () => engine,
    timeZone: ZONE,
    clock,
    locks: new InProcessJobLocks(),
  });
});

afterEach(async () => {
  routines.stop();
  await settle();
  await fresh.dispose();
});

describe("the agent worker's routines", () => {
  it("listens on the Gate's channel", () => {
    expect(GATE_CHANNEL_NAME).toBe(GATE_CHANNEL);
  });

  it("Dream now runs the dreaming job through the scheduler and returns the journal entry", async () => {
    await new MemoryStore(fresh.db).addNote(
      { text: "I moved to Lisbon", at: clock.now() - 60_000, origin: "chat", provenance: TRUSTED },
      ZONE,
    );
    await routines.start();
    const entry = await routines.dream({ timeZone: ZONE, trigger: "manual" });
    expect(entry).toMatchObject({ trigger: "manual", status: "nothing_new", tokens: 30, notesRead: 1 });
    const runs = await new JobStore(fresh.db).runsOf(DREAMING_JOB_ID);
    expect(runs.map((run) => [run.trigger, run.outcome, run.tokens, run.itemsFound])).toEqual([
      ["manual", "ran", 30, 1],
    ]);
    expect(engine.calls).toBe(1);
  });

  it("hears the kill switch from the Gate's channel", async () => {
    await routines.start();
    expect(routines.scheduler.paused).toBe(false);
    await new KillSwitch(fresh.db).set(true, clock.now());
    const gate = new BroadcastChannel(GATE_CHANNEL);
    gate.postMessage("changed");
    gate.close();
    await expect.poll(() => routines.scheduler.paused).toBe(true);
  });
});
