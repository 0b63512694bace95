/**
 * How long a failed deployment run takes to reach the user, in Node against the fake GitHub
 * (which validates every request against @octokit/openapi), through the real scheduler, deployment
 * watch routine, Gate and GitHub connector, and the real Notifier deciding what to show:
 * - `deploy_failure_to_notification_s`: a failure appearing at a random moment waits, on average,
 *   half a watch interval for the next slot (measured: it appears halfway between two slots and
 *   the scheduler's fake clock runs to the slot), then the run's real processing (poll, jobs, log
 *   tail, verdict, re-run card, the run record, the Notifier's check) until the notification is
 *   shown. Reported as the sum of both parts, each also on its own.
 * - `deploy_failure_to_notification_worst_s`: the same, for a failure appearing just after a poll.
 * The verdict comes from a scripted engine (a TEST DOUBLE), so processing leaves out the model's
 * own decode time: on a device, add about `VERDICT_MAX_TOKENS` tokens at its decode speed.
 */
import "fake-indexeddb/auto";
import { Notifier, type NotificationPort } from "../../src/app/notifier";
import { VERDICT_MAX_TOKENS } from "../../src/core/deploy/deploy-verdict";
import {
  DEPLOY_WATCH_EVERY_MINUTES,
  DEPLOY_WATCH_JOB_ID,
  deployWatchJob,
} from "../../src/routines/deploy-watch-routine";
import { InProcessJobLocks } from "../../src/routines/job-lock";
import { RoutineRegistry } from "../../src/routines/routine";
import { Scheduler } from "../../src/routines/scheduler";
import type { JobRunRecord } from "../../src/store/job-record";
import { JobStore } from "../../src/store/job-store";
import { SettingsStore } from "../../src/store/settings-store";
import { DeployWatchHarness, START, VerdictEngine } from "../unit/deploy/deploy-watch-harness";
import { FakeClock } from "../unit/routines/fake-clock";
import type { BenchTarget, Figure } from "./report";

const INTERVAL_MS = DEPLOY_WATCH_EVERY_MINUTES * 60_000;
const SHOP = "octo-org/shop";
const FLAKY = '{"cause":"The database timed out","kind":"flaky","nextStep":"Re-run the failed jobs","severity":"high"}';

/** One watch interval for the wait, and ten seconds of processing on a shared machine. */
const TARGET_S = INTERVAL_MS / 1000 + 10;

export const DEPLOY_NOTIFICATION_TARGETS: BenchTarget[] = [
  {
    key: "deploy_failure_to_notification_s",
    target: `≤ ${TARGET_S}`,
    met: (value) => Number(value) <= TARGET_S,
  },
  {
    key: "deploy_failure_to_notification_worst_s",
    target: `≤ ${TARGET_S}`,
    met: (value) => Number(value) <= TARGET_S,
  },
];

/** Notifications as a user who allowed them sees them. */
class ShownNotifications implements NotificationPort {
  readonly shown: { title: string; body: string }[] = [];
  permission(): NotificationPermission {
    return "granted";
  }
  requestPermission(): Promise<NotificationPermission> {
    return Promise.resolve("granted");
  }
  show(title: string, options: { body: string; tag: string }): Promise<void> {
    this.shown.push({ title, body: options.body });
    return Promise.resolve();
  }
}

async function runsSettled(store: JobStore): Promise<void> {
  while ((await store.runsBetween()).some((run) => run.outcome === "running")) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Moves the fake clock a minute at a time, letting each run's real round trips finish before time moves on. */
async function advance(clock: FakeClock, store: JobStore, ms: number): Promise<void> {
  for (let moved = 0; moved < ms; moved += 60_000) {
    await clock.advance(Math.min(60_000, ms - moved));
    await runsSettled(store);
  }
}

interface Measured {
  waitS: number;
  processingS: number;
  notification: string;
}

/**
 * A failure appearing `afterSlotMs` after a watch slot: the fake clock runs to the next slot (the
 * wait), then real time is measured from that slot's timer until the Notifier has shown the run.
 */
async function failureToNotification(afterSlotMs: number): Promise<Measured> {
  const clock = new FakeClock(START);
  const watch = new DeployWatchHarness();
  watch.clock = clock;
  await watch.start();
  try {
    await watch.seed(SHOP);
    watch.grant();
    watch.engine = new VerdictEngine([FLAKY]);
    const db = watch.fresh.db;
    const store = new JobStore(db);
    const settings = new SettingsStore(db);
    await settings.set("notifyJobs", [DEPLOY_WATCH_JOB_ID]);
    await store.put(deployWatchJob("UTC", clock.now()), clock.now());
    const scheduler = new Scheduler({
      clock,
      locks: new InProcessJobLocks(),
      ledger: store,
      routines: new RoutineRegistry([watch.routine]),
      isPaused: () => Promise.resolve(false),
      modelLoaded: () => true,
    });
    await scheduler.start();
    // The first slot is the baseline poll; then to the moment the failure appears.
    const firstSlot = Math.ceil((clock.now() + 1) / INTERVAL_MS) * INTERVAL_MS;
    await advance(clock, store, firstSlot - clock.now());
    await advance(clock, store, afterSlotMs);
    const appearedAt = clock.now();
    watch.fake.state.failRun(SHOP, { job: "e2e", log: "Error: connect ETIMEDOUT 10.0.0.7:5432\n" });
    // The page's Notifier, watching from the moment the failure appears.
    const port = new ShownNotifications();
    const watching = new Notifier({ settings, port, now: appearedAt });

    // Up to the slot: fake time only (nothing runs in between).
    const nextSlot = Math.ceil((appearedAt + 1) / INTERVAL_MS) * INTERVAL_MS;
    await clock.advance(nextSlot - appearedAt - 1);
    const waitMs = nextSlot - appearedAt;
    // The slot itself: real processing from here until the notification is shown.
    const started = performance.now();
    await clock.advance(1);
    let shown: JobRunRecord[] = [];
    while (shown.length === 0) {
      await runsSettled(store);
      const [jobs, runs] = await Promise.all([store.list(), store.runsBetween({ from: appearedAt })]);
      shown = await watching.check(jobs, runs);
      if (shown.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const processingMs = performance.now() - started;
    scheduler.stop();
    if (watch.fake.violations.length > 0)
      throw new Error(`The fake GitHub saw violations: ${watch.fake.violations.join("; ")}`);
    if (shown[0]?.startedAt !== nextSlot)
      throw new Error(`The run that found the failure did not start at the slot: ${JSON.stringify(shown[0])}`);
    const [notification] = port.shown;
    if (!notification?.body.includes("CI failed on main (e2e)"))
      throw new Error(`The notification does not name the failure: ${JSON.stringify(port.shown)}`);
    return { waitS: waitMs / 1000, processingS: processingMs / 1000, notification: notification.body };
  } finally {
    await watch.stop();
  }
}

export async function measureDeployNotificationFigures(): Promise<Record<string, Figure>> {
  const typical = await failureToNotification(INTERVAL_MS / 2);
  const worst = await failureToNotification(1_000);
  return {
    deploy_failure_to_notification_s: typical.waitS + typical.processingS,
    deploy_failure_slot_wait_s: typical.waitS,
    deploy_failure_notification_processing_s: typical.processingS,
    deploy_failure_to_notification_worst_s: worst.waitS + worst.processingS,
    deploy_failure_worst_slot_wait_s: worst.waitS,
    deploy_failure_worst_processing_s: worst.processingS,
    deploy_failure_notification_excludes_model_decode_tokens: VERDICT_MAX_TOKENS,
    deploy_failure_notification_text: typical.notification,
  };
}
