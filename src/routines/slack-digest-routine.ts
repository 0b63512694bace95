import type { ActionOutcome } from "../core/agent/action";
import { externalContent } from "../core/agent/context-item";
import { assessTaint } from "../core/agent/taint";
import { toolProposal } from "../core/agent/tool-proposal";
import { serializeError } from "../core/errors";
import {
  batchSchema,
  digestMaxTokens,
  digestMessages,
  planDigestBatches,
  readDigestAnswer,
  type DigestBatch,
  type DigestBatchThread,
  type DigestRendering,
} from "../core/slack/digest-prompt";
import { replyArguments } from "../core/slack/digest-reply";
import { parseSlackUpdates, type SlackUpdates } from "../core/slack/slack-message";
import { groupByThread } from "../core/slack/thread-grouping";
import type { ChatEngine } from "../engine/chat-engine";
import { meteredEngineCall } from "../engine/metered-engine-call";
import { ConnectorState } from "../store/connector-state";
import type { Database } from "../store/database";
import type { JobRecord } from "../store/job-record";
import { RunBudget } from "../store/run-budget";
import type { SlackThreadRecord } from "../store/slack-thread-record";
import { SlackThreadStore } from "../store/slack-thread-store";
import { UsageRecorder } from "../store/usage-recorder";
import { slackPostMessageTool, slackReadUpdatesTool } from "../tools/slack-tools";
import type { RoutineResult } from "./job-runner";
import { gateOf, gateOrDenial, type GatedRoutineOptions } from "./gated-routine";
import type { CheckResult, ProposeAction, ScheduledRoutine } from "./routine";
import { withRoutineDb } from "./routine-database";
import { stillWaiting, summarisedRecord, threadOfRecord, waitingRecord } from "./slack-digest-records";

/**
 * The Slack digest. Check: propose `slack_read_updates` to the page's Gate (a read); the threads it
 * brings are stored at once as waiting for a summary, so nothing read is lost whatever happens
 * next. Nothing new and nothing waiting means nothing new: no model call, 0 tokens. Run: the
 * waiting threads, batched to fit a 4k context, one constrained engine call per batch within the
 * routine's token budget (usage recorded under `slack-digest`); each summary is stored, and each
 * draft reply is proposed as `slack_post_message`, a send that always waits for the user's
 * approval, tainted by its thread. The digest never posts by itself. Without a model, or once the
 * budget is spent, threads are listed without summaries and the run says why; they are summarised
 * by a later run.
 */

export const SLACK_DIGEST_JOB_ID = "slack-digest";
/** Whose budget the summaries spend. */
export const SLACK_DIGEST_ROUTINE = SLACK_DIGEST_JOB_ID;
/** A few batches on a slow device, with room to spare; anything longer is stuck. */
export const SLACK_DIGEST_TIMEOUT_MS = 10 * 60_000;
/** Weekdays at 08:30 and 13:30: see `slackDigestJob`. */
export const SLACK_DIGEST_CRON = "30 8,13 * * 1-5";
/** Threads summarised per run at most (newest first); the rest wait for the next run. */
export const MAX_THREADS_PER_RUN = 40;
/** Where the digest remembers who "you" is between runs (a thread may wait for a later run). */
export const SLACK_DIGEST_READER_KEY = "slack-digest:reader";

/** The digest's Gate, engine and database (a connection per use, for the threads, the token budget and usage records). */
export type SlackDigestOptions = GatedRoutineOptions;

/**
 * The digest's job. Twice on weekdays, before the morning and after lunch: a digest is a catch-up,
 * not an alarm (Slack itself notifies about a DM), and each run costs a batch or two of model calls
 * (about 2–4k tokens each), so two runs a day stay well inside a routine's default daily budget of
 * 20k tokens, where a run every two hours would spend it by early afternoon on a busy day.
 */
export function slackDigestJob(timeZone: string, now: number): JobRecord {
  return {
    id: SLACK_DIGEST_JOB_ID,
    routine: SLACK_DIGEST_ROUTINE,
    title: "Slack digest",
    schedule: { kind: "cron", expression: SLACK_DIGEST_CRON },
    enabled: true,
    timeZone,
    timeoutMs: SLACK_DIGEST_TIMEOUT_MS,
    createdAt: now,
    since: now,
  };
}

/** Said when no page is there to reach Slack: nothing is read, nothing is lost, the next run reads it. */
export const NO_PAGE_MESSAGE = "No Tabclaw page is open to reach Slack; the digest reads it at its next run.";

const NO_TAINT = assessTaint({}, []);

/** An outcome of the read that is not a result, as an error the run records (its name says what to do). */
function readError(outcome: ActionOutcome): Error {
  if (outcome.status === "failed") return Object.assign(new Error(outcome.error.message), { name: outcome.error.name });
  if (outcome.status === "pending")
    return Object.assign(
      new Error(
        "Reading Slack is set to ask first, so the scheduled digest cannot read it. Let Tabclaw read Slack without asking in Settings → Permissions, or read it from the chat.",
      ),
      { name: "SlackReadWaitsError" },
    );
  if (outcome.status === "executed") return new Error("unexpected result");
  return Object.assign(new Error(outcome.message), { name: "SlackReadNotRunError" });
}

/** Whether a stored value is who "you" is in the digest (`SLACK_DIGEST_READER_KEY`). */
export function isSlackReader(value: unknown): value is SlackUpdates["you"] {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { userId?: unknown }).userId === "string" &&
    typeof (value as { userName?: unknown }).userName === "string"
  );
}

/** A budget refusal or other sentence as a clause: no "Stopped:" lead, no closing full stop. */
function clause(text: string): string {
  return text.replace(/^Stopped:\s*/, "").replace(/[.\s]+$/, "");
}

const plural = (count: number, one: string, many = `${one}s`): string => `${count} ${count === 1 ? one : many}`;

/** What the cheapest batch would cost: one short thread. */
const SMALLEST_BATCH_TOKENS = 400 + digestMaxTokens(1);

interface BatchOutcome {
  tokens: number;
  text?: string;
  problem?: string;
}

/** One constrained call for a batch, charged to the routine's budget (checked before it is made). */
async function summariseBatch(
  engine: ChatEngine,
  budget: RunBudget,
  batch: DigestBatch,
  rendering: DigestRendering,
  signal: AbortSignal,
): Promise<BatchOutcome & { refused?: string }> {
  const call = await meteredEngineCall(engine, budget, {
    messages: digestMessages(batch, rendering),
    temperature: 0,
    maxTokens: digestMaxTokens(batch.threads.length),
    responseFormat: { type: "json_object", schema: JSON.stringify(batchSchema(batch)) },
    signal,
  });
  if (call.kind === "refused") return { tokens: 0, refused: call.refusal.message };
  const { tokens } = call;
  if (call.failure !== undefined) return { tokens, problem: `The model failed: ${call.failure}` };
  if (call.finishReason === "abort") return { tokens, problem: "The run was stopped before the summary was finished." };
  return { tokens, text: call.text };
}

export function slackDigestRoutine(options: SlackDigestOptions): ScheduledRoutine {
  /** What the last check read, for the run that follows it. */
  let found: { you: SlackUpdates["you"]; notes: string[]; read: number } | undefined;

  /** Stores what was read at once, as threads waiting for a summary; returns how many threads. */
  async function keepRead(db: Database, updates: SlackUpdates, now: number): Promise<number> {
    const threads = groupByThread(updates.messages);
    const store = new SlackThreadStore(db);
    const existing = await store.getMany(threads.map((thread) => thread.key));
    await store.putAll(threads.map((thread) => waitingRecord(thread, existing.get(thread.key), now)));
    await new ConnectorState(db).set(SLACK_DIGEST_READER_KEY, updates.you);
    return threads.length;
  }

  /** Whether the budget left today pays for at least the smallest batch (a check, so nothing is audited). */
  async function budgetLeft(db: Database): Promise<string | undefined> {
    const check = (await new UsageRecorder(db).budget()).check(SLACK_DIGEST_ROUTINE, SMALLEST_BATCH_TOKENS);
    return check.ok ? undefined : clause(check.refusal.message);
  }

  /** Proposes a thread's draft as a post: a send, always on a card, tainted by the thread it answers. */
  async function proposeDraft(
    propose: ProposeAction,
    entry: Parameters<typeof replyArguments>[0],
    shown: DigestBatchThread,
    now: number,
  ): Promise<{ draftActionId?: string; draftProblem?: string }> {
    const args = replyArguments(entry);
    if (!args) return {};
    const { thread } = entry;
    const id = `${SLACK_DIGEST_JOB_ID}:reply:${thread.key}:${thread.latestTs}`;
    const taint = assessTaint(args, [externalContent(thread.source, shown.lines.join("\n"))]);
    const outcome = await propose(
      toolProposal(slackPostMessageTool, {
        id,
        arguments: { ...args },
        reason: `Slack digest: a reply in ${thread.channelName}, where ${entry.summary}`,
        taint,
        proposedAt: now,
      }),
    );
    switch (outcome.status) {
      case "pending":
      case "executed":
        return { draftActionId: id };
      case "failed":
        return { draftProblem: `The draft could not be proposed: ${outcome.error.message}` };
      default:
        return { draftProblem: `The draft was not proposed: ${outcome.message}` };
    }
  }

  return {
    id: SLACK_DIGEST_JOB_ID,
    // Without a model the run still keeps and lists what was read, and says why nothing is summarised.
    needsModel: false,
    async check(context): Promise<CheckResult> {
      const { job, now } = context;
      found = undefined;
      const propose = gateOf(options, context);
      if (!propose) return { kind: "nothing-new", message: NO_PAGE_MESSAGE };
      const outcome = await propose(
        toolProposal(slackReadUpdatesTool, {
          id: `${SLACK_DIGEST_JOB_ID}:read:${job.id}:${now}`,
          arguments: {},
          reason: "Scheduled Slack digest.",
          taint: NO_TAINT,
          proposedAt: now,
        }),
      );
      if (outcome.status === "denied")
        return { kind: "nothing-new", message: `Slack was not read: ${outcome.message}` };
      if (outcome.status !== "executed") throw readError(outcome);
      const updates = parseSlackUpdates(outcome.result.content);
      if (!updates) throw new Error("slack_read_updates answered something the Slack digest cannot read.");
      return withRoutineDb(options, async (db) => {
        const read = updates.messages.length > 0 ? await keepRead(db, updates, now) : 0;
        const waiting = await new SlackThreadStore(db).countAwaitingSummary();
        const notes = updates.notes.length > 0 ? ` ${updates.notes.join(" ")}` : "";
        if (read === 0) {
          if (waiting === 0) return { kind: "nothing-new", message: `No new Slack messages.${notes}` };
          // Threads from an earlier run wait: worth a run only when a model and budget can summarise them.
          if (options.engine()?.loadedModelId === undefined)
            return {
              kind: "nothing-new",
              message: `No new Slack messages; ${plural(waiting, "thread waits", "threads wait")} for a model to summarise ${waiting === 1 ? "it" : "them"}.${notes}`,
            };
          const spent = await budgetLeft(db);
          if (spent !== undefined)
            return {
              kind: "nothing-new",
              message: `No new Slack messages; ${plural(waiting, "thread waits", "threads wait")} for a summary: ${spent}.${notes}`,
            };
        }
        found = { you: updates.you, notes: updates.notes, read };
        return { kind: "new", items: Math.max(read, waiting) };
      });
    },
    async run(context): Promise<RoutineResult> {
      const { job, now, signal } = context;
      const propose = gateOrDenial(options, context, NO_PAGE_MESSAGE);
      const last = found;
      found = undefined;
      return withRoutineDb(options, async (db) => {
        const store = new SlackThreadStore(db);
        const waiting = await store.awaitingSummary(MAX_THREADS_PER_RUN);
        if (waiting.length === 0) return { outcome: "nothing-new", tokens: 0, itemsFound: 0, message: "Nothing new." };
        const notes = last?.notes ?? [];
        const you = last?.you ??
          (await new ConnectorState(db).get(SLACK_DIGEST_READER_KEY, isSlackReader)) ?? { userId: "", userName: "you" };
        const engine = options.engine();
        const modelId = engine?.loadedModelId;
        const byId = new Map(waiting.map((record) => [record.id, record]));
        const updated = new Map<string, SlackThreadRecord>();
        const problems: string[] = [];
        let tokens = 0;
        let stopped: string | undefined;

        const threads = waiting.flatMap((record) => {
          const thread = threadOfRecord(record);
          if (!thread)
            updated.set(record.id, stillWaiting(record, "Its messages were not kept, so it cannot be summarised."));
          return thread ? [thread] : [];
        });
        if (!engine || modelId === undefined) {
          stopped = "no model is loaded (Models → Load); a later digest summarises what waits";
        } else {
          const rendering: DigestRendering = { you, timeZone: job.timeZone };
          const budget = await RunBudget.open(db, SLACK_DIGEST_ROUTINE, modelId);
          try {
            for (const batch of planDigestBatches(threads, rendering)) {
              if (signal.aborted) {
                stopped = "the run was stopped";
                break;
              }
              const result = await summariseBatch(engine, budget, batch, rendering, signal);
              tokens += result.tokens;
              if (result.refused !== undefined) {
                stopped = clause(result.refused);
                break;
              }
              const answer =
                result.text !== undefined
                  ? readDigestAnswer(result.text, batch)
                  : { ok: false as const, problem: result.problem ?? "No answer." };
              if (!answer.ok) {
                problems.push(answer.problem);
                for (const { thread } of batch.threads) {
                  const record = byId.get(thread.key);
                  if (record) updated.set(record.id, stillWaiting(record, answer.problem));
                }
                continue;
              }
              problems.push(...answer.problems);
              for (const shown of batch.threads) {
                const record = byId.get(shown.thread.key);
                if (!record) continue;
                const entry = answer.entries.find((candidate) => candidate.thread === shown.thread);
                if (!entry) {
                  updated.set(
                    record.id,
                    stillWaiting(record, "The model skipped this thread; the next digest tries again."),
                  );
                  continue;
                }
                const draft = await proposeDraft(propose, entry, shown, now);
                updated.set(record.id, summarisedRecord(record, entry, { modelId, now, ...draft }));
                if (draft.draftProblem !== undefined)
                  problems.push(`${shown.thread.channelName}: ${draft.draftProblem}`);
              }
            }
          } finally {
            await budget.settled().catch((error: unknown) => {
              problems.push(`Usage could not be recorded: ${serializeError(error).message}`);
            });
          }
        }
        // Whatever was not summarised says why.
        for (const record of waiting) {
          if (!updated.has(record.id))
            updated.set(record.id, stillWaiting(record, `Not summarised yet: ${stopped ?? "no answer"}.`));
        }
        await store.putAll([...updated.values()]);
        return {
          outcome: "ran",
          tokens,
          itemsFound: waiting.length,
          message: runMessage([...updated.values()], stopped, [...notes, ...problems]),
        };
      });
    },
  };
}

/** The run's message, which the notification shows: counts first, who waits for a reply, then what went wrong. */
function runMessage(
  records: readonly SlackThreadRecord[],
  stopped: string | undefined,
  notes: readonly string[],
): string {
  const summarised = records.filter((record) => record.summaryState === "summarised");
  const replies = summarised.filter((record) => record.needsReply);
  const drafts = summarised.filter((record) => record.draftActionId !== undefined);
  const waiting = records.length - summarised.length;
  const lines: string[] = [];
  if (summarised.length > 0) {
    const replyPart =
      replies.length === 0
        ? "none needs your reply"
        : `${plural(replies.length, "needs", "need")} your reply${drafts.length > 0 ? ` (${plural(drafts.length, "draft reply waits", "draft replies wait")} for your approval)` : ""}`;
    lines.push(`${plural(summarised.length, "thread")} summarised; ${replyPart}.`);
  }
  if (replies.length > 0)
    lines.push(`Needs your reply: ${[...new Set(replies.map((record) => record.channelName))].join(", ")}.`);
  if (waiting > 0)
    lines.push(`${plural(waiting, "thread")} listed without a summary${stopped !== undefined ? `: ${stopped}` : ""}.`);
  lines.push(...notes);
  return lines.join("\n");
}
