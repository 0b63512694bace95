import {
  addressesIn,
  hasAttachment,
  headerValue,
  messagePlainText,
  parseMessagePart,
  snippetOf,
  type MessagePartTree,
} from "./mime-message";

/**
 * The in-memory Gmail mailbox behind the fake: messages (raw RFC 822 bytes, labels, thread,
 * internal date, history id), system and user labels, drafts, sent mail and a history log whose
 * ids grow with gaps, as Gmail's do ("not contiguous with random gaps").
 */

export type LabelType = "system" | "user";

export interface MailboxLabel {
  id: string;
  name: string;
  type: LabelType;
  messageListVisibility?: "show" | "hide";
  labelListVisibility?: "labelShow" | "labelShowIfUnread" | "labelHide";
  color?: { backgroundColor?: string; textColor?: string };
}

export interface MailboxMessage {
  id: string;
  threadId: string;
  raw: Buffer;
  labelIds: Set<string>;
  /** Epoch ms. */
  internalDate: number;
  historyId: number;
  tree: MessagePartTree;
  snippet: string;
  text: string;
}

export interface MailboxDraft {
  id: string;
  messageId: string;
}

/** What left the mailbox through messages.send or drafts.send. */
export interface SentMail {
  messageId: string;
  /** The thread Gmail put the message in. */
  threadId: string;
  /** The threadId the client asked for, if any. */
  requestedThreadId?: string;
  viaDraftId?: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  inReplyTo?: string;
  references?: string;
  raw: Buffer;
}

export type HistoryType = "messageAdded" | "messageDeleted" | "labelAdded" | "labelRemoved";

export interface HistoryEntry {
  id: number;
  type: HistoryType;
  messageId: string;
  threadId: string;
  /** Labels the message had after the change (messageAdded) or the labels added/removed. */
  labelIds: string[];
}

export interface NewMessage {
  raw: Uint8Array | string;
  labelIds?: string[];
  threadId?: string;
  /** Epoch ms; default: the Date header, else now. */
  internalDate?: number;
}

export class MailboxError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = "MailboxError";
  }
}

const SYSTEM_LABELS: MailboxLabel[] = [
  { id: "CHAT", name: "CHAT", type: "system", messageListVisibility: "hide", labelListVisibility: "labelHide" },
  { id: "SENT", name: "SENT", type: "system" },
  { id: "INBOX", name: "INBOX", type: "system" },
  {
    id: "IMPORTANT",
    name: "IMPORTANT",
    type: "system",
    messageListVisibility: "hide",
    labelListVisibility: "labelHide",
  },
  { id: "TRASH", name: "TRASH", type: "system", messageListVisibility: "hide", labelListVisibility: "labelHide" },
  { id: "DRAFT", name: "DRAFT", type: "system" },
  { id: "SPAM", name: "SPAM", type: "system", messageListVisibility: "hide", labelListVisibility: "labelHide" },
  { id: "CATEGORY_FORUMS", name: "CATEGORY_FORUMS", type: "system" },
  { id: "CATEGORY_UPDATES", name: "CATEGORY_UPDATES", type: "system" },
  { id: "CATEGORY_PERSONAL", name: "CATEGORY_PERSONAL", type: "system" },
  { id: "CATEGORY_PROMOTIONS", name: "CATEGORY_PROMOTIONS", type: "system" },
  { id: "CATEGORY_SOCIAL", name: "CATEGORY_SOCIAL", type: "system" },
  { id: "STARRED", name: "STARRED", type: "system" },
  { id: "UNREAD", name: "UNREAD", type: "system" },
];

/** System labels a client may not add or remove with modify (Gmail refuses them). */
const UNMODIFIABLE_LABELS = new Set(["DRAFT", "SENT", "CHAT"]);

/** Gmail message and thread ids are hex; anything else (say an app's own "gmail:…" id) is refused with 400. */
export function checkGmailId(id: string, what: "id" | "threadId" = "id"): void {
  if (!/^[0-9a-f]{1,32}$/i.test(id)) throw new MailboxError(400, `Invalid ${what} value: ${JSON.stringify(id)}`);
}

/** Subject without reply/forward prefixes, for Gmail's "Subject headers must match" threading rule. */
function baseSubject(subject: string | undefined): string {
  return (subject ?? "")
    .replace(/^\s*((re|fwd?|aw|wg)\s*:\s*)+/i, "")
    .trim()
    .toLowerCase();
}

function messageIds(value: string | undefined): string[] {
  return [...(value ?? "").matchAll(/<[^>]+>/g)].map((match) => match[0]);
}

export class FakeMailbox {
  readonly emailAddress: string;
  readonly #messages = new Map<string, MailboxMessage>();
  readonly #labels = new Map<string, MailboxLabel>();
  readonly #drafts = new Map<string, MailboxDraft>();
  readonly #history: HistoryEntry[] = [];
  readonly sent: SentMail[] = [];
  #historyId = 4_100;
  /** History before this id is forgotten: history.list from an older id answers 404. */
  #oldestHistoryId = 4_100;
  #nextId = 0x18f3a2b4c5d60000n;
  #nextUserLabel = 1;
  #gapCycle = 0;
  readonly now: () => number;

  constructor(emailAddress: string, now: () => number = Date.now) {
    this.emailAddress = emailAddress;
    this.now = now;
    for (const label of SYSTEM_LABELS) this.#labels.set(label.id, { ...label });
  }

  get historyId(): number {
    return this.#historyId;
  }

  get oldestHistoryId(): number {
    return this.#oldestHistoryId;
  }

  /** Forgets all history so far, as Gmail does after about a week: older start ids then get 404. */
  forgetHistory(): void {
    this.#history.length = 0;
    this.#oldestHistoryId = this.#historyId;
  }

  #newId(): string {
    this.#nextId += 0x1f3n;
    return this.#nextId.toString(16);
  }

  #nextHistoryId(): number {
    // Gaps of 1..4 so a client that assumes consecutive ids is caught.
    this.#gapCycle = (this.#gapCycle + 1) % 4;
    this.#historyId += this.#gapCycle + 1;
    return this.#historyId;
  }

  #record(type: HistoryType, message: MailboxMessage, labelIds: string[]): void {
    const id = this.#nextHistoryId();
    message.historyId = id;
    this.#history.push({ id, type, messageId: message.id, threadId: message.threadId, labelIds });
  }

  messages(): MailboxMessage[] {
    return [...this.#messages.values()];
  }

  message(id: string): MailboxMessage | undefined {
    return this.#messages.get(id);
  }

  labels(): MailboxLabel[] {
    return [...this.#labels.values()];
  }

  label(id: string): MailboxLabel | undefined {
    return this.#labels.get(id);
  }

  labelByName(name: string): MailboxLabel | undefined {
    const lower = name.toLowerCase();
    return this.labels().find((label) => label.name.toLowerCase() === lower);
  }

  drafts(): MailboxDraft[] {
    return [...this.#drafts.values()];
  }

  draft(id: string): MailboxDraft | undefined {
    return this.#drafts.get(id);
  }

  history(): readonly HistoryEntry[] {
    return this.#history;
  }

  threadCount(): number {
    return new Set(this.messages().map((message) => message.threadId)).size;
  }

  /** Delivers a message into the mailbox (default labels INBOX and UNREAD); returns it. */
  addMessage(input: NewMessage): MailboxMessage {
    const raw = typeof input.raw === "string" ? Buffer.from(input.raw, "utf8") : Buffer.from(input.raw);
    const labelIds = input.labelIds ?? ["INBOX", "UNREAD"];
    for (const labelId of labelIds) {
      if (!this.#labels.has(labelId)) throw new MailboxError(400, `Invalid label: ${labelId}`);
    }
    const tree = parseMessagePart(raw);
    const dateHeader = headerValue(tree.headers, "date");
    const fromHeader = dateHeader === undefined ? NaN : Date.parse(dateHeader);
    const id = this.#newId();
    const message: MailboxMessage = {
      id,
      threadId: input.threadId ?? this.#threadFor(tree, undefined) ?? id,
      raw,
      labelIds: new Set(labelIds),
      internalDate: input.internalDate ?? (Number.isNaN(fromHeader) ? this.now() : fromHeader),
      historyId: 0,
      tree,
      snippet: snippetOf(tree),
      text: messagePlainText(tree),
    };
    this.#messages.set(id, message);
    this.#record("messageAdded", message, [...message.labelIds]);
    return message;
  }

  /**
   * The thread a new message joins: Gmail needs a reference to a message of the thread and a matching
   * subject; with `requested` the thread must also be that one.
   */
  #threadFor(tree: MessagePartTree, requested: string | undefined): string | undefined {
    const references = [
      ...messageIds(headerValue(tree.headers, "in-reply-to")),
      ...messageIds(headerValue(tree.headers, "references")),
    ];
    if (references.length === 0) return undefined;
    const subject = baseSubject(headerValue(tree.headers, "subject"));
    for (const candidate of this.#messages.values()) {
      if (requested !== undefined && candidate.threadId !== requested) continue;
      const candidateId = headerValue(candidate.tree.headers, "message-id")?.trim();
      if (candidateId === undefined || !references.includes(candidateId)) continue;
      if (baseSubject(headerValue(candidate.tree.headers, "subject")) === subject) return candidate.threadId;
    }
    return undefined;
  }

  #checkLabels(ids: readonly string[], verb: "add" | "remove"): void {
    for (const id of ids) {
      if (!this.#labels.has(id)) throw new MailboxError(400, `Invalid label: ${id}`);
      if (UNMODIFIABLE_LABELS.has(id))
        throw new MailboxError(400, `Invalid label: ${id} cannot be ${verb === "add" ? "added" : "removed"}`);
    }
  }

  modify(messageId: string, add: readonly string[], remove: readonly string[]): MailboxMessage {
    checkGmailId(messageId);
    const message = this.#messages.get(messageId);
    if (!message) throw new MailboxError(404, "Requested entity was not found.");
    this.#checkLabels(add, "add");
    this.#checkLabels(remove, "remove");
    const both = add.filter((id) => remove.includes(id));
    if (both.length > 0) throw new MailboxError(400, `Label ${both.join(", ")} is both added and removed`);
    const added = add.filter((id) => !message.labelIds.has(id));
    const removed = remove.filter((id) => message.labelIds.has(id));
    for (const id of added) message.labelIds.add(id);
    for (const id of removed) message.labelIds.delete(id);
    if (added.length > 0) this.#record("labelAdded", message, added);
    if (removed.length > 0) this.#record("labelRemoved", message, removed);
    return message;
  }

  /** Gmail's batchModify: every id must exist, at most 1000. */
  batchModify(ids: readonly string[], add: readonly string[], remove: readonly string[]): void {
    if (ids.length === 0) throw new MailboxError(400, "ids must not be empty");
    if (ids.length > 1000) throw new MailboxError(400, `At most 1000 ids per batchModify, got ${ids.length}`);
    this.#checkLabels(add, "add");
    this.#checkLabels(remove, "remove");
    for (const id of ids) {
      checkGmailId(id);
      if (!this.#messages.has(id)) throw new MailboxError(400, `Invalid id value: ${id}`);
    }
    for (const id of ids) this.modify(id, add, remove);
  }

  createLabel(input: Omit<MailboxLabel, "id" | "type">): MailboxLabel {
    const name = input.name.trim();
    if (name === "") throw new MailboxError(400, "Invalid label name");
    if (SYSTEM_LABELS.some((label) => label.name.toLowerCase() === name.toLowerCase())) {
      throw new MailboxError(400, `Invalid label name: ${name} is reserved`);
    }
    if (this.labelByName(name)) throw new MailboxError(409, "Label name exists or conflicts");
    const label: MailboxLabel = { ...input, name, id: `Label_${this.#nextUserLabel++}`, type: "user" };
    this.#labels.set(label.id, label);
    return label;
  }

  deleteLabel(id: string): void {
    const label = this.#labels.get(id);
    if (!label) throw new MailboxError(404, "Requested entity was not found.");
    if (label.type === "system") throw new MailboxError(400, `Invalid delete request: ${id} is a system label`);
    this.#labels.delete(id);
    for (const message of this.#messages.values()) {
      if (message.labelIds.delete(id)) this.#record("labelRemoved", message, [id]);
    }
  }

  #storeOutgoing(raw: Buffer, requestedThreadId: string | undefined, labelIds: string[]): MailboxMessage {
    const tree = parseMessagePart(raw);
    const id = this.#newId();
    const threadId = (requestedThreadId !== undefined ? this.#threadFor(tree, requestedThreadId) : undefined) ?? id;
    const message: MailboxMessage = {
      id,
      threadId,
      raw,
      labelIds: new Set(labelIds),
      internalDate: this.now(),
      historyId: 0,
      tree,
      snippet: snippetOf(tree),
      text: messagePlainText(tree),
    };
    this.#messages.set(id, message);
    this.#record("messageAdded", message, labelIds);
    return message;
  }

  createDraft(raw: Buffer, requestedThreadId: string | undefined): { draft: MailboxDraft; message: MailboxMessage } {
    if (requestedThreadId !== undefined) checkGmailId(requestedThreadId, "threadId");
    if (requestedThreadId !== undefined && !this.messages().some((m) => m.threadId === requestedThreadId)) {
      throw new MailboxError(404, "Requested entity was not found.");
    }
    const message = this.#storeOutgoing(raw, requestedThreadId, ["DRAFT"]);
    const draft: MailboxDraft = { id: `r${this.#newId()}`, messageId: message.id };
    this.#drafts.set(draft.id, draft);
    return { draft, message };
  }

  deleteDraft(id: string): void {
    const draft = this.#drafts.get(id);
    if (!draft) throw new MailboxError(404, "Requested entity was not found.");
    this.#drafts.delete(id);
    const message = this.#messages.get(draft.messageId);
    if (message) {
      this.#messages.delete(message.id);
      this.#record("messageDeleted", message, []);
    }
  }

  /** messages.send: needs at least one recipient; the message joins the thread only by Gmail's rules. */
  send(raw: Buffer, requestedThreadId: string | undefined, viaDraftId?: string): MailboxMessage {
    const tree = parseMessagePart(raw);
    const to = addressesIn(headerValue(tree.headers, "to"));
    const cc = addressesIn(headerValue(tree.headers, "cc"));
    const bcc = addressesIn(headerValue(tree.headers, "bcc"));
    if (to.length + cc.length + bcc.length === 0)
      throw new MailboxError(400, "Invalid To header: recipient address required");
    if (requestedThreadId !== undefined) checkGmailId(requestedThreadId, "threadId");
    if (requestedThreadId !== undefined && !this.messages().some((m) => m.threadId === requestedThreadId)) {
      throw new MailboxError(404, "Requested entity was not found.");
    }
    const message = this.#storeOutgoing(raw, requestedThreadId, ["SENT"]);
    const sent: SentMail = {
      messageId: message.id,
      threadId: message.threadId,
      from: headerValue(tree.headers, "from") ?? this.emailAddress,
      to,
      cc,
      bcc,
      subject: headerValue(tree.headers, "subject") ?? "",
      raw,
    };
    if (requestedThreadId !== undefined) sent.requestedThreadId = requestedThreadId;
    if (viaDraftId !== undefined) sent.viaDraftId = viaDraftId;
    const inReplyTo = headerValue(tree.headers, "in-reply-to");
    if (inReplyTo !== undefined) sent.inReplyTo = inReplyTo;
    const references = headerValue(tree.headers, "references");
    if (references !== undefined) sent.references = references;
    this.sent.push(sent);
    return message;
  }

  /** drafts.send: sends the draft's message (or a replacement) and removes the draft. */
  sendDraft(id: string, replacement?: { raw: Buffer; threadId?: string }): MailboxMessage {
    const draft = this.#drafts.get(id);
    if (!draft) throw new MailboxError(404, "Requested entity was not found.");
    const stored = this.#messages.get(draft.messageId);
    if (!stored) throw new MailboxError(404, "Requested entity was not found.");
    const raw = replacement?.raw ?? stored.raw;
    const threadId = replacement?.threadId ?? (stored.threadId === stored.id ? undefined : stored.threadId);
    const message = this.send(raw, threadId, id);
    this.#drafts.delete(id);
    this.#messages.delete(stored.id);
    this.#record("messageDeleted", stored, []);
    return message;
  }

  /** Fields the search predicate reads. */
  searchable(message: MailboxMessage): {
    labelIds: ReadonlySet<string>;
    labelNames: ReadonlyMap<string, string>;
    header: (name: string) => string | undefined;
    text: string;
    internalDate: number;
    hasAttachment: boolean;
  } {
    return {
      labelIds: message.labelIds,
      labelNames: new Map(this.labels().map((label) => [label.id, label.name.toLowerCase()])),
      header: (name) => headerValue(message.tree.headers, name),
      text: message.text,
      internalDate: message.internalDate,
      hasAttachment: hasAttachment(message.tree),
    };
  }
}
