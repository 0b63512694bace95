/**
 * Mail as Tabclaw keeps it (schema v5), whichever way it arrived: imported from an .mbox/.eml file
 * or read from Gmail. Everything in it except `triage` and `labels` was written by someone else.
 */

/** Where a mail came from. */
export type MailSource = "local" | "gmail";

/** The triage categories, in the order the inbox shows them. */
export const MAIL_CATEGORIES = ["urgent", "needs_reply", "fyi", "newsletter", "automated", "suspicious"] as const;
export type MailCategory = (typeof MAIL_CATEGORIES)[number];

export interface MailAddress {
  name?: string;
  address: string;
}

export interface MailAttachmentInfo {
  filename?: string;
  mimeType: string;
  /** Decoded size in bytes. Attachment bytes are not kept: only what the inbox shows about them. */
  size: number;
}

/** Headers the triage rules read, kept verbatim (decoded); absent when the mail had none. */
export interface MailRuleHeaders {
  listUnsubscribe?: string;
  listId?: string;
  precedence?: string;
  autoSubmitted?: string;
  /** Set by some bulk senders instead of Precedence. */
  xAutoResponseSuppress?: string;
  returnPath?: string;
}

/** Who decided a mail's category. */
export type TriageDecider = "rule" | "model" | "user";

export interface MailTriage {
  category: MailCategory;
  /** One line for the inbox list. A rule writes none; the model writes it from quarantined text. */
  summary?: string;
  /** For `needs_reply`: the model's draft; sent only after the user approves exactly this text. */
  draftReply?: string;
  decidedBy: TriageDecider;
  /** The rule that decided it (built-in rule id or the user's rule id), when `decidedBy` is `rule`. */
  ruleId?: string;
  /** The model that decided it, when `decidedBy` is `model`. */
  modelId?: string;
  at: number;
}

/** `new`: waiting for triage. `triaged`: has `triage`. */
export type MailStatus = "new" | "triaged";

export interface MailRecord {
  /** `local:<sha-256 of the raw message>` or `gmail:<message id>`: importing the same mail twice keeps one. */
  id: string;
  source: MailSource;
  /** The Gmail message id, or the import that brought a local mail in. */
  sourceId: string;
  threadId?: string;
  /** The Message-ID header, for replies. */
  messageId?: string;
  inReplyTo?: string;
  from?: MailAddress;
  to: MailAddress[];
  cc: MailAddress[];
  replyTo?: MailAddress[];
  subject: string;
  /** The Date header (or Gmail's internalDate), milliseconds since the epoch; import time when missing or unreadable. */
  receivedAt: number;
  ruleHeaders: MailRuleHeaders;
  /** Plain text (from text/plain, or text converted from HTML), capped at `MAIL_TEXT_LIMIT` characters. */
  text: string;
  /** The HTML part as sent (unsanitised; sanitised only when shown), capped at `MAIL_HTML_LIMIT`; absent for text-only mail or Gmail metadata. */
  html?: string;
  /** Gmail's snippet, or the first 200 characters of `text`. */
  snippet: string;
  attachments: MailAttachmentInfo[];
  /** Gmail label ids; for local mail, none. */
  labels: string[];
  /** Whether `text`/`html` hold the body (Gmail metadata reads fetch it only when the mail is opened). */
  bodyLoaded: boolean;
  /** What went wrong reading it: the mail is kept as far as it could be read. */
  problem?: string;
  status: MailStatus;
  triage?: MailTriage;
  /** When Tabclaw stored it. */
  storedAt: number;
}

export const MAIL_TEXT_LIMIT = 64 * 1024;
export const MAIL_HTML_LIMIT = 512 * 1024;

/** One message an import could not read completely. */
export interface MailImportProblem {
  /** 1-based position in its file. */
  index: number;
  file: string;
  /** The subject or Message-ID if they could be read. */
  label?: string;
  message: string;
  /** The stored mail, when it was kept as far as it could be read. */
  mailId?: string;
}

/** The report of one import, kept so the inbox can list problems after a reload. */
export interface MailImportRecord {
  id: string;
  startedAt: number;
  finishedAt?: number;
  files: string[];
  bytes: number;
  /** Messages found in the files. */
  messages: number;
  /** Stored new; already there (same content) is counted in `duplicates`. */
  stored: number;
  duplicates: number;
  problems: MailImportProblem[];
  /** `running` until it ends; `interrupted` when a tab closed mid-import (what was stored stays). */
  status: "running" | "done" | "failed" | "cancelled" | "interrupted";
  error?: { name: string; message: string };
}

/** A rule the user made (by hand or by re-categorising a mail). Matched before the built-in rules. */
export interface MailRule {
  id: string;
  /** Lower-case address (`ann@example.com`) or domain (`@example.com`). */
  from?: string;
  /** The List-Id header contains this (lower-case). */
  listId?: string;
  /** The subject contains this (lower-case). */
  subjectContains?: string;
  category: MailCategory;
  origin: "correction" | "user";
  createdAt: number;
  /** The mail whose correction made it. */
  fromMailId?: string;
}
