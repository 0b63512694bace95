import { createHash } from "node:crypto";

/**
 * Builds RFC 5322 messages for tests and benches, by hand and to the letter: CRLF line ends,
 * non-ASCII header text as RFC 2047 encoded words (UTF-8, base64, each word at most 75 characters),
 * bodies in quoted-printable when they hold non-ASCII or long lines, multipart/alternative for
 * text plus HTML, multipart/mixed around attachments.
 */

export type MailAddress = string | { name?: string; address: string };

export interface RawMailAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array | string;
}

export interface RawMailInput {
  from: MailAddress;
  to: MailAddress | MailAddress[];
  cc?: MailAddress | MailAddress[];
  subject: string;
  text?: string;
  html?: string;
  /** Extra headers, written as given (values encoded when not ASCII). */
  headers?: Record<string, string>;
  /** Default 2024-05-06T09:30:00Z, so generated mail is reproducible. */
  date?: Date;
  /** Default: derived from the content, `<hash@example.test>`. */
  messageId?: string;
  inReplyTo?: string;
  references?: string;
  attachments?: RawMailAttachment[];
}

const CRLF = "\r\n";
// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** RFC 5322 date-time in UTC, e.g. `Mon, 06 May 2024 09:30:00 +0000`. */
export function rfc5322Date(date: Date): string {
  const pad = (value: number): string => String(value).padStart(2, "0");
  return `${DAYS[date.getUTCDay()] ?? "Mon"}, ${pad(date.getUTCDate())} ${MONTHS[date.getUTCMonth()] ?? "Jan"} ${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** Encoded words for `text` (UTF-8, "B"), split on character boundaries so each word is at most 75 characters. */
export function encodeWords(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  const words: string[] = [];
  let chunk = "";
  const prefix = "=?UTF-8?B?";
  const limit = 75 - prefix.length - 2;
  for (const char of text) {
    const candidate = chunk + char;
    if (Math.ceil(Buffer.byteLength(candidate) / 3) * 4 > limit) {
      words.push(`${prefix}${Buffer.from(chunk).toString("base64")}?=`);
      chunk = char;
    } else {
      chunk = candidate;
    }
  }
  if (chunk !== "") words.push(`${prefix}${Buffer.from(chunk).toString("base64")}?=`);
  return words.join(`${CRLF} `);
}

function formatAddress(address: MailAddress): string {
  if (typeof address === "string") return address;
  if (address.name === undefined || address.name === "") return address.address;
  const name = NON_ASCII.test(address.name)
    ? encodeWords(address.name)
    : /[()<>@,;:\\".[\]]/.test(address.name)
      ? `"${address.name.replace(/(["\\])/g, "\\$1")}"`
      : address.name;
  return `${name} <${address.address}>`;
}

function formatAddresses(value: MailAddress | MailAddress[]): string {
  return (Array.isArray(value) ? value : [value]).map(formatAddress).join(`,${CRLF} `);
}

/** Quoted-printable (RFC 2045 §6.7) of UTF-8 text with CRLF line ends and soft breaks before 76 characters. */
export function encodeQuotedPrintable(text: string): string {
  const lines = text.replace(/\r?\n/g, "\n").split("\n");
  return lines
    .map((line) => {
      const bytes = Buffer.from(line, "utf8");
      const encoded: string[] = [];
      bytes.forEach((byte, index) => {
        const last = index === bytes.length - 1;
        const plain = (byte >= 33 && byte <= 126 && byte !== 61) || ((byte === 32 || byte === 9) && !last);
        encoded.push(plain ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, "0")}`);
      });
      const out: string[] = [];
      let current = "";
      for (const token of encoded) {
        if (current.length + token.length > 75) {
          out.push(`${current}=`);
          current = "";
        }
        current += token;
      }
      out.push(current);
      return out.join(CRLF);
    })
    .join(CRLF);
}

function base64Lines(bytes: Buffer): string {
  return (bytes.toString("base64").match(/.{1,76}/g) ?? []).join(CRLF);
}

function textPart(contentType: "text/plain" | "text/html", text: string): string {
  const needsEncoding = NON_ASCII.test(text) || text.split(/\r?\n/).some((line) => line.length > 76);
  const body = needsEncoding ? encodeQuotedPrintable(text) : text.replace(/\r?\n/g, CRLF);
  return [
    `Content-Type: ${contentType}; charset="UTF-8"`,
    `Content-Transfer-Encoding: ${needsEncoding ? "quoted-printable" : "7bit"}`,
    "",
    body,
  ].join(CRLF);
}

function multipart(subtype: "alternative" | "mixed", boundary: string, parts: string[]): string {
  return [
    `Content-Type: multipart/${subtype}; boundary="${boundary}"`,
    "",
    ...parts.map((part) => `--${boundary}${CRLF}${part}`),
    `--${boundary}--`,
    "",
  ].join(CRLF);
}

function attachmentPart(attachment: RawMailAttachment): string {
  const content =
    typeof attachment.content === "string" ? Buffer.from(attachment.content) : Buffer.from(attachment.content);
  const filename = NON_ASCII.test(attachment.filename) ? encodeWords(attachment.filename) : attachment.filename;
  return [
    `Content-Type: ${attachment.contentType}; name="${filename}"`,
    `Content-Disposition: attachment; filename="${filename}"`,
    "Content-Transfer-Encoding: base64",
    "",
    base64Lines(content),
  ].join(CRLF);
}

/** An RFC 5322 message as bytes. */
export function buildRawMail(input: RawMailInput): Buffer {
  const date = input.date ?? new Date(Date.UTC(2024, 4, 6, 9, 30, 0));
  const digest = createHash("sha256")
    .update(JSON.stringify({ ...input, date: date.toISOString(), attachments: undefined }))
    .digest("hex");
  const boundaryBase = `=_tabclaw_${digest.slice(0, 16)}`;

  let body: string;
  const text = input.text ?? (input.html === undefined ? "" : undefined);
  const alternatives = [
    ...(text === undefined ? [] : [textPart("text/plain", text)]),
    ...(input.html === undefined ? [] : [textPart("text/html", input.html)]),
  ];
  const content =
    alternatives.length > 1 ? multipart("alternative", `${boundaryBase}_alt`, alternatives) : (alternatives[0] ?? "");
  if (input.attachments !== undefined && input.attachments.length > 0) {
    body = multipart("mixed", `${boundaryBase}_mix`, [content, ...input.attachments.map(attachmentPart)]);
  } else {
    body = content;
  }

  const headers: string[] = [
    `From: ${formatAddress(input.from)}`,
    `To: ${formatAddresses(input.to)}`,
    ...(input.cc === undefined ? [] : [`Cc: ${formatAddresses(input.cc)}`]),
    `Subject: ${encodeWords(input.subject)}`,
    `Date: ${rfc5322Date(date)}`,
    `Message-ID: ${input.messageId ?? `<${digest.slice(0, 24)}@example.test>`}`,
    ...(input.inReplyTo === undefined ? [] : [`In-Reply-To: ${input.inReplyTo}`]),
    ...(input.references === undefined ? [] : [`References: ${input.references}`]),
    "MIME-Version: 1.0",
    ...Object.entries(input.headers ?? {}).map(([name, value]) => `${name}: ${encodeWords(value)}`),
  ];
  // The body's own Content-Type/Transfer-Encoding lines start it; they belong to the top-level header block.
  return Buffer.from(`${headers.join(CRLF)}${CRLF}${body}`, "utf8");
}
