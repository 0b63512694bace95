import { describe, expect, it } from "vitest";
import { buildBriefing, describeOutcomes } from "../../../src/app/briefing";
import { at, job, run } from "./routines-fixtures";

const since = at("2026-11-23T22:00:00Z");
const jobs = [job(), job({ id: "dreaming", routine: "dreaming", title: "Dreaming" })];

describe("buildBriefing", () => {
  it("is undefined when nothing finished since the last visit", () => {
    expect(
      buildBriefing({
        since,
        jobs,
        runs: [
          run({ startedAt: at("2026-11-23T21:00:00Z") }),
          run({ id: "r2", outcome: "running", finishedAt: undefined }),
        ],
        pendingApprovals: 3,
      }),
    ).toBeUndefined();
  });

  it("counts runs and outcomes per job, sums items, lists failures with their messages and the pending approvals", () => {
    const briefing = buildBriefing({
      since,
      jobs,
      runs: [
        run({ id: "b2", startedAt: at("2026-11-24T06:00:00Z"), outcome: "ran", itemsFound: 4, tokens: 900 }),
        run({
          id: "d1",
          jobId: "dreaming",
          routine: "dreaming",
          startedAt: at("2026-11-24T02:00:00Z"),
          outcome: "ran",
          itemsFound: 2,
          tokens: 1500,
        }),
        run({ id: "b1", startedAt: at("2026-11-23T23:00:00Z"), outcome: "nothing-new" }),
        run({
          id: "b3",
          startedAt: at("2026-11-24T07:00:00Z"),
          outcome: "failed",
          error: { name: "TypeError", message: "fetch failed" },
        }),
        run({ id: "g1", jobId: "gone", startedAt: at("2026-11-24T03:00:00Z"), outcome: "timed-out" }),
        run({ id: "old", startedAt: at("2026-11-23T12:00:00Z"), outcome: "ran", itemsFound: 50 }),
        run({ id: "now", startedAt: at("2026-11-24T08:00:00Z"), outcome: "running", finishedAt: undefined }),
      ],
      pendingApprovals: 2,
    });
    expect(briefing).toEqual({
      since,
      runs: 5,
      itemsFound: 6,
      pendingApprovals: 2,
      jobs: [
        {
          jobId: "morning-briefing",
          title: "Morning briefing",
          runs: 3,
          outcomes: { "nothing-new": 1, ran: 1, failed: 1 },
          itemsFound: 4,
          tokens: 900,
        },
        { jobId: "dreaming", title: "Dreaming", runs: 1, outcomes: { ran: 1 }, itemsFound: 2, tokens: 1500 },
        { jobId: "gone", title: "gone", runs: 1, outcomes: { "timed-out": 1 }, itemsFound: 0, tokens: 0 },
      ],
      failures: [
        {
          jobId: "gone",
          title: "gone",
          startedAt: at("2026-11-24T03:00:00Z"),
          outcome: "timed-out",
          message: "The run took too long and was stopped.",
        },
        {
          jobId: "morning-briefing",
          title: "Morning briefing",
          startedAt: at("2026-11-24T07:00:00Z"),
          outcome: "failed",
          message: "TypeError: fetch failed",
        },
      ],
    });
    const first = briefing?.jobs[0];
    expect(first && describeOutcomes(first)).toBe("3 runs: 1 ran, 1 nothing new, 1 failed");
  });
});
