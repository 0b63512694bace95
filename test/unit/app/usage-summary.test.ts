import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UsageController } from "../../../src/app/usage-controller";
import {
  MINUTES_SAVED,
  approvalCounts,
  dayStart,
  minutesSaved,
  periodWindow,
  summarizeUsage,
  usageCsv,
} from "../../../src/app/usage-summary";
import type { ApprovalRecord } from "../../../src/store/approval-record";
import type { JobRunRecord } from "../../../src/store/job-record";
import type { UsageRecord } from "../../../src/store/usage-record";
import { UsageRecorder } from "../../../src/store/usage-recorder";
import { FreshDatabase } from "../store/fresh-database";

// New York: UTC-5 in March before the 9th, UTC-4 after (DST began 2025-03-09 at 02:00).
const ZONE = "America/New_York";
// 2025-03-12 10:00 in New York (14:00 UTC).
const NOW = Date.UTC(2025, 2, 12, 14, 0, 0);
const HOUR = 3_600_000;

function call(
  at: number,
  routine: string,
  promptTokens: number,
  completionTokens: number,
  latencyMs: number,
): UsageRecord {
  return {
    at,
    routine,
    modelId: "SmolLM2",
    promptTokens,
    completionTokens,
    estimated: false,
    latencyMs,
    outcome: "completed",
  };
}

// 2025-03-12 00:00 New York = 04:00 UTC; a call one minute before is on the 11th there (and the 12th in UTC).
const MIDNIGHT_12 = Date.UTC(2025, 2, 12, 4, 0, 0);
const USAGE: UsageRecord[] = [
  call(MIDNIGHT_12 - 60_000, "chat", 100, 20, 1_000),
  call(MIDNIGHT_12, "chat", 200, 30, 2_000),
  call(MIDNIGHT_12 + HOUR, "dreaming", 1_000, 300, 9_000),
  call(MIDNIGHT_12 - 2 * 24 * HOUR, "morning-briefing", 400, 80, 4_000),
  { ...call(MIDNIGHT_12 - 3 * 24 * HOUR, "chat", 50, 5, 500), estimated: true },
  // 2025-03-08 23:30 New York (before the DST change): inside the 7-day window (6th to 12th).
  call(Date.UTC(2025, 2, 9, 4, 30, 0), "mail-triage", 300, 60, 3_000),
  // Outside the 7-day window (the 5th), inside the 30-day one.
  call(Date.UTC(2025, 2, 5, 15, 0, 0), "chat", 7, 3, 100),
  // In the future (tomorrow): ignored.
  call(NOW + 24 * HOUR, "chat", 9_999, 9_999, 9_999),
];

function approval(
  id: string,
  effect: "read" | "write" | "send",
  status: ApprovalRecord["status"],
  decidedBy: ApprovalRecord["decidedBy"],
  extra: Partial<ApprovalRecord> = {},
): ApprovalRecord {
  return {
    id,
    status,
    proposedAt: MIDNIGHT_12 + HOUR,
    decidedAt: MIDNIGHT_12 + 2 * HOUR,
    why: "Every change waits for your approval.",
    ...(decidedBy && { decidedBy }),
    action: {
      id,
      tool: effect === "send" ? "send_mail" : "save_file",
      effect,
      arguments: { filename: "a.txt" },
      reason: "test",
      preview: { title: "t", fields: [] },
      taint: { tainted: false, sources: [], reasons: [], argumentSources: [] },
      proposedAt: MIDNIGHT_12 + HOUR,
    },
    ...extra,
  };
}

const APPROVALS: ApprovalRecord[] = [
  approval("accepted-1", "write", "executed", "user"),
  approval("accepted-2", "send", "failed", "user"),
  approval("edited", "send", "executed", "user", { editedArguments: { filename: "b.txt" } }),
  approval("rejected", "write", "rejected", "user", { note: "no" }),
  approval("by-rule", "write", "executed", "rule"),
  approval("pending", "write", "pending", undefined),
  approval("read-by-policy", "read", "executed", "policy"),
];

function run(startedAt: number, routine: string, itemsFound: number): JobRunRecord {
  return {
    id: `${routine}-${startedAt}`,
    jobId: routine,
    routine,
    trigger: "schedule",
    missedSlots: 0,
    startedAt,
    outcome: "ran",
    tokens: 0,
    itemsFound,
  };
}

const RUNS: JobRunRecord[] = [
  run(MIDNIGHT_12 + HOUR, "mail-triage", 4),
  run(MIDNIGHT_12 - 24 * HOUR, "mail-triage", 2),
];

const FACTS = [
  { created: MIDNIGHT_12 + HOUR, origin: "chat" as const },
  { created: MIDNIGHT_12 + HOUR, origin: "dreaming" as const },
  { created: MIDNIGHT_12 + HOUR, origin: "import" as const },
];

describe("periodWindow", () => {
  it("covers whole days in the zone, today included, across a DST change", () => {
    const { from, to, keys } = periodWindow(NOW, ZONE, 7);
    expect(keys).toEqual([
      "2025-03-06",
      "2025-03-07",
      "2025-03-08",
      "2025-03-09",
      "2025-03-10",
      "2025-03-11",
      "2025-03-12",
    ]);
    expect(from).toBe(Date.UTC(2025, 2, 6, 5, 0, 0));
    expect(to).toBe(Date.UTC(2025, 2, 13, 4, 0, 0));
    expect(periodWindow(NOW, ZONE, 30).keys).toHaveLength(30);
  });

  it("finds a day's start from any instant of it", () => {
    expect(dayStart(MIDNIGHT_12, ZONE)).toBe(MIDNIGHT_12);
    expect(dayStart(MIDNIGHT_12 - 1, ZONE)).toBe(MIDNIGHT_12 - 24 * HOUR);
    // The 9th is 23 hours long: it starts at 05:00 UTC.
    expect(dayStart(Date.UTC(2025, 2, 10, 3, 59, 0), ZONE)).toBe(Date.UTC(2025, 2, 9, 5, 0, 0));
  });
});

describe("summarizeUsage", () => {
  const summary = summarizeUsage(
    { usage: USAGE, approvals: [], runs: [], facts: [] },
    { now: NOW, timeZone: ZONE, period: 7 },
  );

  it("totals equal the recorded model calls in the window exactly", () => {
    const inWindow = USAGE.slice(0, 6);
    expect(summary.total).toMatchObject({
      calls: inWindow.length,
      estimatedCalls: 1,
      promptTokens: inWindow.reduce((sum, r) => sum + r.promptTokens, 0),
      completionTokens: inWindow.reduce((sum, r) => sum + r.completionTokens, 0),
      gpuMs: inWindow.reduce((sum, r) => sum + r.latencyMs, 0),
    });
    const sum = (rows: typeof summary.days, field: "calls" | "promptTokens" | "completionTokens" | "gpuMs") =>
      rows.reduce((total, row) => total + row[field], 0);
    for (const field of ["calls", "promptTokens", "completionTokens", "gpuMs"] as const) {
      expect(sum(summary.days, field)).toBe(summary.total[field]);
      expect(sum(summary.routines, field)).toBe(summary.total[field]);
    }
  });

  it("counts a call on the user's day, not UTC's: one minute before midnight in New York is the day before", () => {
    const day = (key: string) => summary.days.find((row) => row.key === key);
    expect(day("2025-03-11")).toMatchObject({ calls: 1, promptTokens: 100, completionTokens: 20, gpuMs: 1_000 });
    expect(day("2025-03-12")).toMatchObject({ calls: 2, promptTokens: 1_200, completionTokens: 330, gpuMs: 11_000 });
    // 72 hours before midnight of the 12th is 23:00 on the 8th: the 9th was 23 hours long.
    expect(day("2025-03-08")).toMatchObject({ calls: 2, promptTokens: 350 });
    expect(day("2025-03-09")).toMatchObject({ calls: 0 });
    expect(day("2025-03-07")).toMatchObject({ calls: 0, promptTokens: 0 });
  });

  it("lists chat first, then every recorded routine by name", () => {
    expect(summary.routines.map((row) => row.key)).toEqual(["chat", "dreaming", "mail-triage", "morning-briefing"]);
    expect(summary.routines[0]).toMatchObject({ calls: 3, promptTokens: 350, completionTokens: 55, gpuMs: 3_500 });
  });

  it("the 30-day period takes in the older call", () => {
    const month = summarizeUsage(
      { usage: USAGE, approvals: [], runs: [], facts: [] },
      { now: NOW, timeZone: ZONE, period: 30 },
    );
    expect(month.total.calls).toBe(7);
    expect(month.days).toHaveLength(30);
  });
});

describe("outcomes", () => {
  it("counts drafts accepted as is, edited and rejected from the user's decisions", () => {
    expect(approvalCounts(approval("a", "write", "executed", "user"))).toEqual({
      approvalsGranted: 1,
      draftsAcceptedAsIs: 1,
    });
    expect(approvalCounts(approval("e", "write", "executed", "user", { editedArguments: {} }))).toEqual({
      approvalsGranted: 1,
      draftsEdited: 1,
    });
    expect(approvalCounts(approval("r", "send", "rejected", "user"))).toEqual({
      approvalsRefused: 1,
      draftsRejected: 1,
    });
    expect(approvalCounts(approval("p", "write", "pending", undefined))).toBeUndefined();
    expect(approvalCounts(approval("q", "read", "executed", "policy"))).toBeUndefined();
    expect(approvalCounts(approval("b", "write", "executed", "rule"))).toEqual({ actionsByRule: 1 });
  });

  it("sums outcomes with the calls, per routine and per day", () => {
    const summary = summarizeUsage(
      { usage: [], approvals: APPROVALS, runs: RUNS, facts: FACTS },
      { now: NOW, timeZone: ZONE, period: 7 },
    );
    expect(summary.total).toMatchObject({
      calls: 0,
      itemsTriaged: 6,
      draftsAcceptedAsIs: 2,
      draftsEdited: 1,
      draftsRejected: 1,
      approvalsGranted: 3,
      approvalsRefused: 1,
      actionsByRule: 1,
      alertsActedOn: 0,
      factsSaved: 2,
    });
    const chat = summary.routines.find((row) => row.key === "chat");
    expect(chat).toMatchObject({ draftsAcceptedAsIs: 2, draftsEdited: 1, factsSaved: 1 });
    expect(summary.routines.find((row) => row.key === "mail-triage")).toMatchObject({ itemsTriaged: 6 });
    expect(summary.days.find((row) => row.key === "2025-03-11")).toMatchObject({ itemsTriaged: 2 });
    // 1.5 × 6 + 3 × 2 + 1.5 × 1 + 0.5 × 1 = 9 + 6 + 1.5 + 0.5 = 17
    expect(summary.total.minutesSaved).toBe(17);
    expect(summary.days.reduce((sum, row) => sum + row.minutesSaved, 0)).toBe(17);
  });
});

describe("minutesSaved", () => {
  it("is the shown formula with its named constants", () => {
    expect(MINUTES_SAVED).toEqual({
      perItemTriaged: 1.5,
      perDraftAcceptedAsIs: 3,
      perDraftEdited: 1.5,
      perActionByRule: 0.5,
    });
    expect(minutesSaved({ itemsTriaged: 10, draftsAcceptedAsIs: 0, draftsEdited: 0, actionsByRule: 0 })).toBe(15);
    expect(minutesSaved({ itemsTriaged: 0, draftsAcceptedAsIs: 3, draftsEdited: 2, actionsByRule: 5 })).toBe(14.5);
    expect(minutesSaved({ itemsTriaged: 1, draftsAcceptedAsIs: 1, draftsEdited: 1, actionsByRule: 1 })).toBe(6.5);
  });

  it("the CSV holds a row per routine, per day and the total", () => {
    const summary = summarizeUsage(
      { usage: USAGE, approvals: [], runs: [], facts: [] },
      { now: NOW, timeZone: ZONE, period: 7 },
    );
    const lines = usageCsv(summary).trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^table,key,calls,promptTokens,/);
    expect(lines).toHaveLength(1 + 4 + 7 + 1);
    expect(lines.at(-1)).toMatch(/^total,7 days,6,2050,495,19500,/);
  });
});

describe("UsageController", () => {
  let database: FreshDatabase;
  beforeEach(async () => {
    database = new FreshDatabase();
    await database.open();
  });
  afterEach(async () => {
    await database.dispose();
  });

  it("reads what the recorder wrote and exports the summary it shows", async () => {
    let now = MIDNIGHT_12 - 60_000;
    const recorder = new UsageRecorder(database.db, { timeZone: ZONE, now: () => now });
    const report = {
      routine: "chat",
      modelId: "m",
      usage: { promptTokens: 10, completionTokens: 4 },
      latencyMs: 250,
      outcome: "completed" as const,
    };
    await recorder.record(report);
    now = MIDNIGHT_12 + 60_000;
    await recorder.record(report);
    const controller = new UsageController(database.db, { timeZone: ZONE, now: () => NOW });
    expect(controller.empty).toBe(true);
    await controller.refresh();
    expect(controller.empty).toBe(false);
    expect(controller.summary?.total).toMatchObject({ calls: 2, promptTokens: 20, completionTokens: 8, gpuMs: 500 });
    expect(controller.summary?.days.filter((row) => row.calls > 0).map((row) => row.key)).toEqual([
      "2025-03-11",
      "2025-03-12",
    ]);
    const file = controller.exportAs("json");
    expect(file?.filename).toBe("tabclaw-usage-7d-2025-03-12.json");
    expect(JSON.parse(file?.text ?? "null")).toEqual(JSON.parse(JSON.stringify(controller.summary)));
    await controller.setPeriod(30);
    expect(controller.summary?.days).toHaveLength(30);
  });
});
