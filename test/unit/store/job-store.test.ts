import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JobRecord, JobRunRecord } from "../../../src/store/job-record";
import { INTERRUPTED_GRACE_MS, JobStore } from "../../../src/store/job-store";
import { FreshDatabase } from "./fresh-database";

const at = (iso: string): number => Date.parse(iso);

const digest: JobRecord = {
  id: "digest",
  routine: "slack-digest",
  title: "Slack digest",
  schedule: { kind: "cron", expression: "0 8 * * 1-5" },
  enabled: true,
  activeHours: { days: [1, 2, 3, 4, 5], from: "08:00", to: "19:00" },
  timeZone: "America/New_York",
  timeoutMs: 300_000,
  createdAt: at("2026-11-23T12:00:00Z"),
  since: at("2026-11-23T12:00:00Z"),
};

function run(fields: Partial<JobRunRecord>): JobRunRecord {
  return {
    id: "r1",
    jobId: "digest",
    routine: "slack-digest",
    trigger: "schedule",
    missedSlots: 0,
    startedAt: at("2026-11-24T13:00:00Z"),
    outcome: "running",
    tokens: 0,
    itemsFound: 0,
    ...fields,
  };
}

let fresh: FreshDatabase;
let store: JobStore;

beforeEach(async () => {
  fresh = new FreshDatabase();
  store = new JobStore(await fresh.open());
});

afterEach(() => fresh.dispose());

describe("JobStore", () => {
  it("stores a job with its next run, and keeps it across a reload", async () => {
    expect(await store.put(digest, digest.createdAt)).toMatchObject({ nextRunAt: at("2026-11-23T13:00:00Z") });
    store = new JobStore(await fresh.reopen());
    expect(await store.list()).toEqual([{ ...digest, nextRunAt: at("2026-11-23T13:00:00Z") }]);
  });

  it("refuses a job whose schedule or active hours cannot work, saying what to fix", async () => {
    await expect(store.put({ ...digest, schedule: { kind: "cron", expression: "0 8 * * 9" } }, 0)).rejects.toThrow(
      /"0 8 \* \* 9" is not valid: Invalid value for dayOfWeek: 9/,
    );
    await expect(store.put({ ...digest, activeHours: { days: [], from: "08:00", to: "19:00" } }, 0)).rejects.toThrow(
      /at least one day/,
    );
    expect(await store.list()).toEqual([]);
  });

  it("turning a job back on counts slots from then, so an off week is not caught up", async () => {
    await store.put(digest, digest.createdAt);
    await store.setEnabled("digest", false, at("2026-11-24T00:00:00Z"));
    expect(await store.getJob("digest")).not.toHaveProperty("nextRunAt");
    const back = await store.setEnabled("digest", true, at("2026-12-01T15:00:00Z"));
    expect(back).toMatchObject({ since: at("2026-12-01T15:00:00Z"), nextRunAt: at("2026-12-02T13:00:00Z") });
  });

  it("records a run's start and end with the job's last run and outcome; reads runs per job and by time", async () => {
    await store.put(digest, digest.createdAt);
    const started = run({});
    await store.startRun(started, { ...digest, lastRunAt: started.startedAt });
    await store.finishRun({
      ...started,
      outcome: "ran",
      finishedAt: started.startedAt + 5_000,
      tokens: 900,
      itemsFound: 12,
    });
    const afterFirst = await store.getJob("digest");
    if (!afterFirst) throw new Error("the job is gone");
    await store.startRun(run({ id: "r2", startedAt: at("2026-11-25T13:00:00Z") }), {
      ...afterFirst,
      lastRunAt: at("2026-11-25T13:00:00Z"),
    });
    // An older run finishing late does not speak for the job.
    await store.finishRun({ ...started, outcome: "failed" });
    expect(await store.getJob("digest")).toMatchObject({ lastRunAt: at("2026-11-25T13:00:00Z"), lastOutcome: "ran" });
    expect((await store.runsOf("digest")).map((record) => record.id)).toEqual(["r1", "r2"]);
    expect(await store.runsOf("digest", { from: at("2026-11-25T00:00:00Z") })).toHaveLength(1);
    expect(await store.runsOf("other")).toEqual([]);
    expect((await store.runsBetween({ to: at("2026-11-25T00:00:00Z") })).map((record) => record.id)).toEqual(["r1"]);
  });

  it("marks a run left running by a closed tab as interrupted, once its watchdog and a grace have passed", async () => {
    await store.put(digest, digest.createdAt);
    const left = run({});
    await store.startRun(left, { ...digest, lastRunAt: left.startedAt });
    const deadline = left.startedAt + digest.timeoutMs + INTERRUPTED_GRACE_MS;
    expect(await store.resolveInterrupted(deadline - 1)).toEqual([]);
    expect(await store.resolveInterrupted(deadline)).toMatchObject([{ id: "r1", outcome: "interrupted" }]);
    expect(await store.getRun("r1")).toMatchObject({ outcome: "interrupted" });
    expect(await store.getJob("digest")).toMatchObject({ lastOutcome: "interrupted" });
  });
});
