import type { IssuedToken, SlackBody } from "./slack-oauth-server";
import { CONVERSATION_SCOPES, FIXED_SCOPES } from "./slack-scopes";
import {
  compareTs,
  type ConversationKind,
  type FakeConversation,
  type FakeMessage,
  type FakeSlackWorkspace,
} from "./slack-workspace";

/** One Web API call the fake answers, after the request itself passed every check. */
export interface MethodCall {
  args: ReadonlyMap<string, string>;
  token: IssuedToken;
  workspace: FakeSlackWorkspace;
  violation: (text: string) => void;
  revoke: (accessToken: string) => void;
}

type Handler = (call: MethodCall) => SlackBody;

/** Slack's answer when a token lacks the scope a call needs. */
function missingScope(token: IssuedToken, needed: string): SlackBody {
  return { ok: false, error: "missing_scope", needed, provided: token.scopes.join(",") };
}

function fail(error: string): SlackBody {
  return { ok: false, error };
}

function has(token: IssuedToken, scope: string): boolean {
  return scope === "none" || token.scopes.includes(scope);
}

function conversationFor(call: MethodCall, method: string): FakeConversation | SlackBody {
  const id = call.args.get("channel");
  const conversation = id === undefined ? undefined : call.workspace.conversations.get(id);
  if (!conversation) return fail("channel_not_found");
  const scopeOf = CONVERSATION_SCOPES[method];
  const needed = scopeOf ? scopeOf(conversation.kind) : "none";
  if (!has(call.token, needed)) return missingScope(call.token, needed);
  // A private conversation the user is not in does not exist for them.
  if (!call.workspace.isMember(conversation, call.token.userId)) return fail("channel_not_found");
  return conversation;
}

function isConversation(value: FakeConversation | SlackBody): value is FakeConversation {
  return typeof (value as FakeConversation).kind === "string";
}

function messageJson(workspace: FakeSlackWorkspace, message: FakeMessage, channel: string): SlackBody {
  const body: SlackBody = {
    type: "message",
    user: message.user,
    text: message.text,
    ts: message.ts,
    team: workspace.team.id,
  };
  if (message.threadTs !== undefined) body.thread_ts = message.threadTs;
  if (message.threadTs === message.ts) {
    const replies = workspace.replies(channel, message.ts);
    body.reply_count = replies.length;
    body.reply_users_count = new Set(replies.map((reply) => reply.user)).size;
    const latest = replies.at(-1);
    if (latest) body.latest_reply = latest.ts;
    body.reply_users = [...new Set(replies.map((reply) => reply.user))];
    body.subscribed = false;
  } else if (message.threadTs !== undefined) {
    const parent = workspace.messages(channel).find((candidate) => candidate.ts === message.threadTs);
    if (parent) body.parent_user_id = parent.user;
  }
  return body;
}

function conversationJson(conversation: FakeConversation, userId: string): SlackBody {
  const isChannel = conversation.kind === "public_channel" || conversation.kind === "private_channel";
  return {
    id: conversation.id,
    name: conversation.name,
    created: conversation.created,
    creator: conversation.members[0] ?? userId,
    is_archived: conversation.archived,
    is_channel: conversation.kind === "public_channel",
    is_group: conversation.kind === "private_channel",
    is_im: conversation.kind === "im",
    is_mpim: conversation.kind === "mpim",
    is_private: conversation.kind !== "public_channel",
    is_general: conversation.name === "general",
    is_shared: false,
    is_org_shared: false,
    is_member: conversation.members.includes(userId),
    name_normalized: conversation.name,
    topic: { value: "", creator: "", last_set: 0 },
    purpose: { value: "", creator: "", last_set: 0 },
    ...(isChannel ? { num_members: conversation.members.length } : {}),
    ...(conversation.imUser !== undefined ? { user: conversation.imUser } : {}),
  };
}

/** Cursors are opaque to clients; the fake's hold the offset of the next page. */
function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString("base64");
}

function decodeCursor(cursor: string | undefined, violation: (text: string) => void): number {
  if (cursor === undefined || cursor === "") return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
  if (!match?.[1]) {
    violation(`a cursor the fake never gave out: ${cursor}`);
    return 0;
  }
  return Number(match[1]);
}

function limitOf(args: ReadonlyMap<string, string>, fallback: number, max: number): number {
  const raw = args.get("limit");
  const value = raw === undefined ? fallback : Number(raw);
  return value <= 0 ? fallback : Math.min(value, max);
}

function inRange(message: FakeMessage, args: ReadonlyMap<string, string>): boolean {
  const inclusive = args.get("inclusive") === "true" || args.get("inclusive") === "1";
  const oldest = args.get("oldest");
  const latest = args.get("latest");
  if (oldest !== undefined) {
    const order = compareTs(message.ts, oldest);
    if (order < 0 || (order === 0 && !inclusive)) return false;
  }
  if (latest !== undefined) {
    const order = compareTs(message.ts, latest);
    if (order > 0 || (order === 0 && !inclusive)) return false;
  }
  return true;
}

function page<T>(items: T[], call: MethodCall, fallback: number, max: number): { items: T[]; next: string } {
  const offset = decodeCursor(call.args.get("cursor"), call.violation);
  const limit = limitOf(call.args, fallback, max);
  const slice = items.slice(offset, offset + limit);
  return { items: slice, next: offset + limit < items.length ? encodeCursor(offset + limit) : "" };
}

const KIND_BY_TYPE: Readonly<Record<string, ConversationKind>> = {
  public_channel: "public_channel",
  private_channel: "private_channel",
  im: "im",
  mpim: "mpim",
};

/** Words and mentions of a search query, each of which a message must contain. */
function searchTerms(query: string): string[] {
  return query
    .split(/\s+/)
    .filter((term) => term !== "")
    .map((term) => term.toLowerCase());
}

const MAX_POST_LENGTH = 40_000;

export const METHOD_HANDLERS: Readonly<Record<string, Handler>> = {
  "auth.test": ({ token, workspace }) => {
    const user = workspace.users.get(token.userId);
    return {
      ok: true,
      url: `https://${workspace.team.domain}.slack.com/`,
      team: workspace.team.name,
      user: user?.name ?? token.userId,
      team_id: workspace.team.id,
      user_id: token.userId,
      is_enterprise_install: false,
    };
  },

  "auth.revoke": ({ args, token, revoke }) => {
    const testOnly = args.get("test") === "true" || args.get("test") === "1";
    if (!testOnly) revoke(token.accessToken);
    return { ok: true, revoked: !testOnly };
  },

  "conversations.list": (call) => {
    const types = (call.args.get("types") ?? "public_channel").split(",").map((type) => type.trim());
    const kinds: ConversationKind[] = [];
    for (const type of types) {
      const kind = KIND_BY_TYPE[type];
      if (!kind) return fail("invalid_types");
      kinds.push(kind);
    }
    const scopeOf = CONVERSATION_SCOPES["conversations.list"];
    for (const kind of kinds) {
      const needed = scopeOf ? scopeOf(kind) : "none";
      if (!has(call.token, needed)) return missingScope(call.token, needed);
    }
    const excludeArchived = call.args.get("exclude_archived") === "true" || call.args.get("exclude_archived") === "1";
    const visible = [...call.workspace.conversations.values()].filter(
      (conversation) =>
        kinds.includes(conversation.kind) &&
        call.workspace.isMember(conversation, call.token.userId) &&
        !(excludeArchived && conversation.archived),
    );
    const { items, next } = page(visible, call, 100, 1000);
    return {
      ok: true,
      channels: items.map((conversation) => conversationJson(conversation, call.token.userId)),
      response_metadata: { next_cursor: next },
    };
  },

  "conversations.info": (call) => {
    const conversation = conversationFor(call, "conversations.info");
    if (!isConversation(conversation)) return conversation;
    return { ok: true, channel: conversationJson(conversation, call.token.userId) };
  },

  "conversations.history": (call) => {
    const conversation = conversationFor(call, "conversations.history");
    if (!isConversation(conversation)) return conversation;
    const newestFirst = call.workspace
      .topLevel(conversation.id)
      .filter((message) => inRange(message, call.args))
      .reverse();
    const { items, next } = page(newestFirst, call, 100, 999);
    return {
      ok: true,
      messages: items.map((message) => messageJson(call.workspace, message, conversation.id)),
      has_more: next !== "",
      pin_count: 0,
      channel_actions_ts: null,
      channel_actions_count: 0,
      response_metadata: { next_cursor: next },
    };
  },

  "conversations.replies": (call) => {
    const conversation = conversationFor(call, "conversations.replies");
    if (!isConversation(conversation)) return conversation;
    const ts = call.args.get("ts");
    const parent = call.workspace.messages(conversation.id).find((message) => message.ts === ts);
    if (ts === undefined || !parent) return fail("thread_not_found");
    const thread = parent.threadTs === parent.ts ? call.workspace.replies(conversation.id, parent.ts) : [];
    const replies = thread.filter((message) => inRange(message, call.args));
    const { items, next } = page(replies, call, 100, 1000);
    return {
      ok: true,
      messages: [parent, ...items].map((message) => messageJson(call.workspace, message, conversation.id)),
      has_more: next !== "",
      response_metadata: { next_cursor: next },
    };
  },

  "users.info": ({ args, token, workspace }) => {
    if (!has(token, FIXED_SCOPES["users.info"] ?? "users:read")) return missingScope(token, "users:read");
    const id = args.get("user");
    const user = id === undefined ? undefined : workspace.users.get(id);
    if (!user) return fail("user_not_found");
    return {
      ok: true,
      user: {
        id: user.id,
        team_id: workspace.team.id,
        name: user.name,
        real_name: user.realName,
        deleted: false,
        is_bot: false,
        is_app_user: false,
        updated: 1_700_000_000,
        profile: { real_name: user.realName, display_name: user.name },
      },
    };
  },

  "search.messages": (call) => {
    const { args, token, workspace } = call;
    if (!has(token, "search:read")) return missingScope(token, "search:read");
    const query = args.get("query") ?? "";
    const terms = searchTerms(query);
    const ascending = args.get("sort_dir") === "asc";
    const byTime = args.get("sort") === "timestamp";
    const found = workspace
      .allMessages()
      .filter((message) => {
        const conversation = workspace.conversations.get(message.channel);
        return conversation !== undefined && workspace.isMember(conversation, token.userId);
      })
      .filter((message) => terms.length > 0 && terms.every((term) => message.text.toLowerCase().includes(term)));
    // Score order is the fake's choice; newest first stands in for it.
    found.sort((a, b) => (byTime && ascending ? compareTs(a.ts, b.ts) : compareTs(b.ts, a.ts)));
    const count = Math.min(Math.max(Number(args.get("count") ?? "20") || 20, 1), 100);
    const pageNumber = Math.max(Number(args.get("page") ?? "1") || 1, 1);
    const pages = Math.max(Math.ceil(found.length / count), 1);
    const matches = found.slice((pageNumber - 1) * count, pageNumber * count).map((message) => {
      const conversation = workspace.conversations.get(message.channel);
      const user = workspace.users.get(message.user);
      return {
        iid: `${message.channel}-${message.ts}`,
        team: workspace.team.id,
        type: "message",
        channel: {
          id: message.channel,
          name: conversation?.name ?? message.channel,
          is_channel: conversation?.kind === "public_channel",
          is_private: conversation?.kind !== "public_channel",
          is_im: conversation?.kind === "im",
          is_mpim: conversation?.kind === "mpim",
        },
        user: message.user,
        username: user?.name ?? message.user,
        ts: message.ts,
        text: message.text,
        permalink: workspace.permalink(message),
      };
    });
    return {
      ok: true,
      query,
      messages: {
        total: found.length,
        matches,
        paging: { count, total: found.length, page: pageNumber, pages },
        pagination: {
          total_count: found.length,
          page: pageNumber,
          per_page: count,
          page_count: pages,
          first: (pageNumber - 1) * count + 1,
          last: Math.min(pageNumber * count, found.length),
        },
      },
    };
  },

  "chat.postMessage": (call) => {
    const { args, token, workspace } = call;
    if (!has(token, "chat:write")) return missingScope(token, "chat:write");
    const target = args.get("channel") ?? "";
    const conversation =
      workspace.conversations.get(target) ??
      [...workspace.conversations.values()].find((candidate) => `#${candidate.name}` === target);
    if (!conversation) return fail("channel_not_found");
    if (!workspace.isMember(conversation, token.userId)) {
      return fail(conversation.kind === "public_channel" ? "not_in_channel" : "channel_not_found");
    }
    if (conversation.archived) return fail("is_archived");
    const text = args.get("text") ?? "";
    if (text.trim() === "" && !args.has("blocks") && !args.has("attachments")) return fail("no_text");
    if (text.length > MAX_POST_LENGTH) return fail("msg_too_long");
    const threadTs = args.get("thread_ts");
    if (threadTs !== undefined && !workspace.messages(conversation.id).some((message) => message.ts === threadTs)) {
      return fail("thread_not_found");
    }
    const message = workspace.addMessage({
      channel: conversation.id,
      user: token.userId,
      text,
      ...(threadTs !== undefined ? { threadTs } : {}),
    });
    const sent = Object.fromEntries([...args].filter(([name]) => name !== "token"));
    workspace.posted.push({
      channel: conversation.id,
      text,
      ...(threadTs !== undefined ? { threadTs } : {}),
      ts: message.ts,
      user: token.userId,
      arguments: sent,
    });
    return {
      ok: true,
      channel: conversation.id,
      ts: message.ts,
      message: messageJson(workspace, message, conversation.id),
    };
  },
};
