/** What the fake Slack workspace holds: people, conversations, messages, and what was posted. */

export type ConversationKind = "public_channel" | "private_channel" | "im" | "mpim";

export interface FakeUser {
  id: string;
  /** The handle, e.g. `bob`. */
  name: string;
  realName: string;
}

export interface FakeConversation {
  id: string;
  kind: ConversationKind;
  /** Channel name without `#`; for a DM, the other person's id (as Slack reports it). */
  name: string;
  members: string[];
  /** For a DM: the other person. */
  imUser?: string;
  archived: boolean;
  /** Seconds since the epoch. */
  created: number;
}

export interface FakeMessage {
  channel: string;
  /** Slack's id for a message: `seconds.micros`, unique per channel. */
  ts: string;
  user: string;
  text: string;
  /** The parent's ts for a reply; equal to `ts` on a parent that has replies. */
  threadTs?: string;
}

/** A message the app posted with chat.postMessage, exactly as it arrived. */
export interface PostedMessage {
  channel: string;
  text: string;
  threadTs?: string;
  ts: string;
  user: string;
  /** Every argument of the call but the token, as sent. */
  arguments: Record<string, string>;
}

export interface FakeTeam {
  id: string;
  name: string;
  domain: string;
}

/** Scheme and host of the workspace's web address, for permalinks. */
const WORKSPACE_HOST = "acme.slack.com";

function formatTs(micros: bigint): string {
  const seconds = micros / 1_000_000n;
  const rest = micros % 1_000_000n;
  return `${seconds.toString().padStart(10, "0")}.${rest.toString().padStart(6, "0")}`;
}

function tsMicros(ts: string): bigint {
  const [seconds = "0", fraction = "0"] = ts.split(".");
  return BigInt(seconds) * 1_000_000n + BigInt(fraction.padEnd(6, "0").slice(0, 6));
}

/** Compares two Slack timestamps exactly (they do not fit a double with all six decimals). */
export function compareTs(a: string, b: string): number {
  const difference = tsMicros(a) - tsMicros(b);
  return difference === 0n ? 0 : difference < 0n ? -1 : 1;
}

export class FakeSlackWorkspace {
  readonly team: FakeTeam = { id: "T0ACME001", name: "Acme", domain: "acme" };
  readonly users = new Map<string, FakeUser>();
  readonly conversations = new Map<string, FakeConversation>();
  readonly posted: PostedMessage[] = [];
  readonly #messages = new Map<string, FakeMessage[]>();
  readonly #now: () => number;
  #lastTs = 0n;

  constructor(now: () => number) {
    this.#now = now;
  }

  addUser(user: FakeUser): FakeUser {
    this.users.set(user.id, user);
    return user;
  }

  addConversation(
    conversation: Omit<FakeConversation, "archived" | "created"> & Partial<FakeConversation>,
  ): FakeConversation {
    const full: FakeConversation = {
      archived: false,
      created: Math.floor(this.#now() / 1000) - 86_400 * 30,
      ...conversation,
    };
    this.conversations.set(full.id, full);
    return full;
  }

  /** A fresh ts from the clock, strictly after every ts given so far. */
  nextTs(): string {
    const fromClock = BigInt(Math.floor(this.#now())) * 1000n;
    this.#lastTs = fromClock > this.#lastTs ? fromClock : this.#lastTs + 100n;
    return formatTs(this.#lastTs);
  }

  /** Adds a message (a reply when `threadTs` names a parent). Its ts comes from the clock unless given. */
  addMessage(message: Omit<FakeMessage, "ts"> & { ts?: string }): FakeMessage {
    if (!this.conversations.has(message.channel)) throw new Error(`No conversation ${message.channel} in the fake`);
    const ts = message.ts ?? this.nextTs();
    if (message.ts !== undefined && tsMicros(ts) > this.#lastTs) this.#lastTs = tsMicros(ts);
    const stored: FakeMessage = { ...message, ts };
    const list = this.#messages.get(message.channel) ?? [];
    list.push(stored);
    list.sort((a, b) => compareTs(a.ts, b.ts));
    this.#messages.set(message.channel, list);
    if (message.threadTs !== undefined) {
      const parent = list.find((candidate) => candidate.ts === message.threadTs);
      if (parent) parent.threadTs = parent.ts;
    }
    return stored;
  }

  /** A conversation's messages, oldest first. */
  messages(channel: string): FakeMessage[] {
    return [...(this.#messages.get(channel) ?? [])];
  }

  allMessages(): FakeMessage[] {
    return [...this.#messages.values()].flat();
  }

  /** Parents and messages outside threads, as conversations.history lists them. */
  topLevel(channel: string): FakeMessage[] {
    return this.messages(channel).filter(
      (message) => message.threadTs === undefined || message.threadTs === message.ts,
    );
  }

  replies(channel: string, threadTs: string): FakeMessage[] {
    return this.messages(channel).filter((message) => message.threadTs === threadTs && message.ts !== threadTs);
  }

  permalink(message: FakeMessage): string {
    const base = `https://${WORKSPACE_HOST}/archives/${message.channel}/p${message.ts.replace(".", "")}`;
    const isReply = message.threadTs !== undefined && message.threadTs !== message.ts;
    return isReply ? `${base}?thread_ts=${message.threadTs}&cid=${message.channel}` : base;
  }

  isMember(channel: FakeConversation, user: string): boolean {
    return channel.kind === "public_channel" || channel.members.includes(user);
  }
}

/** The people and conversations most tests start from; the authorising user is `U0ALICE01`. */
export function seedWorkspace(workspace: FakeSlackWorkspace): void {
  const people: FakeUser[] = [
    { id: "U0ALICE01", name: "alice", realName: "Alice Example" },
    { id: "U0BOB0001", name: "bob", realName: "Bob Builder" },
    { id: "U0CAROL01", name: "carol", realName: "Carol Chen" },
    { id: "U0MALLORY", name: "mallory", realName: "Mallory Guest" },
  ];
  for (const person of people) workspace.addUser(person);
  const everyone = people.map((person) => person.id);
  workspace.addConversation({ id: "C0GENERAL1", kind: "public_channel", name: "general", members: everyone });
  workspace.addConversation({ id: "C0RELEASE1", kind: "public_channel", name: "releases", members: everyone });
  workspace.addConversation({
    id: "C0RANDOM01",
    kind: "public_channel",
    name: "random",
    members: ["U0BOB0001", "U0CAROL01"],
  });
  workspace.addConversation({
    id: "G0LEADS001",
    kind: "private_channel",
    name: "leads",
    members: ["U0ALICE01", "U0CAROL01"],
  });
  workspace.addConversation({
    id: "D0BOBALICE",
    kind: "im",
    name: "U0BOB0001",
    imUser: "U0BOB0001",
    members: ["U0ALICE01", "U0BOB0001"],
  });
  workspace.addConversation({
    id: "C0MPIMTRIO",
    kind: "mpim",
    name: "mpdm-alice--bob--carol-1",
    members: ["U0ALICE01", "U0BOB0001", "U0CAROL01"],
  });
}
