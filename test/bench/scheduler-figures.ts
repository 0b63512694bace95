/**
 * Issue 5's scheduler figures, measured in Node over fake-indexeddb (an in-memory IndexedDB, not
 * the browser's) with a fake clock:
 * - `idle_tokens_per_hour`: simulated hours with every routine on (dreaming, the morning briefing)
 *   and nothing new, through the real scheduler, JobRunner and routines; tokens recorded on the
 *   runs plus tokens the (counting) engine was asked for, per simulated hour. Target 0.
 * - `scheduler_tick_ms_p50`: the wall time of one tick over {@link TICK_JOBS} stored jobs, none due
 *   (the tick the scheduler makes every minute: read the jobs, work out each one's next slot).
 */
import "fake-indexeddb/auto";
import { InProcessJobLocks } from "../../src/routines/job-lock";
import { RoutineRegistry } from "../../src/routines/routine";
import { Scheduler } from "../../src/routines/scheduler";
import type { JobRecord } from "../../src/store/job-record";
import { JobStore } from "../../src/store/job-store";
import { FakeClock } from "../unit/routines/fake-clock";
import { buildScheduler, CountingEngine, ZONE } from "../unit/routines/scheduler-harness";
import { FreshDatabase } from "../unit/store/fresh-database";
import type { BenchTarget, Figure } from "./report";

/** Two simulated days: each routine's daily slot comes round twice. */
export const IDLE_HOURS = 48;
export const TICK_JOBS = 100;
const TICKS = 60;

export const SCHEDULER_TARGETS: BenchTarget[] = [
  { key: "idle_tokens_per_hour", target: "0", met: (value) => value === 0 },
  { key: "scheduler_tick_ms_p50", target: "< 10", met: (value) => Number(value) < 10 },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

async function idleFigures(): Promise<Record<string, Figure>> {
  const fresh = new FreshDatabase();
  const db = await fresh.open();
  try {
    const clock = new FakeClock(Date.parse("2026-11-24T09:00:00Z"));
    const engine = new CountingEngine();
    const { scheduler, store } = buildScheduler({ db, clock, locks: new InProcessJobLocks(), engine });
    await scheduler.start();
    await clock.advance(IDLE_HOURS * 3_600_000);
    scheduler.stop();
    const runs = await store.runsBetween();
    const tokens = runs.reduce((sum, run) => sum + run.tokens, 0) + engine.tokens;
    return {
      idle_tokens_per_hour: tokens / IDLE_HOURS,
      idle_model_calls: engine.calls,
      idle_runs: runs.length,
      idle_runs_nothing_new_share: runs.filter((run) => run.outcome === "nothing-new").length / runs.length,
    };
  } finally {
    await fresh.dispose();
  }
}

function tickJob(index: number, now: number): JobRecord {
  const schedules: JobRecord["schedule"][] = [
    { kind: "every", minutes: 15 },
    { kind: "daily", time: "07:30" },
    { kind: "cron", expression: "*/30 8-18 * * 1-5" },
  ];
  return {
    id: `job-${index}`,
    routine: "idle",
    title: `Job ${index}`,
    schedule: schedules[index % schedules.length] ?? { kind: "every", minutes: 15 },
    enabled: true,
    timeZone: ZONE,
    timeoutMs: 60_000,
    createdAt: now,
    since: now,
  };
}

async function tickFigures(): Promise<Record<string, Figure>> {
  const fresh = new FreshDatabase();
  const db = await fresh.open();
  try {
    // 10:00:30 in Berlin: the jobs were created a moment ago, so nothing is due for 14 minutes.
    const clock = new FakeClock(Date.parse("2026-11-24T09:00:30Z"));
    const store = new JobStore(db);
    for (let index = 0; index < TICK_JOBS; index++) await store.put(tickJob(index, clock.now()), clock.now());
    const scheduler = new Scheduler({
      clock,
      locks: new InProcessJobLocks(),
      ledger: store,
      routines: new RoutineRegistry(),
      isPaused: () => Promise.resolve(false),
      modelLoaded: () => false,
    });
    const times: number[] = [];
    await scheduler.tick();
    for (let tick = 0; tick < TICKS; tick++) {
      await clock.advance(5_000);
      const started = performance.now();
      const report = await scheduler.tick();
      times.push(performance.now() - started);
      if (report.attempts.length > 0) throw new Error("A job was due during the tick benchmark.");
    }
    scheduler.stop();
    return {
      scheduler_tick_ms_p50: median(times),
      scheduler_tick_jobs: TICK_JOBS,
      scheduler_tick_idb: "fake-indexeddb",
    };
  } finally {
    await fresh.dispose();
  }
}

export async function measureSchedulerFigures(): Promise<Record<string, Figure>> {
  return { ...(await idleFigures()), ...(await tickFigures()) };
}
