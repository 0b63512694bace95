import { conversationDisplayName, conversationKindOf } from "../../core/slack/conversation-name";
import {
  compareSlackTs,
  type SlackConversationKind,
  type SlackMessage,
  type SlackReason,
  type SlackUpdates,
} from "../../core/slack/slack-message";
import type { SlackClient, SlackResponse } from "./slack-client";
import type { SlackCursor, SlackIdentity, WatchedThread } from "./slack-cursor";
import { ScopeNeededError, SlackApiError } from "./slack-errors";
import { slackUserName } from "./slack-user-name";

/** On the very first read, look back this far. */
export const FIRST_READ_LOOKBACK_S = 24 * 3600;
const HISTORY_PAGE = 100;
const MAX_HISTORY_PAGES = 3;
const SEARCH_PAGE = 100;
const MAX_SEARCH_PAGES = 2;
const MAX_DIRECT_CONVERSATIONS = 100;
/** Threads you were mentioned in get their other messages as context, up to this many threads a read. */
const MAX_CONTEXT_THREADS = 10;
const CONTEXT_REPLIES = 20;
/** A thread with replies is re-read for new replies this long after it was last active. */
export const WATCH_THREAD_MS = 3 * 24 * 3600_000;
const MAX_WATCHED_THREADS = 40;
/** More than this in one read is cut (the oldest go), and the digest says so. */
export const MAX_MESSAGES_PER_READ = 400;

/** Channel events, not things people said. */
const SKIPPED_SUBTYPES = new Set([
  "channel_join",
  "channel_leave",
  "channel_topic",
  "channel_purpose",
  "channel_name",
  "channel_archive",
  "channel_unarchive",
  "group_join",
  "group_leave",
  "pinned_item",
  "unpinned_item",
]);

/** Names and conversations seen before, kept by the connector across reads (they rarely change). */
export interface SlackLookups {
  users: Map<string, string>;
  conversations: Map<string, { kind: SlackConversationKind; name: string }>;
}

export function emptyLookups(): SlackLookups {
  return { users: new Map(), conversations: new Map() };
}

export interface ReadSlackOptions {
  client: SlackClient;
  cursor: SlackCursor;
  /** Channel ids chosen in Settings (`slackChannels`). */
  chosenChannels: readonly string[];
  lookups: SlackLookups;
  /** Milliseconds since the epoch. */
  now: number;
}

export interface ReadSlackResult {
  updates: SlackUpdates;
  /** Where the next read starts: store it once the result is safely handed over. */
  cursor: SlackCursor;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function nextCursor(answer: SlackResponse): string | undefined {
  const metadata = answer.response_metadata;
  const next = isRecord(metadata) ? text(metadata.next_cursor) : undefined;
  return next === undefined || next === "" ? undefined : next;
}

function newer(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareSlackTs(a, b) >= 0 ? a : b;
}

function tsOfSeconds(seconds: number): string {
  return `${Math.floor(seconds)}.000000`;
}

/** Slack's thread ts from a permalink (`…?thread_ts=1732451000.000100&cid=C…`), for search results. */
function threadFromPermalink(permalink: string | undefined): string | undefined {
  if (permalink === undefined) return undefined;
  try {
    return new URL(permalink).searchParams.get("thread_ts") ?? undefined;
  } catch {
    return undefined;
  }
}

/** Reads what is new in Slack for the digest, one source at a time, and where to start next time. */
class UpdatesRead {
  readonly messages = new Map<string, SlackMessage>();
  readonly notes: string[] = [];
  readonly #options: ReadSlackOptions;
  readonly #since: string;
  /** Conversations read this time, and threads whose replies were already fetched. */
  readonly #readConversations = new Set<string>();
  readonly #readThreads = new Set<string>();
  identity: SlackIdentity | undefined;
  cursor: SlackCursor;

  constructor(options: ReadSlackOptions) {
    this.#options = options;
    this.cursor = {
      ...options.cursor,
      conversations: { ...options.cursor.conversations },
      threads: options.cursor.threads.filter((thread) => thread.until > options.now),
    };
    this.identity = options.cursor.identity;
    this.#since = tsOfSeconds(options.now / 1000 - FIRST_READ_LOOKBACK_S);
  }

  get #client(): SlackClient {
    return this.#options.client;
  }

  async run(): Promise<ReadSlackResult> {
    const you = await this.#identity();
    await this.#part("mentions of you", () => this.#mentions(you));
    await this.#part("direct messages", () => this.#directMessages());
    for (const channel of this.#options.chosenChannels) {
      await this.#part(`the channel ${channel}`, () => this.#chosenChannel(channel));
    }
    await this.#part("threads you follow", () => this.#watchedThreads());
    const sorted = [...this.messages.values()].sort((a, b) => compareSlackTs(a.ts, b.ts));
    const kept = sorted.slice(-MAX_MESSAGES_PER_READ);
    if (kept.length < sorted.length) {
      this.notes.push(
        `${sorted.length - kept.length} older messages were left out: more than ${MAX_MESSAGES_PER_READ} arrived since the last read.`,
      );
    }
    this.cursor.threads = this.cursor.threads.sort((a, b) => b.until - a.until).slice(0, MAX_WATCHED_THREADS);
    return {
      updates: {
        readAt: this.#options.now,
        you: { userId: you.userId, userName: you.userName },
        messages: kept,
        notes: this.notes,
      },
      cursor: { ...this.cursor, identity: you },
    };
  }

  /** A source that fails for a reason the user can fix later is noted, and the others are still read. */
  async #part(what: string, read: () => Promise<void>): Promise<void> {
    try {
      await read();
    } catch (error) {
      if (error instanceof ScopeNeededError) this.notes.push(`Skipped ${what}: ${error.message}`);
      else if (error instanceof SlackApiError && ["channel_not_found", "not_in_channel"].includes(error.code)) {
        this.notes.push(`Skipped ${what}: Slack says it does not exist or you are not in it.`);
      } else throw error;
    }
  }

  async #identity(): Promise<SlackIdentity> {
    if (this.identity) return this.identity;
    const answer = await this.#client.call("auth.test");
    const userId = text(answer.user_id) ?? "";
    const identity: SlackIdentity = {
      userId,
      userName: (await this.#userName(userId)) ?? text(answer.user) ?? userId,
      teamId: text(answer.team_id) ?? "",
      teamName: text(answer.team) ?? "",
    };
    this.identity = identity;
    return identity;
  }

  async #userName(userId: string): Promise<string | undefined> {
    const known = this.#options.lookups.users.get(userId);
    if (known !== undefined) return known;
    if (!/^[UW][A-Z0-9]+$/.test(userId)) return undefined;
    try {
      const name = slackUserName(await this.#client.call("users.info", { user: userId }));
      if (name !== undefined) this.#options.lookups.users.set(userId, name);
      return name;
    } catch (error) {
      // Names are a courtesy: without users:read (or for a deleted user) the id stands in.
      if (error instanceof ScopeNeededError || error instanceof SlackApiError) return undefined;
      throw error;
    }
  }

  async #add(
    raw: Record<string, unknown>,
    where: { channel: string; kind: SlackConversationKind; name: string },
    reason: SlackReason,
  ): Promise<string | undefined> {
    const ts = text(raw.ts);
    const subtype = text(raw.subtype);
    if (ts === undefined || (subtype !== undefined && SKIPPED_SUBTYPES.has(subtype))) return undefined;
    const userId = text(raw.user) ?? text(raw.bot_id) ?? "unknown";
    const userName = (await this.#userName(userId)) ?? text(raw.username) ?? userId;
    const threadTs = text(raw.thread_ts) ?? threadFromPermalink(text(raw.permalink));
    const key = `${where.channel}/${ts}`;
    const existing = this.messages.get(key);
    if (existing) {
      if (!existing.reasons.includes(reason)) existing.reasons.push(reason);
      return ts;
    }
    const permalink = text(raw.permalink);
    this.messages.set(key, {
      channelId: where.channel,
      channelName: where.name,
      kind: where.kind,
      ts,
      ...(threadTs !== undefined ? { threadTs } : {}),
      userId,
      userName,
      text: text(raw.text) ?? "",
      reasons: [reason],
      ...(permalink !== undefined ? { permalink } : {}),
    });
    return ts;
  }

  async #mentions(you: SlackIdentity): Promise<void> {
    const since = this.cursor.mentions ?? this.#since;
    let newest = this.cursor.mentions;
    const contextThreads = new Map<
      string,
      { channel: string; ts: string; kind: SlackConversationKind; name: string }
    >();
    for (let page = 1; page <= MAX_SEARCH_PAGES; page += 1) {
      const answer = await this.#client.call("search.messages", {
        query: `<@${you.userId}>`,
        sort: "timestamp",
        sort_dir: "desc",
        count: SEARCH_PAGE,
        page,
      });
      const block = isRecord(answer.messages) ? answer.messages : {};
      const matches = records(block.matches);
      let reachedOld = false;
      for (const match of matches) {
        const ts = text(match.ts);
        if (ts === undefined) continue;
        if (compareSlackTs(ts, since) <= 0) {
          reachedOld = true;
          continue;
        }
        newest = newer(newest, ts);
        if (text(match.user) === you.userId) continue;
        const channel = isRecord(match.channel) ? match.channel : {};
        const channelId = text(channel.id);
        if (channelId === undefined) continue;
        const kind = conversationKindOf(channel);
        const otherPerson = kind === "im" ? await this.#userName(text(match.user) ?? "") : undefined;
        const name = conversationDisplayName({
          kind,
          name: text(channel.name) ?? channelId,
          ...(otherPerson !== undefined ? { otherPerson } : {}),
        });
        this.#options.lookups.conversations.set(channelId, { kind, name });
        await this.#add(match, { channel: channelId, kind, name }, "mention");
        const threadTs = threadFromPermalink(text(match.permalink));
        if (threadTs !== undefined)
          contextThreads.set(`${channelId}/${threadTs}`, { channel: channelId, ts: threadTs, kind, name });
      }
      const paging = isRecord(block.paging) ? block.paging : {};
      const pages = typeof paging.pages === "number" ? paging.pages : 1;
      if (reachedOld || page >= pages) break;
      if (page === MAX_SEARCH_PAGES)
        this.notes.push("Some older mentions were left out: there were too many since the last read.");
    }
    for (const thread of [...contextThreads.values()].slice(0, MAX_CONTEXT_THREADS)) {
      await this.#part(`the thread around a mention in ${thread.name}`, async () => {
        const answer = await this.#client.call("conversations.replies", {
          channel: thread.channel,
          ts: thread.ts,
          limit: CONTEXT_REPLIES,
        });
        for (const message of records(answer.messages)) await this.#add(message, thread, "context");
      });
    }
    this.cursor.mentions = newest;
  }

  async #directMessages(): Promise<void> {
    const conversations: Record<string, unknown>[] = [];
    let page: string | undefined;
    do {
      const answer = await this.#client.call("conversations.list", {
        types: "im,mpim",
        exclude_archived: true,
        limit: 200,
        ...(page !== undefined ? { cursor: page } : {}),
      });
      conversations.push(...records(answer.channels));
      page = nextCursor(answer);
    } while (page !== undefined && conversations.length < MAX_DIRECT_CONVERSATIONS);
    if (conversations.length > MAX_DIRECT_CONVERSATIONS) {
      this.notes.push(`Only ${MAX_DIRECT_CONVERSATIONS} of your direct conversations were read.`);
    }
    for (const conversation of conversations.slice(0, MAX_DIRECT_CONVERSATIONS)) {
      const id = text(conversation.id);
      if (id === undefined) continue;
      const kind = conversationKindOf(conversation);
      const otherPerson = kind === "im" ? await this.#userName(text(conversation.user) ?? "") : undefined;
      const name = conversationDisplayName({
        kind,
        name: text(conversation.name) ?? id,
        ...(otherPerson !== undefined ? { otherPerson } : {}),
      });
      this.#options.lookups.conversations.set(id, { kind, name });
      await this.#part(name, () => this.#conversation({ channel: id, kind, name }, "direct"));
    }
  }

  async #chosenChannel(channel: string): Promise<void> {
    let where = this.#options.lookups.conversations.get(channel);
    if (!where) {
      const answer = await this.#client.call("conversations.info", { channel });
      const info = isRecord(answer.channel) ? answer.channel : {};
      const kind = conversationKindOf(info);
      where = { kind, name: conversationDisplayName({ kind, name: text(info.name) ?? channel }) };
      this.#options.lookups.conversations.set(channel, where);
    }
    await this.#conversation({ channel, ...where }, "channel");
  }

  /** New top-level messages of one conversation, and the new replies of its threads. */
  async #conversation(
    where: { channel: string; kind: SlackConversationKind; name: string },
    reason: SlackReason,
  ): Promise<void> {
    this.#readConversations.add(where.channel);
    const oldest = this.cursor.conversations[where.channel] ?? this.#since;
    let newest: string | undefined = this.cursor.conversations[where.channel];
    let page: string | undefined;
    let pages = 0;
    const parents: { ts: string; latestReply: string }[] = [];
    do {
      const answer = await this.#client.call("conversations.history", {
        channel: where.channel,
        oldest,
        limit: HISTORY_PAGE,
        ...(page !== undefined ? { cursor: page } : {}),
      });
      for (const message of records(answer.messages)) {
        const ts = await this.#add(message, where, reason);
        newest = newer(newest, text(message.ts));
        const latestReply = text(message.latest_reply);
        if (
          ts !== undefined &&
          typeof message.reply_count === "number" &&
          message.reply_count > 0 &&
          latestReply !== undefined
        ) {
          parents.push({ ts, latestReply });
        }
      }
      pages += 1;
      page = answer.has_more === true ? nextCursor(answer) : undefined;
    } while (page !== undefined && pages < MAX_HISTORY_PAGES);
    if (page !== undefined)
      this.notes.push(`Older new messages in ${where.name} were left out: too many since the last read.`);
    if (newest !== undefined) this.cursor.conversations[where.channel] = newest;
    for (const parent of parents) {
      this.#readThreads.add(`${where.channel}/${parent.ts}`);
      const seen = await this.#replies(where, parent.ts, oldest, reason);
      this.#watch(where.channel, parent.ts, newer(seen, parent.latestReply) ?? parent.ts);
    }
  }

  /** Replies of one thread after `oldest`; returns the newest reply's ts. */
  async #replies(
    where: { channel: string; kind: SlackConversationKind; name: string },
    ts: string,
    oldest: string,
    reason: SlackReason,
  ): Promise<string | undefined> {
    const answer = await this.#client.call("conversations.replies", {
      channel: where.channel,
      ts,
      oldest,
      limit: HISTORY_PAGE,
    });
    let newest: string | undefined;
    for (const message of records(answer.messages)) {
      const replyTs = text(message.ts);
      if (replyTs === undefined || replyTs === ts || compareSlackTs(replyTs, oldest) <= 0) continue;
      await this.#add(message, where, reason);
      newest = newer(newest, replyTs);
    }
    return newest;
  }

  #watch(channel: string, ts: string, seen: string): void {
    const until = this.#options.now + WATCH_THREAD_MS;
    const existing = this.cursor.threads.find((thread) => thread.channel === channel && thread.ts === ts);
    if (existing) {
      existing.seen = newer(existing.seen, seen) ?? seen;
      existing.until = until;
    } else this.cursor.threads.push({ channel, ts, seen, until });
  }

  /** Threads started before the last read still get replies: those are read here. */
  async #watchedThreads(): Promise<void> {
    const watched: WatchedThread[] = this.cursor.threads.filter(
      (thread) => !this.#readThreads.has(`${thread.channel}/${thread.ts}`),
    );
    for (const thread of watched) {
      const where = this.#options.lookups.conversations.get(thread.channel);
      // A thread whose conversation was not read this time (a channel no longer chosen) is dropped.
      if (!where || !this.#readConversations.has(thread.channel)) {
        this.cursor.threads = this.cursor.threads.filter((candidate) => candidate !== thread);
        continue;
      }
      const reason: SlackReason = where.kind === "im" || where.kind === "mpim" ? "direct" : "channel";
      const gone = await this.#missing(async () => {
        const seen = await this.#replies({ channel: thread.channel, ...where }, thread.ts, thread.seen, reason);
        if (seen !== undefined) this.#watch(thread.channel, thread.ts, seen);
      });
      if (gone) this.cursor.threads = this.cursor.threads.filter((candidate) => candidate !== thread);
    }
  }

  /** Runs `work`; true when Slack says the thread is gone (deleted), which is no failure. */
  async #missing(work: () => Promise<void>): Promise<boolean> {
    try {
      await work();
      return false;
    } catch (error) {
      if (error instanceof SlackApiError && error.code === "thread_not_found") return true;
      throw error;
    }
  }
}

/**
 * Everything new since the cursor: mentions of you anywhere (`search.messages`, with the rest of
 * each thread as context), direct and group direct messages, the chosen channels, and new replies
 * in threads seen in the last three days. Sources that need a scope the token lacks, or a channel
 * that is gone, are skipped with a note; anything else that fails (sign-in, rate limit, network)
 * fails the whole read, and the cursor is not moved.
 */
export function readSlackUpdates(options: ReadSlackOptions): Promise<ReadSlackResult> {
  return new UpdatesRead(options).run();
}
