import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TRUSTED } from "../../../src/memory/fact-rules";
import { MemoryStore } from "../../../src/memory/memory-store";
import { DEPLOY_WATCH_JOB_ID } from "../../../src/routines/deploy-watch-routine";
import { DREAMING_JOB_ID } from "../../../src/routines/dreaming-routine";
import { InProcessJobLocks } from "../../../src/routines/job-lock";
import { MAIL_TRIAGE_JOB_ID } from "../../../src/routines/mail-triage-routine";
import { MORNING_BRIEFING_JOB_ID } from "../../../src/routines/morning-briefing-routine";
import { RoutineRegistry } from "../../../src/routines/routine";
import { SLACK_DIGEST_JOB_ID } from "../../../src/routines/slack-digest-routine";
import {
  MAX_SLEEP_MS,
  NO_MODEL_MESSAGE,
  PAUSED_MESSAGE,
  PAUSED_WHILE_RUNNING_MESSAGE,
  Scheduler,
} from "../../../src/routines/scheduler";
import type { JobRecord } from "../../../src/store/job-record";
import { JobStore } from "../../../src/store/job-store";
import { FreshDatabase } from "../store/fresh-database";
import { FakeClock, settle } from "./fake-clock";
import { buildScheduler, CountingEngine, ZONE } from "./scheduler-harness";

const at = (iso: string): number => Date.parse(iso);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let fresh: FreshDatabase;
let clock: FakeClock;
let locks: InProcessJobLocks;
let engine: CountingEngine;

beforeEach(async () => {
  fresh = new FreshDatabase();
  await fresh.open();
  // Monday 24 November 2026, 10:00 in Berlin.
  clock = new FakeClock(at("2026-11-24T09:00:00Z"));
  locks = new InProcessJobLocks();
  engine = new CountingEngine();
});

afterEach(() => fresh.dispose());

function addNote(text: string, when: number) {
  return new MemoryStore(fresh.db).addNote({ text, at: when, origin: "chat", provenance: TRUSTED }, ZONE);
}

describe("the scheduler", () => {
  it("seeds the default jobs once, and keeps what the user changed", async () => {
    const { scheduler, store } = buildScheduler({ db: fresh.db, clock, locks, engine });
    await scheduler.start();
    expect((await store.list()).map((job) => job.id).sort()).toEqual([
      DEPLOY_WATCH_JOB_ID,
      DREAMING_JOB_ID,
      MAIL_TRIAGE_JOB_ID,
      MORNING_BRIEFING_JOB_ID,
      SLACK_DIGEST_JOB_ID,
    ]);
    await store.setEnabled(MORNING_BRIEFING_JOB_ID, false, clock.now());
    scheduler.stop();
    const again = buildScheduler({ db: fresh.db, clock, locks, engine });
    await again.scheduler.start();
    expect(await again.scheduler.seed()).toEqual([]);
    expect((await store.getJob(MORNING_BRIEFING_JOB_ID))?.enabled).toBe(false);
    expect((await store.getJob(DREAMING_JOB_ID))?.nextRunAt).toBe(at("2026-11-25T02:00:00Z"));
    again.scheduler.stop();
  });

  it("an idle day with every routine on costs no model call and no token: every run is nothing new", async () => {
    const { scheduler, store, runs } = buildScheduler({ db: fresh.db, clock, locks, engine });
    await scheduler.start();
    await clock.advance(DAY);
    scheduler.stop();
    expect(engine.calls).toBe(0);
    const recorded = await store.runsBetween();
    // Mail triage every 15 minutes (96 runs), the deployment watch every 5 (288), the Slack digest
    // twice on a weekday: each finds nothing.
    const frequent = [MAIL_TRIAGE_JOB_ID, DEPLOY_WATCH_JOB_ID, SLACK_DIGEST_JOB_ID];
    const countOf = (jobId: string) => recorded.filter((run) => run.jobId === jobId).length;
    expect(frequent.map(countOf)).toEqual([96, 288, 2]);
    const frequentRuns = recorded.filter((run) => frequent.includes(run.jobId));
    expect(new Set(frequentRuns.map((run) => run.outcome))).toEqual(new Set(["nothing-new"]));
    expect(recorded.filter((run) => !frequent.includes(run.jobId)).map((run) => [run.jobId, run.outcome])).toEqual([
      [DREAMING_JOB_ID, "nothing-new"],
      [MORNING_BRIEFING_JOB_ID, "nothing-new"],
    ]);
    expect(recorded.reduce((sum, run) => sum + run.tokens, 0)).toBe(0);
    expect(runs).toHaveLength(96 + 288 + 2 + 2);
  });

  it("sleeps until the next due time, at most a minute", async () => {
    const { scheduler } = buildScheduler({ db: fresh.db, clock, locks, engine });
    await scheduler.start();
    expect(scheduler.wakeAt).toBe(clock.now() + MAX_SLEEP_MS);
    await clock.advance(at("2026-11-25T02:00:00Z") - clock.now() - 10_000);
    expect(scheduler.wakeAt).toBe(at("2026-11-25T02:00:00Z"));
    scheduler.stop();
    expect(clock.pending).toBe(0);
  });

  it("after a week closed, each job catches up once, standing for the missed slots", async () => {
    const first = buildScheduler({ db: fresh.db, clock, locks, engine });
    await first.scheduler.start();
    first.scheduler.stop();
    await addNote("I started learning Portuguese", clock.now() + HOUR);
    // The app is closed for a week, then opened.
    clock = new FakeClock(clock.now() + 7 * DAY);
    const later = buildScheduler({ db: fresh.db, clock, locks, engine });
    await later.scheduler.start();
    later.scheduler.stop();
    const runs = (await later.store.runsBetween()).sort((a, b) => a.jobId.localeCompare(b.jobId));
    expect(runs.map((run) => [run.jobId, run.trigger, run.missedSlots, run.outcome])).toEqual([
      // Every 5 minutes for a week: one catch-up run, missed slots counted up to 100.
      [DEPLOY_WATCH_JOB_ID, "catch-up", 99, "nothing-new"],
      [DREAMING_JOB_ID, "catch-up", 6, "ran"],
      // A week of 15-minute slots is one catch-up run (missed slots are counted up to 100).
      [MAIL_TRIAGE_JOB_ID, "catch-up", 99, "nothing-new"],
      [MORNING_BRIEFING_JOB_ID, "catch-up", 6, "nothing-new"],
      // Weekdays at 08:30 and 13:30: ten slots in the week.
      [SLACK_DIGEST_JOB_ID, "catch-up", 9, "nothing-new"],
    ]);
    expect(engine.calls).toBe(1);
    const dreaming = runs.find((run) => run.jobId === DREAMING_JOB_ID);
    expect(dreaming?.tokens).toBe(30);
    expect(dreaming?.itemsFound).toBe(1);
  });

  it("the briefing counts the runs and waiting approvals since its last mark, without the model", async () => {
    await addNote("Dentist on Friday", clock.now() + HOUR);
    const { scheduler, store } = buildScheduler({ db: fresh.db, clock, locks, engine });
    await scheduler.start();
    await clock.advance(DAY);
    scheduler.stop();
    const briefing = (await store.runsOf(MORNING_BRIEFING_JOB_ID))[0];
    expect(briefing).toMatchObject({ outcome: "ran", tokens: 0, itemsFound: 1 });
    expect(briefing?.message).toBe("Briefing: 1 run and 0 approvals waiting.");
    expect(engine.calls).toBe(1);
  });

  it("two schedulers sharing the locks (two tabs) never run a job twice", async () => {
    await addNote("Call the bank", clock.now() - HOUR);
    const jobs = new JobStore(fresh.db);
    await jobs.put(
      {
        id: DREAMING_JOB_ID,
        routine: DREAMING_JOB_ID,
        title: "Dreaming",
        schedule: { kind: "every", minutes: 60 },
        enabled: true,
        timeZone: ZONE,
        timeoutMs: 60_000,
        createdAt: clock.now() - 2 * HOUR,
        since: clock.now() - 2 * HOUR,
      },
      clock.now(),
    );
    const one = buildScheduler({ db: fresh.db, clock, locks, engine });
    const two = buildScheduler({ db: fresh.db, clock, locks, engine });
    await Promise.all([one.scheduler.start(), two.scheduler.start()]);
    one.scheduler.stop();
    two.scheduler.stop();
    expect((await jobs.runsOf(DREAMING_JOB_ID)).map((run) => run.outcome)).toEqual(["ran"]);
    expect(engine.calls).toBe(1);
  });

  it("paused, a due job is recorded skipped and calls no model; resuming does not rerun the slot", async () => {
    let paused = true;
    await addNote("Book the flight", clock.now() - HOUR);
    const { scheduler, store } = buildScheduler({
      db: fresh.db,
      clock,
      locks,
      engine,
      paused: () => Promise.resolve(paused),
    });
    await scheduler.start();
    await clock.advance(DAY);
    const runs = await store.runsOf(DREAMING_JOB_ID);
    expect(runs.map((run) => [run.outcome, run.message])).toEqual([["skipped", PAUSED_MESSAGE]]);
    expect(engine.calls).toBe(0);
    paused = false;
    scheduler.setPaused(false);
    await settle();
    expect(await store.runsOf(DREAMING_JOB_ID)).toHaveLength(1);
    scheduler.stop();
  });

  it("the kill switch stops a running routine and records it skipped", async () => {
    const store = new JobStore(fresh.db);
    const signals: AbortSignal[] = [];
    const routines = new RoutineRegistry([
      {
        id: "slow",
        needsModel: false,
        check: () => Promise.resolve({ kind: "new", items: 1 }),
        run: ({ signal }) => {
          signals.push(signal);
          return new Promise(() => undefined);
        },
      },
    ]);
    const scheduler = new Scheduler({
      clock,
      locks,
      ledger: store,
      routines,
      isPaused: () => Promise.resolve(false),
      modelLoaded: () => true,
    });
    await store.put(slowJob(clock.now() - HOUR), clock.now());
    // The first tick waits for its runs; this one never ends by itself.
    void scheduler.start();
    await settle();
    expect(signals).toHaveLength(1);
    scheduler.setPaused(true);
    await settle();
    expect(signals[0]?.aborted).toBe(true);
    expect((await store.runsOf("slow")).map((run) => [run.outcome, run.message])).toEqual([
      ["skipped", PAUSED_WHILE_RUNNING_MESSAGE],
    ]);
    expect(locks.isHeld("tabclaw-job:slow")).toBe(false);
    scheduler.stop();
  });

  it("a hung routine times out at its watchdog, and the job runs again at its next slot", async () => {
    const store = new JobStore(fresh.db);
    let calls = 0;
    const routines = new RoutineRegistry([
      {
        id: "slow",
        needsModel: false,
        check: () => Promise.resolve({ kind: "new", items: 1 }),
        run: () => {
          calls += 1;
          return new Promise(() => undefined);
        },
      },
    ]);
    const scheduler = new Scheduler({
      clock,
      locks,
      ledger: store,
      routines,
      isPaused: () => Promise.resolve(false),
      modelLoaded: () => true,
    });
    await store.put(slowJob(clock.now() - HOUR), clock.now());
    void scheduler.start();
    await settle();
    await clock.advance(2 * 60_000);
    expect((await store.runsOf("slow")).map((run) => run.outcome)).toEqual(["timed-out"]);
    await clock.advance(HOUR);
    expect((await store.runsOf("slow")).map((run) => run.outcome)).toEqual(["timed-out", "timed-out"]);
    expect(calls).toBe(2);
    scheduler.stop();
  });

  it("without a model, a run with something new is skipped and runs once a model loads", async () => {
    engine.loadedModelId = undefined;
    await addNote("Renew the passport", clock.now() + HOUR);
    const { scheduler, store } = buildScheduler({ db: fresh.db, clock, locks, engine });
    await scheduler.start();
    await clock.advance(DAY);
    expect((await store.runsOf(DREAMING_JOB_ID)).map((run) => [run.outcome, run.message])).toEqual([
      ["skipped", NO_MODEL_MESSAGE],
    ]);
    await engine.load("test-model");
    await scheduler.modelLoaded();
    const runs = await store.runsOf(DREAMING_JOB_ID);
    expect(runs.map((run) => [run.trigger, run.outcome])).toEqual([
      ["schedule", "skipped"],
      ["catch-up", "ran"],
    ]);
    expect(engine.calls).toBe(1);
    // Only once: a second load finds nothing waiting.
    await scheduler.modelLoaded();
    expect(await store.runsOf(DREAMING_JOB_ID)).toHaveLength(2);
    scheduler.stop();
  });

  it("reads jobs again when told they changed", async () => {
    const { scheduler, store } = buildScheduler({ db: fresh.db, clock, locks, engine });
    await scheduler.start();
    await addNote("Water the plants", clock.now() - 1000);
    await store.put({ ...slowJob(clock.now() - HOUR), id: "hourly-dream", routine: DREAMING_JOB_ID }, clock.now());
    const report = await scheduler.jobsChanged();
    expect(report.attempts.map((attempt) => attempt.jobId)).toEqual(["hourly-dream"]);
    expect(engine.calls).toBe(1);
    scheduler.stop();
  });

  it("marks runs a closed tab left running as interrupted at start", async () => {
    const store = new JobStore(fresh.db);
    const job = await store.put(slowJob(clock.now() - DAY), clock.now() - DAY);
    await store.startRun(
      {
        id: "left",
        jobId: job.id,
        routine: job.routine,
        trigger: "schedule",
        missedSlots: 0,
        startedAt: clock.now() - 2 * HOUR,
        outcome: "running",
        tokens: 0,
        itemsFound: 0,
      },
      { ...job, lastRunAt: clock.now() - 2 * HOUR },
    );
    const { scheduler } = buildScheduler({ db: fresh.db, clock, locks, engine });
    await scheduler.start();
    expect((await store.getRun("left"))?.outcome).toBe("interrupted");
    scheduler.stop();
  });
});

function slowJob(created: number): JobRecord {
  return {
    id: "slow",
    routine: "slow",
    title: "Slow",
    schedule: { kind: "every", minutes: 60 },
    enabled: true,
    timeZone: ZONE,
    timeoutMs: 60_000,
    createdAt: created,
    since: created,
  };
}
