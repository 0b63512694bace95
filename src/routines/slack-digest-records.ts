import type { DigestEntry } from "../core/slack/digest-prompt";
import { compareSlackTs, slackSource, type SlackMessage, type SlackReason } from "../core/slack/slack-message";
import { groupByThread, type SlackThread } from "../core/slack/thread-grouping";
import type { SlackThreadRecord } from "../store/slack-thread-record";

/**
 * How the Slack digest keeps threads between runs: a thread read is stored at once as waiting for
 * a summary (so nothing read is lost when no model is loaded or the budget is spent), merged with
 * what was kept of it before; a summary then completes it.
 */

/** Messages kept per thread: its first, and the newest after it. */
export const MESSAGES_KEPT_PER_THREAD = 20;

/** The one reason the digest view groups a thread by: direct messages, then mentions, then channels. */
export function digestReason(reasons: readonly SlackReason[]): SlackThreadRecord["reason"] {
  if (reasons.includes("direct")) return "direct";
  if (reasons.includes("mention")) return "mention";
  return "channel";
}

function keptMessages(messages: readonly SlackMessage[]): SlackMessage[] {
  const byTs = new Map<string, SlackMessage>();
  for (const message of messages) {
    const earlier = byTs.get(message.ts);
    // The same message read twice keeps every reason it was read for.
    byTs.set(
      message.ts,
      earlier ? { ...message, reasons: [...new Set([...earlier.reasons, ...message.reasons])] } : message,
    );
  }
  const sorted = [...byTs.values()].sort((a, b) => compareSlackTs(a.ts, b.ts));
  if (sorted.length <= MESSAGES_KEPT_PER_THREAD) return sorted;
  const [first, ...rest] = sorted;
  const newest = rest.slice(-(MESSAGES_KEPT_PER_THREAD - 1));
  return first ? [first, ...newest] : newest;
}

/** A stored thread as the digest's prompt takes it; undefined when nothing of it was kept. */
export function threadOfRecord(record: SlackThreadRecord): SlackThread | undefined {
  const threads = groupByThread(record.messages ?? []);
  // Kept messages all belong to the record's thread; anything else is not this record's to summarise.
  return threads.length === 1 && threads[0]?.key === record.id ? threads[0] : undefined;
}

/**
 * The record of a thread just read, waiting for a summary: its messages joined to those kept of it
 * before, the earlier summary and draft still shown until the next summary replaces them.
 */
export function waitingRecord(
  thread: SlackThread,
  existing: SlackThreadRecord | undefined,
  now: number,
): SlackThreadRecord {
  const messages = keptMessages([...(existing?.messages ?? []), ...thread.messages]);
  const merged = groupByThread(messages).find((candidate) => candidate.key === thread.key) ?? thread;
  const newest = merged.messages.at(-1);
  const record: SlackThreadRecord = {
    id: merged.key,
    channelId: merged.channelId,
    channelName: merged.channelName,
    threadTs: merged.rootTs,
    reason: digestReason(merged.reasons),
    summary: existing?.summary ?? "",
    needsReply: existing?.needsReply ?? false,
    latestTs: merged.latestTs,
    updatedAt: now,
    kind: merged.kind,
    source: slackSource(merged.channelId, merged.rootTs),
    messages: merged.messages,
    summaryState: "pending",
  };
  if (merged.replyThreadTs !== undefined) record.replyThreadTs = merged.replyThreadTs;
  if (newest?.permalink !== undefined) record.permalink = newest.permalink;
  if (existing?.draftActionId !== undefined) record.draftActionId = existing.draftActionId;
  if (existing?.draftReply !== undefined) record.draftReply = existing.draftReply;
  if (existing?.modelId !== undefined) record.modelId = existing.modelId;
  return record;
}

/** A thread the model summarised; the draft's card id when one was proposed. */
export function summarisedRecord(
  record: SlackThreadRecord,
  entry: DigestEntry,
  outcome: { modelId: string; draftActionId?: string; draftProblem?: string; now: number },
): SlackThreadRecord {
  const next: SlackThreadRecord = {
    ...record,
    summary: entry.summary,
    needsReply: entry.needsReply,
    summaryState: "summarised",
    modelId: outcome.modelId,
    updatedAt: outcome.now,
  };
  delete next.summaryProblem;
  delete next.draftActionId;
  delete next.draftReply;
  delete next.draftProblem;
  if (entry.draftReply !== undefined) next.draftReply = entry.draftReply;
  if (outcome.draftActionId !== undefined) next.draftActionId = outcome.draftActionId;
  if (outcome.draftProblem !== undefined) next.draftProblem = outcome.draftProblem;
  return next;
}

/** A thread still waiting, with the reason in the digest's words. */
export function stillWaiting(record: SlackThreadRecord, problem: string): SlackThreadRecord {
  return { ...record, summaryState: "pending", summaryProblem: problem };
}
