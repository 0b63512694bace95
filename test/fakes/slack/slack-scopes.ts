import type { SpecOperation } from "./slack-spec";
import type { ConversationKind } from "./slack-workspace";

/**
 * Which scope a call needs, as Slack decides it: the conversation methods need the scope of the
 * kind of conversation they touch (a DM's history needs `im:history`, not `channels:history`).
 * Every scope named here is checked at start-up against the method's `security` list in the
 * description, so this table cannot ask for a scope Slack does not name for the method.
 */

const HISTORY: Record<ConversationKind, string> = {
  public_channel: "channels:history",
  private_channel: "groups:history",
  im: "im:history",
  mpim: "mpim:history",
};

const READ: Record<ConversationKind, string> = {
  public_channel: "channels:read",
  private_channel: "groups:read",
  im: "im:read",
  mpim: "mpim:read",
};

/** Granular scopes Slack's v2 user tokens hold, for the legacy names the description still lists. */
const GRANULAR: Readonly<Record<string, string>> = { "chat:write:user": "chat:write", "chat:write:bot": "chat:write" };

export function historyScope(kind: ConversationKind): string {
  return HISTORY[kind];
}

export function readScope(kind: ConversationKind): string {
  return READ[kind];
}

/** The scopes of the description's `security` entry, with legacy names turned into granular ones. */
export function documentedScopes(operation: SpecOperation): Set<string> {
  return new Set(operation.scopes.map((scope) => GRANULAR[scope] ?? scope));
}

/** Methods that need one fixed scope whatever they touch; `none` needs none. */
export const FIXED_SCOPES: Readonly<Record<string, string>> = {
  "auth.test": "none",
  "auth.revoke": "none",
  "oauth.v2.access": "none",
  "users.info": "users:read",
  "search.messages": "search:read",
  "chat.postMessage": "chat:write",
};

/** Methods whose scope depends on the conversation kind: history-like or read-like. */
export const CONVERSATION_SCOPES: Readonly<Record<string, (kind: ConversationKind) => string>> = {
  "conversations.history": historyScope,
  "conversations.replies": historyScope,
  "conversations.info": readScope,
  "conversations.list": readScope,
};

/** Problems with this table against the description: empty means every scope is one Slack names. */
export function scopeTableProblems(operationOf: (name: string) => SpecOperation | undefined): string[] {
  const problems: string[] = [];
  const kinds: ConversationKind[] = ["public_channel", "private_channel", "im", "mpim"];
  const check = (method: string, scope: string): void => {
    const operation = operationOf(method);
    if (!operation) problems.push(`${method} is not in the description`);
    else if (!documentedScopes(operation).has(scope)) problems.push(`${method} does not list ${scope}`);
  };
  for (const [method, scope] of Object.entries(FIXED_SCOPES)) check(method, scope);
  for (const [method, scopeOf] of Object.entries(CONVERSATION_SCOPES)) {
    for (const kind of kinds) check(method, scopeOf(kind));
  }
  return problems;
}
