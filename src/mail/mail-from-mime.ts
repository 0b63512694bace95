import PostalMime, { decodeWords, type Address, type Email, type Header } from "postal-mime";
import {
  MAIL_HTML_LIMIT,
  MAIL_TEXT_LIMIT,
  type MailAddress,
  type MailAttachmentInfo,
  type MailRecord,
  type MailRuleHeaders,
  type MailSource,
} from "../store/mail-record";
import { htmlToText } from "./html-to-text";

/** Where a raw message came from, and what its source already knows about it. */
export interface MailOrigin {
  source: MailSource;
  /** The Gmail message id, or the import that brought a local mail in. */
  sourceId: string;
  /** The record id; without it, `local:<sha-256 hex of the raw message>`. */
  id?: string;
  threadId?: string;
  labels?: string[];
  /** Used when the Date header is missing or unreadable (the mbox `From ` line, Gmail's internalDate). */
  receivedAt?: number;
}

/** A mail as far as it could be read, and what went wrong reading it. */
export interface ParsedMail {
  mail: MailRecord;
  problem?: string;
}

const SNIPPET_LENGTH = 200;

/** Headers that make a block of text a mail; a message with none of them is reported as no mail. */
const MAIL_HEADER_KEYS = new Set([
  "from",
  "sender",
  "to",
  "cc",
  "subject",
  "date",
  "message-id",
  "content-type",
  "mime-version",
  "received",
  "return-path",
  "delivered-to",
]);

/**
 * Reads one raw RFC 5322 message into a MailRecord with postal-mime. It never throws: a
 * malformed message comes back with what could be read and a `problem` in words a user can act on.
 */
export async function mailFromMime(raw: Uint8Array, origin: MailOrigin, now: number): Promise<ParsedMail> {
  const id = origin.id ?? `local:${await sha256Hex(raw)}`;
  const problems: string[] = [];
  const email = await parseLeniently(raw, problems);

  const hasHeaders = email.headers.some((header) => MAIL_HEADER_KEYS.has(header.key));
  let text: string;
  let receivedAt: number;
  const from = firstMailbox(email.from) ?? firstMailbox(email.sender);
  if (!hasHeaders) {
    // Not recognisably a mail: keep its bytes as text so the user can see what it was.
    problems.push(
      "No mail headers were found: the file may not hold an email, or the message is damaged. Its text is kept as it is.",
    );
    text = capText(new TextDecoder().decode(raw.subarray(0, MAIL_TEXT_LIMIT * 4)), MAIL_TEXT_LIMIT);
    receivedAt = origin.receivedAt ?? now;
  } else {
    const structure = multipartProblem(raw, headerValue(email.headers, "content-type"));
    if (structure) problems.push(structure.message);
    if (!from) problems.push("It names no sender (no From header).");
    receivedAt = dateOf(email.date, origin.receivedAt, now, problems);
    text = await bodyText(email, problems);
    if (text === "" && structure?.unseparated) {
      // The parts could not be told apart: the body as written is better than nothing.
      const body = raw.subarray(headerBlockEnd(raw), headerBlockEnd(raw) + MAIL_TEXT_LIMIT * 4);
      text = capText(new TextDecoder().decode(body), MAIL_TEXT_LIMIT);
    }
  }
  const html = email.html === undefined ? undefined : capText(email.html, MAIL_HTML_LIMIT);

  const mail: MailRecord = {
    id,
    source: origin.source,
    sourceId: origin.sourceId,
    ...(origin.threadId === undefined ? {} : { threadId: origin.threadId }),
    ...optional("messageId", email.messageId?.trim()),
    ...optional("inReplyTo", email.inReplyTo?.trim()),
    ...(from ? { from } : {}),
    to: mailboxes(email.to),
    cc: mailboxes(email.cc),
    ...(email.replyTo ? { replyTo: mailboxes(email.replyTo) } : {}),
    subject: (email.subject ?? "").trim(),
    receivedAt,
    ruleHeaders: ruleHeadersOf(email.headers),
    text,
    ...(html === undefined ? {} : { html }),
    snippet: snippetOf(text),
    attachments: email.attachments.map(attachmentInfo),
    labels: origin.labels ?? [],
    bodyLoaded: true,
    status: "new",
    storedAt: now,
  };
  if (problems.length === 0) return { mail };
  const problem = problems.join(" ");
  return { mail: { ...mail, problem }, problem };
}

/** Parses the whole message; when postal-mime refuses it, parses the header block alone. */
async function parseLeniently(raw: Uint8Array, problems: string[]): Promise<Email> {
  try {
    // A view over a whole buffer goes in as the buffer itself: postal-mime copies views, and a mail can be large.
    const { buffer } = raw;
    const input =
      buffer instanceof ArrayBuffer && raw.byteOffset === 0 && raw.byteLength === buffer.byteLength ? buffer : raw;
    const email = await PostalMime.parse(input, { attachmentEncoding: "arraybuffer" });
    return hasUndecodedHeaders(email) ? await withHeadersInCharset(raw, email) : email;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    problems.push(`Its body could not be read (${reason}); only its headers are kept.`);
  }
  try {
    // At most the first 256 KB of headers: enough for the ones a user sees, under postal-mime's header limit.
    const headers = raw.subarray(0, Math.min(headerBlockEnd(raw), 256 * 1024));
    return await PostalMime.parse(headers, { attachmentEncoding: "arraybuffer" });
  } catch {
    return { headers: [], headerLines: [], attachments: [] };
  }
}

/** Whether a header the user sees holds bytes that were not UTF-8 (raw 8-bit headers, against the RFC but common). */
function hasUndecodedHeaders(email: Email): boolean {
  const seen = [
    email.subject,
    ...[email.from, email.sender, ...(email.to ?? []), ...(email.cc ?? [])].map((a) => a?.name),
  ];
  return seen.some((value) => value?.includes("\uFFFD"));
}

/**
 * Reads the header block again in the charset the message declares for its body (windows-1252,
 * which covers Latin-1, when it declares none or UTF-8): raw 8-bit headers are nearly always
 * written in the sender's own charset. postal-mime parses the re-encoded block, so addresses and
 * encoded words are read as usual.
 */
async function withHeadersInCharset(raw: Uint8Array, email: Email): Promise<Email> {
  const declared = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(headerValue(email.headers, "content-type") ?? "")?.[1];
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(declared && !/^(utf-?8|us-ascii)$/i.test(declared) ? declared : "windows-1252");
  } catch {
    decoder = new TextDecoder("windows-1252");
  }
  const block = new TextEncoder().encode(decoder.decode(raw.subarray(0, headerBlockEnd(raw))));
  const headers = await PostalMime.parse(block);
  return {
    ...email,
    subject: headers.subject,
    from: headers.from,
    sender: headers.sender,
    to: headers.to,
    cc: headers.cc,
    replyTo: headers.replyTo,
  };
}

/** Where the header block ends (the first empty line), or a bounded prefix when there is none. */
function headerBlockEnd(raw: Uint8Array): number {
  for (let index = raw.indexOf(0x0a); index >= 0; index = raw.indexOf(0x0a, index + 1)) {
    const next = raw[index + 1];
    if (next === 0x0a) return index + 2;
    if (next === 0x0d && raw[index + 2] === 0x0a) return index + 3;
  }
  return Math.min(raw.length, 64 * 1024);
}

function headerValue(headers: readonly Header[], key: string): string | undefined {
  return headers.find((header) => header.key === key)?.value;
}

function ruleHeadersOf(headers: readonly Header[]): MailRuleHeaders {
  const read = (key: string): string | undefined => {
    const value = headerValue(headers, key);
    return value === undefined ? undefined : decodeWords(value).trim();
  };
  return {
    ...optional("listUnsubscribe", read("list-unsubscribe")),
    ...optional("listId", read("list-id")),
    ...optional("precedence", read("precedence")),
    ...optional("autoSubmitted", read("auto-submitted")),
    ...optional("xAutoResponseSuppress", read("x-auto-response-suppress")),
    ...optional("returnPath", read("return-path")),
  };
}

function dateOf(header: string | undefined, fallback: number | undefined, now: number, problems: string[]): number {
  if (header !== undefined) {
    const parsed = Date.parse(header);
    if (Number.isFinite(parsed)) return parsed;
  }
  if (fallback !== undefined && Number.isFinite(fallback)) {
    if (header !== undefined)
      problems.push(`Its Date header ("${clip(header, 60)}") is not a date; it is dated by its delivery line.`);
    return fallback;
  }
  problems.push(
    header === undefined
      ? "It has no Date header; it is dated by the time of the import."
      : `Its Date header ("${clip(header, 60)}") is not a date; it is dated by the time of the import.`,
  );
  return now;
}

async function bodyText(email: Email, problems: string[]): Promise<string> {
  if (email.text !== undefined) return capText(email.text, MAIL_TEXT_LIMIT);
  if (email.html === undefined) return "";
  try {
    // Convert at most what is kept of the HTML; the text cap applies to the result.
    return capText(await htmlToText(capText(email.html, MAIL_HTML_LIMIT)), MAIL_TEXT_LIMIT);
  } catch {
    problems.push("Its HTML body could not be turned into text; open the mail to read it.");
    return "";
  }
}

function attachmentInfo(attachment: Email["attachments"][number]): MailAttachmentInfo {
  const { content } = attachment;
  const size = typeof content === "string" ? new TextEncoder().encode(content).length : content.byteLength;
  return {
    ...optional("filename", attachment.filename ?? undefined),
    mimeType: attachment.mimeType,
    size,
  };
}

function firstMailbox(address: Address | undefined): MailAddress | undefined {
  if (!address) return undefined;
  return mailboxes([address])[0];
}

function mailboxes(addresses: readonly Address[] | undefined): MailAddress[] {
  const result: MailAddress[] = [];
  for (const address of addresses ?? []) {
    const members = address.group ?? [address];
    for (const member of members) {
      const mailAddress = (member.address ?? "").trim();
      const name = member.name.trim();
      if (!mailAddress && !name) continue;
      result.push(name ? { name, address: mailAddress } : { address: mailAddress });
    }
  }
  return result;
}

function snippetOf(text: string): string {
  return clip(text.replace(/\s+/g, " ").trim(), SNIPPET_LENGTH);
}

/** Cuts to `limit` UTF-16 units without splitting a surrogate pair. */
function capText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const cut = text.charCodeAt(limit - 1) >= 0xd800 && text.charCodeAt(limit - 1) <= 0xdbff ? limit - 1 : limit;
  return text.slice(0, cut);
}

function clip(text: string, limit: number): string {
  return capText(text, limit);
}

function optional<K extends string, V>(key: K, value: V | undefined | ""): Partial<Record<K, V>> {
  return value === undefined || value === "" ? {} : ({ [key]: value } as Record<K, V>);
}

async function sha256Hex(raw: Uint8Array): Promise<string> {
  // `digest` takes an ArrayBuffer-backed view; a copy is made only for a shared buffer.
  const bytes = raw.buffer instanceof ArrayBuffer ? (raw as Uint8Array<ArrayBuffer>) : new Uint8Array(raw);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * postal-mime reads a multipart with a missing or broken boundary without complaint (as one text
 * part, or up to where it stops). The user should hear that the mail's parts may be incomplete.
 */
function multipartProblem(
  raw: Uint8Array,
  contentType: string | undefined,
): { message: string; unseparated: boolean } | undefined {
  if (!contentType || !/^\s*multipart\//i.test(contentType)) return undefined;
  const boundary = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
  const value = boundary?.[1] ?? boundary?.[2];
  if (!value) {
    return {
      message: "Its parts could not be separated: its Content-Type says multipart but names no boundary.",
      unseparated: true,
    };
  }
  const delimiter = new TextEncoder().encode(`--${value}`);
  const first = indexOfLine(raw, delimiter, 0);
  if (first < 0) {
    return {
      message: "Its parts could not be separated: the boundary its Content-Type names never appears.",
      unseparated: true,
    };
  }
  const closing = new TextEncoder().encode(`--${value}--`);
  if (indexOfLine(raw, closing, first) < 0) {
    return {
      message: "It ends before its closing boundary: the message looks cut off, and its last part may be incomplete.",
      unseparated: false,
    };
  }
  return undefined;
}

/** The offset of `needle` at the start of a line, at or after `from`; -1 when absent. */
function indexOfLine(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  if (first === undefined) return -1;
  for (let index = haystack.indexOf(first, from); index >= 0; index = haystack.indexOf(first, index + 1)) {
    if (index > 0 && haystack[index - 1] !== 0x0a) continue;
    let matches = index + needle.length <= haystack.length;
    for (let offset = 1; matches && offset < needle.length; offset += 1) {
      matches = haystack[index + offset] === needle[offset];
    }
    if (matches) return index;
  }
  return -1;
}
