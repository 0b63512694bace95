import { addressParser } from "postal-mime";
import type { MailRecord } from "../../store/mail-record";

/**
 * A plain-text reply as an RFC 5322 message, for Gmail's drafts.create and messages.send: threaded
 * (In-Reply-To, References), UTF-8 throughout (RFC 2047 encoded words in headers, base64 body), and
 * refusing anything that could smuggle an extra header or recipient.
 */

export class ReplyMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReplyMessageError";
  }
}

export interface ReplyInput {
  to: string;
  subject: string;
  body: string;
  /** The mail replied to: its Message-ID and In-Reply-To thread the reply. */
  original: Pick<MailRecord, "messageId" | "inReplyTo">;
  /** The sender's address, when known (Gmail fills in the account's address when absent). */
  from?: string;
  date?: Date;
}

const MAX_RECIPIENTS = 100;
/** A plain address: no spaces, quotes, angle brackets or commas. */
const ADDRESS = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\]+$/;
const MESSAGE_ID = /^<[^<>\s]+>$/;

function isAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

/** RFC 2047 B-encoded words, each at most 75 characters, never splitting a character. */
export function encodeWords(text: string): string {
  const words: string[] = [];
  let chunk = "";
  const encoder = new TextEncoder();
  const wordFor = (part: string): string => {
    let binary = "";
    for (const byte of encoder.encode(part)) binary += String.fromCharCode(byte);
    return `=?UTF-8?B?${btoa(binary)}?=`;
  };
  for (const character of text) {
    // 45 bytes of UTF-8 make 60 base64 characters: with "=?UTF-8?B?" and "?=" that is 72.
    if (encoder.encode(chunk + character).byteLength > 45) {
      words.push(wordFor(chunk));
      chunk = "";
    }
    chunk += character;
  }
  if (chunk !== "") words.push(wordFor(chunk));
  return words.join("\r\n ");
}

/** A header value as it may be written: ASCII as is (folded only by the caller), anything else encoded. */
function headerText(text: string): string {
  return isAscii(text) && text.length <= 900 ? text : encodeWords(text);
}

function oneLine(text: string, what: string): string {
  if (/[\r\n]/.test(text)) throw new ReplyMessageError(`The ${what} must be one line.`);
  return text.trim();
}

function displayName(name: string): string {
  if (!isAscii(name)) return encodeWords(name);
  // Atoms may stand bare; anything else is quoted, with quotes and backslashes escaped.
  return /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/.test(name) ? name : `"${name.replace(/(["\\])/g, "\\$1")}"`;
}

/** The To line as the user approved it, checked and written out address by address. */
export function formatRecipients(to: string): string {
  const line = oneLine(to, "recipient list");
  const parsed = addressParser(line).flatMap((entry) => ("group" in entry && entry.group ? entry.group : [entry]));
  const recipients = parsed.filter((entry) => "address" in entry && entry.address !== "");
  if (recipients.length === 0) throw new ReplyMessageError(`"${line}" holds no e-mail address to send to.`);
  if (recipients.length > MAX_RECIPIENTS)
    throw new ReplyMessageError(`A reply goes to at most ${MAX_RECIPIENTS} people.`);
  return recipients
    .map((entry) => {
      const address = "address" in entry ? entry.address : "";
      if (!ADDRESS.test(address)) throw new ReplyMessageError(`"${address}" is not an e-mail address.`);
      const name = entry.name.trim();
      return name === "" ? address : `${displayName(name)} <${address}>`;
    })
    .join(",\r\n ");
}

function base64Lines(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  const encoded = btoa(binary);
  const lines: string[] = [];
  for (let start = 0; start < encoded.length; start += 76) lines.push(encoded.slice(start, start + 76));
  return lines.join("\r\n");
}

/** The references that thread a reply: the original's parent (when known) and the original itself. */
function referencesOf(original: ReplyInput["original"]): string[] {
  const ids = [original.inReplyTo, original.messageId]
    .map((id) => id?.trim())
    .filter((id): id is string => id !== undefined && MESSAGE_ID.test(id));
  return [...new Set(ids)];
}

/** The reply as RFC 5322 text with CRLF line ends. */
export function buildReplyMessage(input: ReplyInput): string {
  const subject = oneLine(input.subject, "subject");
  const headers: string[] = [];
  if (input.from !== undefined) {
    if (!ADDRESS.test(input.from)) throw new ReplyMessageError(`"${input.from}" is not an e-mail address.`);
    headers.push(`From: ${input.from}`);
  }
  headers.push(`To: ${formatRecipients(input.to)}`);
  headers.push(`Subject: ${headerText(subject)}`);
  headers.push(`Date: ${(input.date ?? new Date()).toUTCString().replace("GMT", "+0000")}`);
  const original = input.original.messageId?.trim();
  if (original !== undefined && MESSAGE_ID.test(original)) {
    headers.push(`In-Reply-To: ${original}`);
    headers.push(`References: ${referencesOf(input.original).join(" ")}`);
  }
  headers.push("MIME-Version: 1.0", "Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: base64");
  const body = input.body.replace(/\r\n|\r|\n/g, "\r\n");
  return `${headers.join("\r\n")}\r\n\r\n${base64Lines(body)}\r\n`;
}

/** Base64url of the message's bytes, as Gmail's `raw` fields take it. */
export function toBase64Url(message: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(message)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
