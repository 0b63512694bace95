import type { SlackConversationKind } from "./slack-message";

/** What Slack says about a conversation, as much as naming it needs. */
export interface ConversationFacts {
  kind: SlackConversationKind;
  /** The channel name (no `#`); for a group DM Slack's `mpdm-a--b--c-1`. */
  name: string;
  /** For a DM: the other person's display name. */
  otherPerson?: string;
}

/**
 * How Tabclaw names a conversation on the digest and on an approval card: `#general`,
 * `#leads (private)`, `DM with Bob Builder`, `group DM with alice, bob, carol`. The connector
 * computes the same name again before posting and refuses a post whose card named another.
 */
export function conversationDisplayName(facts: ConversationFacts): string {
  switch (facts.kind) {
    case "public_channel":
      return `#${facts.name}`;
    case "private_channel":
      return `#${facts.name} (private)`;
    case "im":
      return `DM with ${facts.otherPerson ?? "someone"}`;
    case "mpim": {
      const people = facts.name
        .replace(/^mpdm-/, "")
        .replace(/-\d+$/, "")
        .split("--")
        .filter((handle) => handle !== "");
      return `group DM with ${people.join(", ")}`;
    }
  }
}

/** The kind Slack's conversation flags describe. */
export function conversationKindOf(flags: {
  is_im?: unknown;
  is_mpim?: unknown;
  is_private?: unknown;
  is_group?: unknown;
}): SlackConversationKind {
  if (flags.is_im === true) return "im";
  if (flags.is_mpim === true) return "mpim";
  if (flags.is_private === true || flags.is_group === true) return "private_channel";
  return "public_channel";
}
