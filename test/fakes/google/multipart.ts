/**
 * MIME multipart bodies (RFC 2046) as Google's batch and upload endpoints use them: parts with
 * headers and a body, split on the boundary named in the Content-Type.
 */

export interface MimePart {
  /** Lower-case header names; folded lines joined. */
  headers: Record<string, string>;
  body: Buffer;
}

const CRLF = Buffer.from("\r\n");

/** The `boundary` parameter of a multipart Content-Type, unquoted. */
export function boundaryOf(contentType: string): string | undefined {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/** Header block text (lines separated by CRLF or LF) to a lower-case name → value record. */
export function parseHeaderBlock(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const unfolded = text.replace(/\r?\n[ \t]+/g, " ");
  for (const line of unfolded.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new Error(`Malformed header line: ${JSON.stringify(line)}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}

/** Splits a part into its header block and body at the first empty line. */
export function splitHeadersAndBody(bytes: Buffer): { headerText: string; body: Buffer } {
  const crlf = bytes.indexOf("\r\n\r\n");
  const lf = bytes.indexOf("\n\n");
  if (crlf === -1 && lf === -1) return { headerText: bytes.toString("latin1"), body: Buffer.alloc(0) };
  if (crlf !== -1 && (lf === -1 || crlf < lf)) {
    return { headerText: bytes.subarray(0, crlf).toString("latin1"), body: bytes.subarray(crlf + 4) };
  }
  return { headerText: bytes.subarray(0, lf).toString("latin1"), body: bytes.subarray(lf + 2) };
}

/** The parts of a multipart body; throws with a message saying what is wrong when it is malformed. */
export function parseMultipart(contentType: string, body: Buffer): MimePart[] {
  const boundary = boundaryOf(contentType);
  if (boundary === undefined) throw new Error(`The multipart Content-Type has no boundary: "${contentType}"`);
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MimePart[] = [];
  let position = body.indexOf(delimiter);
  if (position === -1) throw new Error(`The body never uses the boundary "${boundary}"`);
  for (;;) {
    let start = position + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") return parts;
    // The rest of the delimiter line (transport padding) is ignored.
    const lineEnd = body.indexOf("\n", start);
    if (lineEnd === -1) throw new Error("A multipart delimiter line does not end");
    start = lineEnd + 1;
    const next = body.indexOf(Buffer.concat([Buffer.from("\n"), delimiter]), start);
    if (next === -1) throw new Error(`The multipart body has no closing delimiter "--${boundary}--"`);
    let end = next;
    if (end > start && body[end - 1] === 0x0d) end -= 1;
    const { headerText, body: partBody } = splitHeadersAndBody(body.subarray(start, end));
    parts.push({ headers: parseHeaderBlock(headerText), body: Buffer.from(partBody) });
    position = next + 1;
  }
}

/** A multipart body from parts; the caller names the boundary. */
export function formatMultipart(boundary: string, parts: readonly MimePart[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    for (const [name, value] of Object.entries(part.headers)) chunks.push(Buffer.from(`${name}: ${value}\r\n`));
    chunks.push(CRLF, part.body, CRLF);
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}
