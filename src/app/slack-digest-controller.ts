import { isSlackReader, SLACK_DIGEST_JOB_ID, SLACK_DIGEST_READER_KEY } from "../routines/slack-digest-routine";
import { ConnectorState } from "../store/connector-state";
import type { Database } from "../store/database";
import type { SettingsStore } from "../store/settings-store";
import type { SlackThreadRecord } from "../store/slack-thread-record";
import { SlackThreadStore } from "../store/slack-thread-store";
import { compareSlackTs } from "../core/slack/slack-message";
import { cardStatus, type CardStatus } from "./action-card-status";
import { RoutineBoardController, type RoutineBoardSources } from "./routine-board-controller";
import type { RoutineStatus } from "./routine-status";
import type { SlackStatus } from "./slack-controller";

/** Slack's connection as the digest view needs it (Settings → Slack's controller). */
export interface SlackConnection {
  readonly status: SlackStatus;
  subscribe(listener: () => void): () => void;
}

/** The digest view's sources (its runs are "Run the digest now"), the settings it reads and Slack's connection. */
export interface SlackDigestControllerOptions extends Omit<RoutineBoardSources, "connection"> {
  settings: Pick<SettingsStore, "get">;
  slack?: SlackConnection;
}

/** Threads the view lists: the newest, across conversations. */
export const THREADS_SHOWN = 120;

/** One conversation's threads in the digest. */
export interface ConversationGroup {
  channelId: string;
  channelName: string;
  /** Threads in it that need the user's reply. */
  needsReply: number;
  /** Needs-reply threads first, then the newest. */
  threads: SlackThreadRecord[];
}

function newestFirst(a: SlackThreadRecord, b: SlackThreadRecord): number {
  return compareSlackTs(b.latestTs, a.latestTs);
}

/** Threads grouped by conversation; conversations with something to answer first, then the most recent. */
export function groupConversations(records: readonly SlackThreadRecord[]): ConversationGroup[] {
  const groups = new Map<string, ConversationGroup>();
  for (const record of records) {
    const group = groups.get(record.channelId) ?? {
      channelId: record.channelId,
      channelName: record.channelName,
      needsReply: 0,
      threads: [],
    };
    group.threads.push(record);
    if (record.needsReply && record.summaryState === "summarised") group.needsReply += 1;
    groups.set(record.channelId, group);
  }
  for (const group of groups.values()) {
    group.threads.sort((a, b) => Number(b.needsReply) - Number(a.needsReply) || newestFirst(a, b));
  }
  return [...groups.values()].sort(
    (a, b) =>
      Number(b.needsReply > 0) - Number(a.needsReply > 0) ||
      compareSlackTs(b.threads[0]?.latestTs ?? "0", a.threads[0]?.latestTs ?? "0"),
  );
}

/** What the digest view reads: the threads by conversation, the channels chosen, and who "you" is. */
interface DigestSnapshot {
  groups: ConversationGroup[];
  chosenChannels: number;
  you: string | undefined;
}

/**
 * The Slack digest's state: the threads the digest read, grouped by conversation with "needs your
 * reply" first, each with the model's summary and where its draft's card stands, and when the
 * digest last ran. Read again when the digest finishes a run (the jobs channel), when a card is
 * decided (the Gate), and when Slack's connection changes.
 */
export class SlackDigestController extends RoutineBoardController<DigestSnapshot> {
  constructor(private readonly options: SlackDigestControllerOptions) {
    super(
      { jobId: SLACK_DIGEST_JOB_ID, routineName: "Slack digest", boardName: "The Slack digest" },
      {
        db: options.db,
        gate: options.gate,
        connection: options.slack,
        channel: options.channel,
        runNow: options.runNow,
      },
      { groups: [], chosenChannels: 0, you: undefined },
    );
  }

  get groups(): readonly ConversationGroup[] {
    return this.board.groups;
  }

  get needsReply(): number {
    return this.board.groups.reduce((sum, group) => sum + group.needsReply, 0);
  }

  get digest(): RoutineStatus {
    return this.routine;
  }

  get connection(): SlackStatus | undefined {
    return this.options.slack?.status;
  }

  /** The Slack user id of whoever connected Slack, as the digest last read it: their mentions read "@you". */
  get you(): string | undefined {
    return this.board.you;
  }

  /** Channels chosen in Settings → Slack besides mentions and direct messages. */
  get chosenChannels(): number {
    return this.board.chosenChannels;
  }

  /** Where a thread's draft card stands; undefined when the digest proposed none. */
  draftStatus(thread: Pick<SlackThreadRecord, "draftActionId">): CardStatus | undefined {
    if (thread.draftActionId === undefined) return undefined;
    return cardStatus(this.card(thread.draftActionId), "The draft reply", "You approved the reply; it was posted.");
  }

  protected override async readBoard(db: Database): Promise<DigestSnapshot> {
    const [threads, channels, reader] = await Promise.all([
      new SlackThreadStore(db).recent(THREADS_SHOWN),
      this.options.settings.get("slackChannels"),
      new ConnectorState(db).get(SLACK_DIGEST_READER_KEY, isSlackReader),
    ]);
    return { groups: groupConversations(threads), chosenChannels: channels.length, you: reader?.userId };
  }

  protected override cardIds(snapshot: DigestSnapshot): string[] {
    return snapshot.groups.flatMap((group) => group.threads.flatMap((thread) => thread.draftActionId ?? []));
  }
}
