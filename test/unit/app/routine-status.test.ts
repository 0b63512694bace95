import { describe, expect, it } from "vitest";
import { RunNowState, runNotice } from "../../../src/app/routine-status";
import type { JobRunRecord } from "../../../src/store/job-record";

function run(fields: Partial<JobRunRecord>): JobRunRecord {
  return {
    id: "r1",
    jobId: "deploy-watch",
    routine: "deploy-watch",
    trigger: "manual",
    missedSlots: 0,
    startedAt: 1,
    finishedAt: 2,
    outcome: "ran",
    tokens: 0,
    itemsFound: 1,
    ...fields,
  };
}

describe("a board's Check now", () => {
  it("says what the run said, or why it did not finish", () => {
    expect(runNotice(run({ message: "octo/shop: CI failed on main." }), "deployment watch")).toEqual({
      text: "octo/shop: CI failed on main.",
      tone: "info",
    });
    expect(runNotice(run({ outcome: "nothing-new", message: "" }), "deployment watch").text).toBe("Nothing new.");
    expect(
      runNotice(
        run({ outcome: "failed", error: { name: "ReconnectNeededError", message: "GitHub refused the token." } }),
        "deployment watch",
      ),
    ).toEqual({ text: "The deployment watch failed: GitHub refused the token.", tone: "error" });
    expect(runNotice(run({ outcome: "skipped", message: "paused" }), "Slack digest").text).toBe(
      "The Slack digest did not run: paused",
    );
  });

  it("runs once at a time, and reports a run that could not start", async () => {
    let release: (value: JobRunRecord) => void = () => undefined;
    let calls = 0;
    const state = new RunNowState("deployment watch", () => {
      calls += 1;
      return new Promise<JobRunRecord>((resolve) => (release = resolve));
    });
    const changes: boolean[] = [];
    const first = state.start(() => changes.push(state.running));
    await state.start(() => changes.push(state.running));
    expect(calls).toBe(1);
    release(run({ message: "1 repository checked, nothing changed." }));
    await first;
    expect(changes).toEqual([true, false]);
    expect(state.notice?.text).toBe("1 repository checked, nothing changed.");

    const busy = new RunNowState("Slack digest", () =>
      Promise.reject(Object.assign(new Error("This job is running right now."), { name: "JobBusyError" })),
    );
    await busy.start(() => undefined);
    expect(busy.notice).toEqual({
      text: "The Slack digest could not run: This job is running right now.",
      tone: "error",
    });
    expect(new RunNowState("x", undefined).available).toBe(false);
  });
});
