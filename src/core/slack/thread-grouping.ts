import {
  compareSlackTs,
  slackSource,
  type SlackConversationKind,
  type SlackMessage,
  type SlackReason,
} from "./slack-message";

/** One conversation thread of the digest: what was said, and where a reply would go. */
export interface SlackThread {
  /** `<channel>/<thread ts>`: stable across runs. */
  key: string;
  channelId: string;
  channelName: string;
  kind: SlackConversationKind;
  /** The thread's parent ts, or the lone message's own ts. */
  rootTs: string;
  /**
   * Where a reply is posted: in channels always inside the thread (the root's ts, which starts a
   * thread under a lone message); in a direct message, inside the thread if there is one, else
   * straight into the conversation (undefined).
   */
  replyThreadTs: string | undefined;
  /** Oldest first, each message once. */
  messages: SlackMessage[];
  reasons: SlackReason[];
  /** ts of the newest message. */
  latestTs: string;
  /** The provenance source naming this thread: `slack:<channel>/<root ts>`. */
  source: string;
}

const REASON_ORDER: readonly SlackReason[] = ["direct", "mention", "channel", "context"];

function isDirect(kind: SlackConversationKind): boolean {
  return kind === "im" || kind === "mpim";
}

/** Direct messages first, then threads that mention you, then the rest; newest activity first within each. */
function priority(thread: SlackThread): number {
  if (thread.reasons.includes("direct")) return 0;
  if (thread.reasons.includes("mention")) return 1;
  return 2;
}

/**
 * Groups messages into threads: replies join their parent, a message outside any thread stands
 * alone, and the same message reached twice (a mention in a chosen channel) counts once, with
 * both reasons. Pure: the same messages always give the same threads in the same order.
 */
export function groupByThread(messages: readonly SlackMessage[]): SlackThread[] {
  const threads = new Map<string, SlackThread>();
  for (const message of messages) {
    const rootTs = message.threadTs ?? message.ts;
    const key = `${message.channelId}/${rootTs}`;
    let thread = threads.get(key);
    if (!thread) {
      const inThread = message.threadTs !== undefined;
      thread = {
        key,
        channelId: message.channelId,
        channelName: message.channelName,
        kind: message.kind,
        rootTs,
        replyThreadTs: isDirect(message.kind) && !inThread ? undefined : rootTs,
        messages: [],
        reasons: [],
        latestTs: message.ts,
        source: slackSource(message.channelId, rootTs),
      };
      threads.set(key, thread);
    }
    const existing = thread.messages.find((candidate) => candidate.ts === message.ts);
    if (existing) {
      existing.reasons = REASON_ORDER.filter(
        (reason) => existing.reasons.includes(reason) || message.reasons.includes(reason),
      );
    } else {
      thread.messages.push({ ...message, reasons: [...message.reasons] });
    }
    thread.reasons = REASON_ORDER.filter(
      (reason) => thread.reasons.includes(reason) || message.reasons.includes(reason),
    );
    if (compareSlackTs(message.ts, thread.latestTs) > 0) thread.latestTs = message.ts;
    // A DM message that turns out to have replies is a thread: a reply goes into it.
    if (message.threadTs !== undefined) thread.replyThreadTs = rootTs;
    // A direct conversation is direct whatever brought the message in.
    if (isDirect(message.kind) && !thread.reasons.includes("direct")) {
      thread.reasons = REASON_ORDER.filter((reason) => reason === "direct" || thread.reasons.includes(reason));
    }
  }
  for (const thread of threads.values()) thread.messages.sort((a, b) => compareSlackTs(a.ts, b.ts));
  return [...threads.values()].sort(
    (a, b) => priority(a) - priority(b) || compareSlackTs(b.latestTs, a.latestTs) || a.key.localeCompare(b.key),
  );
}
