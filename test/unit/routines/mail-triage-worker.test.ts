/**
 * The scheduler → Gate plumbing as the agent worker wires it: the page's `proposeAction` reaches
 * the routines' context, "Triage now" (`runJobNow`) runs the job through the scheduler and returns
 * its run, and a run left waiting for a model runs again when one loads.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ActionOutcome, ProposedAction } from "../../../src/core/agent/action";
import { InProcessJobLocks } from "../../../src/routines/job-lock";
import { MAIL_TRIAGE_JOB_ID } from "../../../src/routines/mail-triage-routine";
import { WorkerRoutines } from "../../../src/routines/worker-routines";
import { openDatabase } from "../../../src/store/database";
import { JobStore } from "../../../src/store/job-store";
import { MailStore } from "../../../src/store/mail-store";
import { storedMail } from "../../fakes/stored-mail";
import { FreshDatabase } from "../store/fresh-database";
import { triageAnswer, triageEngine } from "./mail-triage-harness";
import { FakeClock, settle } from "./fake-clock";
import { ZONE } from "./scheduler-harness";

let fresh: FreshDatabase;
let clock: FakeClock;
let routines: WorkerRoutines;
let engine: ReturnType<typeof triageEngine> | undefined;
let proposed: ProposedAction[];

beforeEach(async () => {
  fresh = new FreshDatabase();
  await fresh.open();
  clock = new FakeClock(Date.parse("2026-11-24T09:00:00Z"));
  engine = undefined;
  proposed = [];
  routines = new WorkerRoutines({
    openDb: () => openDatabase(fresh.name),
    engine: () => engine?.engine,
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

/** The page's Gate as far as this test needs: Gmail is not connected. */
function page(action: ProposedAction): Promise<ActionOutcome> {
  proposed.push(action);
  return Promise.resolve({ status: "denied", message: "gmail is not connected." });
}

describe("mail triage in the agent worker", () => {
  it("is a default job, every 15 minutes and on, titled Mail triage", async () => {
    await routines.start();
    const job = await new JobStore(fresh.db).getJob(MAIL_TRIAGE_JOB_ID);
    expect(job).toMatchObject({
      routine: MAIL_TRIAGE_JOB_ID,
      title: "Mail triage",
      schedule: { kind: "every", minutes: 15 },
      enabled: true,
    });
  });

  it("Triage now runs the job at once with the page's Gate and returns the run on record", async () => {
    routines.setProposeAction(page);
    await new MailStore(fresh.db).addNew([
      storedMail({ id: "local:news", from: { address: "n@news.example" }, ruleHeaders: { precedence: "bulk" } }),
    ]);
    const run = await routines.runJobNow(MAIL_TRIAGE_JOB_ID);
    expect(run).toMatchObject({
      jobId: MAIL_TRIAGE_JOB_ID,
      trigger: "manual",
      outcome: "ran",
      itemsFound: 1,
      tokens: 0,
    });
    expect(proposed.map((action) => action.tool)).toEqual(["gmail_sync"]);
    expect((await new JobStore(fresh.db).runsOf(MAIL_TRIAGE_JOB_ID)).map((record) => record.id)).toEqual([run.id]);
    expect((await new MailStore(fresh.db).get("local:news"))?.triage?.category).toBe("newsletter");
  });

  it("says clearly when the job does not exist", async () => {
    await expect(routines.runJobNow("no-such-job")).rejects.toMatchObject({
      name: "JobMissingError",
      message: 'There is no job "no-such-job". Open Routines to see the jobs there are.',
    });
  });

  it("runs again, as a catch-up, once a model loads when the last run left mail for one", async () => {
    await new MailStore(fresh.db).addNew([storedMail({ id: "local:ann", subject: "Budget" })]);
    const first = await routines.runJobNow(MAIL_TRIAGE_JOB_ID);
    expect(first).toMatchObject({ outcome: "skipped", itemsFound: 0 });
    expect(first.message).toContain("1 mail waits for the model");
    engine = triageEngine(() => triageAnswer("needs_reply", "Ann asks about the budget.", "Hi Ann"));
    routines.modelLoaded();
    await expect
      .poll(async () =>
        // Sorted by trigger: both runs can start within the same millisecond of the real clock.
        (await new JobStore(fresh.db).runsOf(MAIL_TRIAGE_JOB_ID))
          .map((run) => [run.trigger, run.outcome])
          .sort(([a = ""], [b = ""]) => a.localeCompare(b)),
      )
      .toEqual([
        ["catch-up", "ran"],
        ["manual", "skipped"],
      ]);
    expect((await new MailStore(fresh.db).get("local:ann"))?.triage?.decidedBy).toBe("model");
    expect(engine.requests).toHaveLength(1);
  });
});
