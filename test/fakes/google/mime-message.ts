import { boundaryOf, parseHeaderBlock, splitHeadersAndBody } from "./multipart";

/**
 * Reads an RFC 822 message the way the fake Gmail needs to: the header list (RFC 2047 words decoded,
 * as Gmail shows them), the MIME part tree with transfer-decoded bodies, and the text a snippet is
 * cut from. It is the fake's own reader, lenient like Gmail: a malformed part becomes a leaf.
 */

export interface MessageHeader {
  name: string;
  value: string;
}

export interface MessagePartTree {
  mimeType: string;
  filename: string;
  headers: MessageHeader[];
  /** Transfer-decoded bytes; empty for multipart containers. */
  body: Buffer;
  parts: MessagePartTree[];
}

const MAX_DEPTH = 20;

/** Header lines in order, unfolded, with encoded words decoded. */
export function readHeaderList(headerText: string): MessageHeader[] {
  const headers: MessageHeader[] = [];
  const unfolded = headerText.replace(/\r?\n[ \t]+/g, " ");
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    headers.push({ name: line.slice(0, colon).trim(), value: decodeEncodedWords(line.slice(colon + 1).trim()) });
  }
  return headers;
}

export function headerValue(headers: readonly MessageHeader[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find((header) => header.name.toLowerCase() === lower)?.value;
}

function decodeCharset(bytes: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset.trim().toLowerCase() || "utf-8").decode(bytes);
  } catch {
    return bytes.toString("latin1");
  }
}

/** RFC 2047 encoded words (`=?charset?B|Q?…?=`) to text; whitespace between adjacent words dropped. */
export function decodeEncodedWords(value: string): string {
  const word = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
  const joined = value.replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, "$1");
  return joined.replace(word, (_whole, charset: string, encoding: string, text: string) => {
    const language = charset.indexOf("*");
    const name = language === -1 ? charset : charset.slice(0, language);
    const bytes =
      encoding.toUpperCase() === "B"
        ? Buffer.from(text, "base64")
        : decodeQuotedPrintable(Buffer.from(text.replace(/_/g, " "), "latin1"));
    return decodeCharset(bytes, name);
  });
}

export function decodeQuotedPrintable(bytes: Buffer): Buffer {
  const text = bytes.toString("latin1").replace(/=\r?\n/g, "");
  const out: number[] = [];
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (char === 0x3d && /^[0-9A-Fa-f]{2}$/.test(text.slice(index + 1, index + 3))) {
      out.push(parseInt(text.slice(index + 1, index + 3), 16));
      index += 2;
    } else {
      out.push(char & 0xff);
    }
  }
  return Buffer.from(out);
}

function contentTypeParts(value: string | undefined): { mimeType: string; parameters: Record<string, string> } {
  const [type = "", ...rest] = (value ?? "text/plain").split(";");
  const parameters: Record<string, string> = {};
  for (const item of rest) {
    const equals = item.indexOf("=");
    if (equals === -1) continue;
    parameters[item.slice(0, equals).trim().toLowerCase()] = item
      .slice(equals + 1)
      .trim()
      .replace(/^"|"$/g, "");
  }
  return { mimeType: type.trim().toLowerCase() || "text/plain", parameters };
}

function transferDecode(body: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? "").trim().toLowerCase()) {
    case "base64":
      return Buffer.from(body.toString("latin1").replace(/[^A-Za-z0-9+/=]/g, ""), "base64");
    case "quoted-printable":
      return decodeQuotedPrintable(body);
    default:
      return body;
  }
}

function filenameOf(headers: Record<string, string>, parameters: Record<string, string>): string {
  const disposition = headers["content-disposition"] ?? "";
  const fromDisposition = /filename\*?=(?:"([^"]*)"|([^;\s]*))/i.exec(disposition);
  const raw = fromDisposition?.[1] ?? fromDisposition?.[2] ?? parameters.name ?? "";
  return decodeEncodedWords(raw);
}

/** Splits a multipart body on its boundary; lenient: a missing closing delimiter ends the last part at the end. */
function splitParts(body: Buffer, boundary: string): Buffer[] {
  const delimiter = `--${boundary}`;
  const text = body.toString("latin1");
  const pieces: Buffer[] = [];
  let position = text.indexOf(delimiter);
  while (position !== -1) {
    const afterDelimiter = position + delimiter.length;
    if (text.startsWith("--", afterDelimiter)) break;
    const lineEnd = text.indexOf("\n", afterDelimiter);
    if (lineEnd === -1) break;
    const next = text.indexOf(`\n${delimiter}`, lineEnd);
    let end = next === -1 ? text.length : next;
    if (end > lineEnd + 1 && text.charCodeAt(end - 1) === 0x0d) end -= 1;
    pieces.push(body.subarray(lineEnd + 1, end));
    position = next === -1 ? -1 : next + 1;
  }
  return pieces;
}

export function parseMessagePart(bytes: Buffer, depth = 0): MessagePartTree {
  const { headerText, body } = splitHeadersAndBody(bytes);
  let headerRecord: Record<string, string>;
  try {
    headerRecord = parseHeaderBlock(headerText);
  } catch {
    headerRecord = {};
  }
  const headers = readHeaderList(headerText);
  const { mimeType, parameters } = contentTypeParts(headerRecord["content-type"]);
  const filename = filenameOf(headerRecord, parameters);
  const boundary = boundaryOf(headerRecord["content-type"] ?? "");
  if (mimeType.startsWith("multipart/") && boundary !== undefined && depth < MAX_DEPTH) {
    const parts = splitParts(body, boundary).map((piece) => parseMessagePart(piece, depth + 1));
    return { mimeType, filename, headers, body: Buffer.alloc(0), parts };
  }
  return {
    mimeType,
    filename,
    headers,
    body: transferDecode(body, headerRecord["content-transfer-encoding"]),
    parts: [],
  };
}

/** The charset-decoded text of a leaf part. */
export function partText(part: MessagePartTree): string {
  const { parameters } = contentTypeParts(headerValue(part.headers, "content-type"));
  return decodeCharset(part.body, parameters.charset ?? "utf-8");
}

function firstLeaf(part: MessagePartTree, mimeType: string): MessagePartTree | undefined {
  if (part.parts.length === 0) return part.mimeType === mimeType && part.filename === "" ? part : undefined;
  for (const child of part.parts) {
    const found = firstLeaf(child, mimeType);
    if (found) return found;
  }
  return undefined;
}

/** Plain text of the message: its text/plain part, else its HTML with tags removed. */
export function messagePlainText(root: MessagePartTree): string {
  const plain = firstLeaf(root, "text/plain");
  if (plain) return partText(plain);
  const html = firstLeaf(root, "text/html");
  if (!html) return "";
  return partText(html)
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
}

/** Gmail's snippet: the start of the text, whitespace collapsed, HTML-escaped as Gmail returns it. */
export function snippetOf(root: MessagePartTree, length = 200): string {
  const text = messagePlainText(root).replace(/\s+/g, " ").trim();
  const graphemes = Array.from(
    new Intl.Segmenter("en", { granularity: "grapheme" }).segment(text),
    (item) => item.segment,
  );
  const cut = graphemes.slice(0, length).join("");
  return cut.replace(
    /[&<>"']/g,
    (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char] ?? char,
  );
}

/** True when some leaf is an attachment (has a filename). */
export function hasAttachment(part: MessagePartTree): boolean {
  return part.parts.length === 0 ? part.filename !== "" : part.parts.some(hasAttachment);
}

/** Addresses (lower-case) found in an address header such as To or Cc. */
export function addressesIn(value: string | undefined): string[] {
  if (value === undefined) return [];
  return [...value.matchAll(/[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g)].map((match) => match[0].toLowerCase());
}
