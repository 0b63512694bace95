/**
 * The usage view's arithmetic, pure: model calls and what they were worth, per routine and per day
 * in the user's zone, from records the app already keeps (usage, approvals, job runs, facts).
 * No DOM, no IndexedDB: tested in Node with hand-made records.
 */
import { dayKey, nextDayStart } from "../core/agent/local-day";
import { CHAT_ROUTINE } from "../core/agent/token-budget";
import type { ApprovalRecord } from "../store/approval-record";
import type { JobRunRecord } from "../store/job-record";
import type { FactRecord } from "../store/memory-record";
import type { UsageRecord } from "../store/usage-record";

/** The periods the view offers, in days (today included). */
export const USAGE_PERIODS = [7, 30] as const;
export type UsagePeriod = (typeof USAGE_PERIODS)[number];

/**
 * The minutes-saved estimate's constants. ASSUMPTIONS, not measurements: roughly what a person
 * spends doing the same by hand. Reading and sorting one new item (a mail, a message, a workflow
 * run) ≈ 1.5 min; writing a draft the user then sends as it is ≈ 3 min; a draft the user edits
 * saves about half that; an action that ran by the user's own rule saves the look-and-click of an
 * approval ≈ 0.5 min. Rejected drafts, refusals and model time count 0.
 */
export const MINUTES_SAVED = {
  perItemTriaged: 1.5,
  perDraftAcceptedAsIs: 3,
  perDraftEdited: 1.5,
  perActionByRule: 0.5,
} as const;

/** The formula as the view shows it, with the constants' names and values. */
export const MINUTES_SAVED_FORMULA =
  `minutes saved = ${MINUTES_SAVED.perItemTriaged} × items triaged + ${MINUTES_SAVED.perDraftAcceptedAsIs} × drafts accepted as is` +
  ` + ${MINUTES_SAVED.perDraftEdited} × drafts edited + ${MINUTES_SAVED.perActionByRule} × actions run by rule`;

/** One row of either table. */
export interface UsageFigures {
  /** Model calls recorded. */
  calls: number;
  /** Calls whose token counts the engine did not report (estimated). */
  estimatedCalls: number;
  promptTokens: number;
  completionTokens: number;
  /** Sum of the calls' wall time (latency), in milliseconds: the "GPU time". */
  gpuMs: number;
  /** New items the routines' runs found (mail, messages, workflow runs). */
  itemsTriaged: number;
  /** Write/send actions the user approved without changing them. */
  draftsAcceptedAsIs: number;
  /** Write/send actions the user approved after editing their arguments. */
  draftsEdited: number;
  /** Write/send actions the user rejected. */
  draftsRejected: number;
  /** Every approval the user granted, whatever its effect. */
  approvalsGranted: number;
  /** Every approval the user refused. */
  approvalsRefused: number;
  /** Actions an auto-approval rule let run without asking. */
  actionsByRule: number;
  /** Approved actions that a routine proposed from an alert; 0 until routines propose actions. */
  alertsActedOn: number;
  /** Long-term facts the agent saved (chat, compaction, dreaming; not the user's own or imports). */
  factsSaved: number;
  minutesSaved: number;
}

export interface UsageRow extends UsageFigures {
  /** The routine's name, or the day (`YYYY-MM-DD`). */
  key: string;
}

export interface UsageSummary {
  timeZone: string;
  period: UsagePeriod;
  /** The window, `from` inclusive, `to` exclusive: whole days in `timeZone`. */
  from: number;
  to: number;
  /** Chat first, then the other routines by name; only those with something recorded. */
  routines: UsageRow[];
  /** Every day of the period, oldest first, empty days included. */
  days: UsageRow[];
  total: UsageFigures;
  formula: string;
  constants: typeof MINUTES_SAVED;
}

/** What the summary reads. */
export interface UsageInputs {
  usage: readonly UsageRecord[];
  approvals: readonly ApprovalRecord[];
  runs: readonly JobRunRecord[];
  facts: readonly Pick<FactRecord, "created" | "origin">[];
}

type Counted = Omit<UsageFigures, "minutesSaved">;

const ZERO: Counted = {
  calls: 0,
  estimatedCalls: 0,
  promptTokens: 0,
  completionTokens: 0,
  gpuMs: 0,
  itemsTriaged: 0,
  draftsAcceptedAsIs: 0,
  draftsEdited: 0,
  draftsRejected: 0,
  approvalsGranted: 0,
  approvalsRefused: 0,
  actionsByRule: 0,
  alertsActedOn: 0,
  factsSaved: 0,
};

/** The estimate from its named constants; rounded to a tenth of a minute. */
export function minutesSaved(
  figures: Pick<UsageFigures, "itemsTriaged" | "draftsAcceptedAsIs" | "draftsEdited" | "actionsByRule">,
): number {
  const minutes =
    MINUTES_SAVED.perItemTriaged * figures.itemsTriaged +
    MINUTES_SAVED.perDraftAcceptedAsIs * figures.draftsAcceptedAsIs +
    MINUTES_SAVED.perDraftEdited * figures.draftsEdited +
    MINUTES_SAVED.perActionByRule * figures.actionsByRule;
  return Math.round(minutes * 10) / 10;
}

function finish(counted: Counted): UsageFigures {
  return { ...counted, minutesSaved: minutesSaved(counted) };
}

/** The first instant of the day `instant` falls on, in `timeZone` (DST-safe: no "midnight" is built). */
export function dayStart(instant: number, timeZone: string): number {
  // 26 h before is always on an earlier day; step forward day by day to the last start not after `instant`.
  let start = nextDayStart(instant - 26 * 3_600_000, timeZone);
  for (let next = nextDayStart(start, timeZone); next <= instant; next = nextDayStart(start, timeZone)) start = next;
  return start;
}

/** The last `days` whole days in `timeZone`, today included: the window and its day keys, oldest first. */
export function periodWindow(
  now: number,
  timeZone: string,
  days: number,
): { from: number; to: number; keys: string[] } {
  let from = dayStart(now, timeZone);
  for (let i = 1; i < days; i++) from = dayStart(from - 1, timeZone);
  const to = nextDayStart(now, timeZone);
  const keys: string[] = [];
  for (let start = from; start < to; start = nextDayStart(start, timeZone)) keys.push(dayKey(start, timeZone));
  return { from, to, keys };
}

const APPROVED = new Set(["executing", "executed", "failed"]);

/**
 * Which routine an approval counts for. Nothing records the proposing routine yet and only the chat
 * proposes actions, so every approval counts for the chat (and alerts acted on stay 0).
 */
export const APPROVALS_ROUTINE = CHAT_ROUTINE;

/** Which routine saved a fact: dreaming's own, and the chat's (and its compaction); undefined for the user's and imports. */
export function routineOfFact(origin: FactRecord["origin"]): string | undefined {
  if (origin === "dreaming") return "dreaming";
  if (origin === "chat" || origin === "compaction") return CHAT_ROUTINE;
  return undefined;
}

/** What one approval adds to the counts, or undefined if it counts for nothing (undecided, policy). */
export function approvalCounts(record: ApprovalRecord): Partial<Counted> | undefined {
  if (record.decidedBy === "rule") return APPROVED.has(record.status) ? { actionsByRule: 1 } : undefined;
  if (record.decidedBy !== "user") return undefined;
  const draft = record.action.effect === "write" || record.action.effect === "send";
  if (record.status === "rejected") return { approvalsRefused: 1, ...(draft && { draftsRejected: 1 }) };
  if (!APPROVED.has(record.status)) return undefined;
  if (!draft) return { approvalsGranted: 1 };
  return record.editedArguments === undefined
    ? { approvalsGranted: 1, draftsAcceptedAsIs: 1 }
    : { approvalsGranted: 1, draftsEdited: 1 };
}

function plus(counted: Counted, more: Partial<Counted>): Counted {
  const sum = { ...counted };
  for (const [name, value] of Object.entries(more) as [keyof Counted, number][]) sum[name] += value;
  return sum;
}

/**
 * Per routine and per day over the last `period` days in `timeZone`. A model call counts on the day
 * it was recorded; an approval on the day it was decided; a run on the day it started; a fact on the
 * day it was created. Records outside the window are ignored.
 */
export function summarizeUsage(
  inputs: UsageInputs,
  options: { now: number; timeZone: string; period: UsagePeriod },
): UsageSummary {
  const { now, timeZone, period } = options;
  const { from, to, keys } = periodWindow(now, timeZone, period);
  const byDay = new Map<string, Counted>(keys.map((key) => [key, ZERO]));
  const byRoutine = new Map<string, Counted>();
  let total = ZERO;
  const count = (at: number, routine: string, more: Partial<Counted>): void => {
    if (at < from || at >= to) return;
    const day = dayKey(at, timeZone);
    byDay.set(day, plus(byDay.get(day) ?? ZERO, more));
    byRoutine.set(routine, plus(byRoutine.get(routine) ?? ZERO, more));
    total = plus(total, more);
  };
  for (const record of inputs.usage)
    count(record.at, record.routine, {
      calls: 1,
      estimatedCalls: record.estimated ? 1 : 0,
      promptTokens: record.promptTokens,
      completionTokens: record.completionTokens,
      gpuMs: record.latencyMs,
    });
  for (const record of inputs.approvals) {
    const counts = approvalCounts(record);
    if (counts) count(record.decidedAt ?? record.proposedAt, APPROVALS_ROUTINE, counts);
  }
  for (const run of inputs.runs)
    if (run.itemsFound > 0) count(run.startedAt, run.routine, { itemsTriaged: run.itemsFound });
  for (const fact of inputs.facts) {
    const routine = routineOfFact(fact.origin);
    if (routine !== undefined) count(fact.created, routine, { factsSaved: 1 });
  }
  const routineNames = [...byRoutine.keys()].sort((a, b) =>
    a === CHAT_ROUTINE ? -1 : b === CHAT_ROUTINE ? 1 : a.localeCompare(b),
  );
  return {
    timeZone,
    period,
    from,
    to,
    routines: routineNames.map((key) => ({ key, ...finish(byRoutine.get(key) ?? ZERO) })),
    days: keys.map((key) => ({ key, ...finish(byDay.get(key) ?? ZERO) })),
    total: finish(total),
    formula: MINUTES_SAVED_FORMULA,
    constants: MINUTES_SAVED,
  };
}

/** The columns of both tables and of the CSV, in order. */
export const USAGE_COLUMNS: readonly { field: keyof UsageFigures; label: string }[] = [
  { field: "calls", label: "Model calls" },
  { field: "promptTokens", label: "Prompt tokens" },
  { field: "completionTokens", label: "Completion tokens" },
  { field: "gpuMs", label: "GPU time (ms)" },
  { field: "itemsTriaged", label: "Items triaged" },
  { field: "draftsAcceptedAsIs", label: "Drafts accepted as is" },
  { field: "draftsEdited", label: "Drafts edited" },
  { field: "draftsRejected", label: "Drafts rejected" },
  { field: "approvalsGranted", label: "Approvals granted" },
  { field: "approvalsRefused", label: "Approvals refused" },
  { field: "actionsByRule", label: "Actions run by rule" },
  { field: "alertsActedOn", label: "Alerts acted on" },
  { field: "factsSaved", label: "Facts saved" },
  { field: "minutesSaved", label: "Minutes saved (estimate)" },
];

/** The summary as the JSON export holds it: exactly the figures shown. */
export function usageJson(summary: UsageSummary): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}

const csvCell = (value: string | number): string => {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** One CSV: a `table` column (`routine`, `day` or `total`), the key, then every figure. */
export function usageCsv(summary: UsageSummary): string {
  const header = ["table", "key", ...USAGE_COLUMNS.map((column) => column.field)];
  const line = (table: string, key: string, figures: UsageFigures): string =>
    [table, key, ...USAGE_COLUMNS.map((column) => figures[column.field])].map(csvCell).join(",");
  return [
    header.join(","),
    ...summary.routines.map((row) => line("routine", row.key, row)),
    ...summary.days.map((row) => line("day", row.key, row)),
    line("total", `${summary.period} days`, summary.total),
  ]
    .map((row) => `${row}\r\n`)
    .join("");
}
