import type { ToolResult } from "../../core/agent/action";
import { conversationDisplayName, conversationKindOf } from "../../core/slack/conversation-name";
import { serializeSlackUpdates, slackSource } from "../../core/slack/slack-message";
import { SLACK_POST_SCOPE } from "../../core/slack/slack-scopes";
import type { AuditedFetch } from "../../gate/audited-fetch";
import type { Connector } from "../../gate/connector";
import type { ConnectorState } from "../../store/connector-state";
import { SlackClient } from "./slack-client";
import { EMPTY_CURSOR, isSlackCursor, SLACK_STATE_KEY, type SlackCursor } from "./slack-cursor";
import { ScopeNeededError, SlackApiError, SlackTargetMismatchError } from "./slack-errors";
import { SlackPacer, type PacerClock, REAL_CLOCK } from "./slack-pacer";
import type { SlackSession } from "./slack-session";
import { slackUserName } from "./slack-user-name";
import { emptyLookups, readSlackUpdates, type SlackLookups } from "./slack-updates-reader";

/** Slack refuses longer messages (`msg_too_long`); the connector says so before sending. */
export const SLACK_MAX_TEXT_LENGTH = 40_000;

export interface SlackConnectorOptions {
  session: SlackSession;
  state: ConnectorState;
  /** The channel ids the digest reads besides mentions and DMs (the `slackChannels` setting). */
  chosenChannels: () => Promise<string[]>;
  clock?: PacerClock;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringArgument(args: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = args[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * The Slack connector: reads what is new for the digest and posts approved replies. The Gate calls
 * it with an `AuditedFetch` per action; the pace of calls (Slack's tiers) is kept across actions.
 */
export class SlackConnector implements Connector {
  readonly name = "slack";
  readonly #options: SlackConnectorOptions;
  readonly #pacer: SlackPacer;
  readonly #clock: PacerClock;
  readonly #lookups: SlackLookups = emptyLookups();

  constructor(options: SlackConnectorOptions) {
    this.#options = options;
    this.#clock = options.clock ?? REAL_CLOCK;
    this.#pacer = new SlackPacer(this.#clock);
  }

  connected(): boolean {
    return this.#options.session.connected();
  }

  /** The client for one action: its requests go through that action's audited fetch. */
  client(audit: AuditedFetch): SlackClient {
    return new SlackClient({
      fetch: audit,
      session: this.#options.session,
      pacer: this.#pacer,
      sleep: (ms) => this.#clock.sleep(ms),
    });
  }

  async execute(tool: string, args: Readonly<Record<string, unknown>>, audit: AuditedFetch): Promise<ToolResult> {
    switch (tool) {
      case "slack_read_updates":
        return this.#readUpdates(audit);
      case "slack_post_message":
        return this.#post(args, audit);
      default:
        throw new Error(`The Slack connector has no tool called ${tool}.`);
    }
  }

  async cursor(): Promise<SlackCursor> {
    return (await this.#options.state.get(SLACK_STATE_KEY, isSlackCursor)) ?? EMPTY_CURSOR;
  }

  /** Forgets where the digest was (after a disconnect, or to connect another workspace). */
  async forget(): Promise<void> {
    await this.#options.state.delete(SLACK_STATE_KEY);
    this.#lookups.users.clear();
    this.#lookups.conversations.clear();
  }

  async #readUpdates(audit: AuditedFetch): Promise<ToolResult> {
    const { updates, cursor } = await readSlackUpdates({
      client: this.client(audit),
      cursor: await this.cursor(),
      chosenChannels: await this.#options.chosenChannels(),
      lookups: this.#lookups,
      now: this.#clock.now(),
    });
    // Stored only after the whole read succeeded: a failed read starts from the same place next time.
    await this.#options.state.set(SLACK_STATE_KEY, cursor);
    const newest = updates.messages.at(-1)?.ts ?? "none";
    return { content: serializeSlackUpdates(updates), trusted: false, source: `slack:updates/${newest}` };
  }

  async #post(args: Readonly<Record<string, unknown>>, audit: AuditedFetch): Promise<ToolResult> {
    const channel = stringArgument(args, "channel");
    const channelName = stringArgument(args, "channelName");
    const threadTs = stringArgument(args, "thread_ts");
    const text = stringArgument(args, "text");
    if (channel === undefined || channelName === undefined || text === undefined) {
      throw new Error("A Slack post needs a channel, its name and a text.");
    }
    if (text.trim() === "") throw new Error("Nothing was posted: the reply is empty.");
    if (text.length > SLACK_MAX_TEXT_LENGTH) {
      throw new Error(
        `Nothing was posted: Slack takes at most ${SLACK_MAX_TEXT_LENGTH} characters and the reply has ${text.length}.`,
      );
    }
    // Before any request: without chat:write Slack would refuse anyway, and the user must act.
    if (!this.#options.session.scopes().includes(SLACK_POST_SCOPE)) throw new ScopeNeededError(SLACK_POST_SCOPE);
    const client = this.client(audit);
    await this.#checkTarget(client, channel, channelName, threadTs);
    const answer = await client.call(
      "chat.postMessage",
      {
        channel,
        text,
        ...(threadTs !== undefined ? { thread_ts: threadTs } : {}),
        // No link previews: what appears is the text the card showed.
        unfurl_links: false,
        unfurl_media: false,
      },
      { idempotent: false, channel },
    );
    const ts = typeof answer.ts === "string" ? answer.ts : "";
    const place = `${channelName} (${channel})${threadTs !== undefined ? `, in the thread ${threadTs}` : ""}`;
    return { content: `Posted to ${place}: message ${ts}.`, trusted: true, source: slackSource(channel, ts) };
  }

  /** The card named the channel and thread: both must still be what Slack says, or nothing is sent. */
  async #checkTarget(
    client: SlackClient,
    channel: string,
    channelName: string,
    threadTs: string | undefined,
  ): Promise<void> {
    let info: Record<string, unknown>;
    try {
      const answer = await client.call("conversations.info", { channel });
      info = isRecord(answer.channel) ? answer.channel : {};
    } catch (error) {
      if (error instanceof SlackApiError && error.code === "channel_not_found") {
        throw new SlackTargetMismatchError(`Slack has no conversation ${channel} that you can see.`);
      }
      throw error;
    }
    const kind = conversationKindOf(info);
    let otherPerson: string | undefined;
    if (kind === "im" && typeof info.user === "string") {
      otherPerson = slackUserName(await client.call("users.info", { user: info.user }));
    }
    const actual = conversationDisplayName({
      kind,
      name: typeof info.name === "string" ? info.name : channel,
      ...(otherPerson !== undefined ? { otherPerson } : {}),
    });
    if (actual !== channelName) {
      throw new SlackTargetMismatchError(`${channel} is ${actual} in Slack, not ${channelName} as the card said.`);
    }
    if (threadTs === undefined) return;
    try {
      const thread = await client.call("conversations.replies", { channel, ts: threadTs, limit: 1 });
      const first = Array.isArray(thread.messages) ? (thread.messages[0] as unknown) : undefined;
      if (!isRecord(first) || first.ts !== threadTs)
        throw new SlackApiError("conversations.replies", "thread_not_found");
    } catch (error) {
      if (error instanceof SlackApiError && error.code === "thread_not_found") {
        throw new SlackTargetMismatchError(`there is no message ${threadTs} in ${channelName} to reply to.`);
      }
      throw error;
    }
  }
}
