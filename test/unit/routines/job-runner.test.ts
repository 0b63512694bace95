import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InProcessJobLocks, jobLockName } from "../../../src/routines/job-lock";
import { JobRunner, type Routine, type RoutineContext, type RoutineResult } from "../../../src/routines/job-runner";
import type { JobRecord } from "../../../src/store/job-record";
import { JobStore } from "../../../src/store/job-store";
import { FreshDatabase } from "../store/fresh-database";
import { FakeClock, settle } from "./fake-clock";

const at = (iso: string): number => Date.parse(iso);

const mail: JobRecord = {
  id: "mail",
  routine: "mail-triage",
  title: "Mail",
  schedule: { kind: "every", minutes: 15 },
  enabled: true,
  timeZone: "Europe/Berlin",
  timeoutMs: 120_000,
  createdAt: at("2026-11-24T08:00:00Z"),
  since: at("2026-11-24T08:00:00Z"),
};

let fresh: FreshDatabase;
let store: JobStore;
let clock: FakeClock;
let locks: InProcessJobLocks;

beforeEach(async () => {
  fresh = new FreshDatabase();
  store = new JobStore(await fresh.open());
  clock = new FakeClock(at("2026-11-24T09:15:00Z"));
  locks = new InProcessJobLocks();
  await store.put(mail, mail.createdAt);
});

afterEach(() => fresh.dispose());

/** A routine that reports `result` at once. */
function returns(result: RoutineResult): Routine {
  return () => Promise.resolve(result);
}

function runner(): JobRunner {
  return new JobRunner({ clock, locks, ledger: store });
}

/** A routine that waits until the test lets it finish. */
function gated(): { routine: Routine; calls: RoutineContext[]; finish: () => void } {
  const calls: RoutineContext[] = [];
  let finish = (): void => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    calls,
    finish: () => finish(),
    routine: async (context) => {
      calls.push(context);
      await done;
      return { outcome: "ran", tokens: 420, itemsFound: 3, message: "3 new mails triaged." };
    },
  };
}

describe("the job runner", () => {
  it("runs a due job once and records the run and the job's last and next run", async () => {
    const first = await runner().runIfDue("mail", returns({ outcome: "nothing-new" }));
    expect(first).toMatchObject({
      status: "done",
      run: {
        jobId: "mail",
        routine: "mail-triage",
        trigger: "catch-up",
        slot: at("2026-11-24T09:15:00Z"),
        missedSlots: 4,
        outcome: "nothing-new",
        tokens: 0,
        itemsFound: 0,
        startedAt: clock.now(),
        finishedAt: clock.now(),
      },
    });
    expect(await store.getJob("mail")).toMatchObject({
      lastRunAt: clock.now(),
      lastOutcome: "nothing-new",
      nextRunAt: at("2026-11-24T09:30:00Z"),
    });
    expect(await runner().runIfDue("mail", returns({ outcome: "ran" }))).toEqual({ status: "not-due" });

    await clock.advance(15 * 60_000);
    const second = await runner().runIfDue("mail", returns({ outcome: "ran", tokens: 800, itemsFound: 2 }));
    expect(second).toMatchObject({ status: "done", run: { trigger: "schedule", missedSlots: 0, tokens: 800 } });
    expect((await store.runsOf("mail")).map((run) => run.outcome)).toEqual(["nothing-new", "ran"]);
  });

  it("never runs the same job twice at once, in one tab or across tabs", async () => {
    const tab = runner();
    const otherTab = runner(); // its own in-memory guard; only the shared lock stands between them
    const work = gated();
    const first = tab.runIfDue("mail", work.routine);
    const sameTab = tab.runIfDue("mail", work.routine);
    const sameTabManual = tab.runNow("mail", work.routine);
    await settle();
    const other = otherTab.runNow("mail", work.routine);
    expect(await sameTab).toEqual({ status: "busy" });
    expect(await sameTabManual).toEqual({ status: "busy" });
    expect(await other).toEqual({ status: "busy" });
    expect(tab.isRunning("mail")).toBe(true);
    work.finish();
    expect(await first).toMatchObject({ status: "done", run: { outcome: "ran", tokens: 420, itemsFound: 3 } });
    expect(work.calls).toHaveLength(1);
    expect(locks.isHeld(jobLockName("mail"))).toBe(false);
    // The other tab, arriving just after, sees the slot taken and does not run it again.
    expect(await otherTab.runIfDue("mail", work.routine)).toEqual({ status: "not-due" });
    expect(await store.runsOf("mail")).toHaveLength(1);
  });

  it("a watchdog records a hung run as timed out, aborts it and releases its lock", async () => {
    const hung = gated();
    const attempt = runner().runIfDue("mail", hung.routine);
    await settle();
    expect(locks.isHeld(jobLockName("mail"))).toBe(true);
    const [running] = await store.runsOf("mail");
    expect(running?.outcome).toBe("running");

    await clock.advance(119_999);
    expect(hung.calls[0]?.signal.aborted).toBe(false);
    await clock.advance(1);
    expect(await attempt).toMatchObject({
      status: "done",
      run: {
        outcome: "timed-out",
        finishedAt: at("2026-11-24T09:17:00Z"),
        message: "Stopped after 120 s without finishing.",
      },
    });
    expect(hung.calls[0]?.signal.aborted).toBe(true);
    expect(locks.isHeld(jobLockName("mail"))).toBe(false);
    expect(await store.getJob("mail")).toMatchObject({ lastOutcome: "timed-out" });
    // The hung promise finishing later changes nothing, and the job can run again.
    hung.finish();
    await settle();
    expect((await store.runsOf("mail")).map((run) => run.outcome)).toEqual(["timed-out"]);
    expect(await runner().runNow("mail", returns({ outcome: "ran" }))).toMatchObject({ status: "done" });
  });

  it("records a routine that throws as failed, with its error", async () => {
    const attempt = await runner().runIfDue("mail", () => Promise.reject(new TypeError("Gmail said 401")));
    expect(attempt).toMatchObject({
      status: "done",
      run: { outcome: "failed", error: { name: "TypeError", message: "Gmail said 401" } },
    });
    expect(clock.pending).toBe(0);
    expect(locks.isHeld(jobLockName("mail"))).toBe(false);
  });

  it("runs a job turned off only when asked, and a missing job not at all", async () => {
    await store.setEnabled("mail", false, clock.now());
    expect(await runner().runIfDue("mail", returns({ outcome: "ran" }))).toEqual({ status: "not-due" });
    expect(await runner().runNow("mail", returns({ outcome: "skipped", message: "Paused." }))).toMatchObject({
      status: "done",
      run: { trigger: "manual", outcome: "skipped", message: "Paused." },
    });
    expect(await runner().runNow("nope", returns({ outcome: "ran" }))).toEqual({ status: "missing" });
  });
});
