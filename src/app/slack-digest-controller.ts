import { isSlackReader, SLACK_DIGEST_JOB_ID, SLACK_DIGEST_READER_KEY } from "../routines/slack-digest-routine";
import { ConnectorState } from "../store/connector-state";
import type { ApprovalRecord } from "../store/approval-record";
import type { JobRunRecord } from "../store/job-record";
import type { Database } from "../store/database";
import type { SettingsStore } from "../store/settings-store";
import type { SlackThreadRecord } from "../store/slack-thread-record";
import { SlackThreadStore } from "../store/slack-thread-store";
import { compareSlackTs } from "../core/slack/slack-message";
import { cardStatus, readCards, type CardsPort, type CardStatus } from "./action-card-status";
import { Observable } from "./observable";
import { listenForRuns, readRoutineStatus, RunNowState, type RoutineStatus, type RunsChannel } from "./routine-status";
import type { SlackStatus } from "./slack-controller";

/** Slack's connection as the digest view needs it (Settings → Slack's controller). */
export interface SlackConnection {
  readonly status: SlackStatus;
  subscribe(listener: () => void): () => void;
}

export interface SlackDigestControllerOptions {
  db: Database;
  settings: Pick<SettingsStore, "get">;
  /** The Gate: the drafts' cards, and a word whenever one is decided. */
  gate: CardsPort;
  slack?: SlackConnection;
  channel?: RunsChannel;
  /** Runs the digest's job now (the agent worker's `runJobNow`) and returns its run: "Run the digest now". */
  runNow?: () => Promise<JobRunRecord>;
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

/**
 * The Slack digest's state: the threads the digest read, grouped by conversation with "needs your
 * reply" first, each with the model's summary and where its draft's card stands, and when the
 * digest last ran. Read again when the digest finishes a run (the jobs channel), when a card is
 * decided (the Gate), and when Slack's connection changes.
 */
export class SlackDigestController extends Observable {
  #groups: ConversationGroup[] = [];
  #digest: RoutineStatus = { scheduled: false, enabled: false };
  #cards = new Map<string, ApprovalRecord>();
  #chosenChannels = 0;
  #you: string | undefined;
  #loaded = false;
  #error: string | undefined;
  #generation = 0;
  /** Card reads may overlap too: only the newest may write. */
  #cardReads = 0;
  #channel: RunsChannel | undefined;
  #unsubscribe: (() => void)[] = [];
  readonly #runNow: RunNowState;

  constructor(private readonly options: SlackDigestControllerOptions) {
    super();
    this.#runNow = new RunNowState("Slack digest", options.runNow);
  }

  /** Running the job at once: whether it can, whether it is, and what the last such run said. */
  get runNowState(): RunNowState {
    return this.#runNow;
  }

  /** Runs the job now; the rows follow when the run is announced on the jobs channel, and once more here. */
  async runNow(): Promise<void> {
    await this.#runNow.start(() => this.changed());
    await this.refresh();
  }

  get groups(): readonly ConversationGroup[] {
    return this.#groups;
  }

  get needsReply(): number {
    return this.#groups.reduce((sum, group) => sum + group.needsReply, 0);
  }

  get digest(): RoutineStatus {
    return this.#digest;
  }

  get connection(): SlackStatus | undefined {
    return this.options.slack?.status;
  }

  /** The Slack user id of whoever connected Slack, as the digest last read it: their mentions read "@you". */
  get you(): string | undefined {
    return this.#you;
  }

  /** Channels chosen in Settings → Slack besides mentions and direct messages. */
  get chosenChannels(): number {
    return this.#chosenChannels;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  get error(): string | undefined {
    return this.#error;
  }

  /** Where a thread's draft card stands; undefined when the digest proposed none. */
  draftStatus(thread: Pick<SlackThreadRecord, "draftActionId">): CardStatus | undefined {
    if (thread.draftActionId === undefined) return undefined;
    return cardStatus(
      this.#cards.get(thread.draftActionId),
      "The draft reply",
      "You approved the reply; it was posted.",
    );
  }

  async init(): Promise<void> {
    if (this.#unsubscribe.length === 0) {
      this.#channel = listenForRuns(SLACK_DIGEST_JOB_ID, () => void this.refresh(), this.options.channel);
      // A decided card changes only its line; the rows come from the routine's runs.
      this.#unsubscribe.push(this.options.gate.subscribe(() => void this.#refreshCards()));
      if (this.options.slack) this.#unsubscribe.push(this.options.slack.subscribe(() => void this.refresh()));
    }
    await this.refresh();
  }

  async refresh(): Promise<void> {
    const generation = ++this.#generation;
    ++this.#cardReads;
    try {
      const { db } = this.options;
      const [threads, digest, channels, reader] = await Promise.all([
        new SlackThreadStore(db).recent(THREADS_SHOWN),
        readRoutineStatus(db, SLACK_DIGEST_JOB_ID),
        this.options.settings.get("slackChannels"),
        new ConnectorState(db).get(SLACK_DIGEST_READER_KEY, isSlackReader),
      ]);
      const cards = await readCards(
        this.options.gate,
        threads.flatMap((thread) => thread.draftActionId ?? []),
      );
      if (generation !== this.#generation) return;
      this.#groups = groupConversations(threads);
      this.#digest = digest;
      this.#cards = cards;
      this.#chosenChannels = channels.length;
      this.#you = reader?.userId;
      this.#loaded = true;
      this.#error = undefined;
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#error = `The Slack digest could not be read: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.changed();
  }

  /** Reads again only where the cards stand (a decision in Approvals, here or in another tab). */
  async #refreshCards(): Promise<void> {
    const generation = this.#generation;
    const read = ++this.#cardReads;
    try {
      const cards = await readCards(
        this.options.gate,
        this.#groups.flatMap((group) => group.threads.flatMap((thread) => thread.draftActionId ?? [])),
      );
      if (generation !== this.#generation || read !== this.#cardReads) return;
      this.#cards = cards;
    } catch {
      // The next full refresh reads them again.
      return;
    }
    this.changed();
  }

  dispose(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.#channel?.close();
    this.#channel = undefined;
  }
}
