/**
 * Google's batch format: one `multipart/mixed` POST whose parts are `application/http` requests,
 * answered by one `multipart/mixed` response whose parts are `application/http` responses carrying
 * `Content-ID: <response-…>` of the request part they answer. Headers of the outer request other than
 * the Content- ones (Authorization) apply to every part.
 */

export interface BatchCall {
  /** Tabclaw's own id for the call; echoed back as `response-<id>`. */
  id: string;
  method: "GET" | "POST";
  /** Path and query on the API host, e.g. `/gmail/v1/users/me/messages/abc?format=metadata`. */
  path: string;
}

export interface BatchAnswer {
  id: string | undefined;
  status: number;
  headers: Headers;
  body: string;
}

export interface BatchRequestBody {
  contentType: string;
  body: string;
}

function randomBoundary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `batch_${Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

export function buildBatchRequest(calls: readonly BatchCall[], boundary = randomBoundary()): BatchRequestBody {
  const lines: string[] = [];
  for (const call of calls) {
    lines.push(`--${boundary}`, "Content-Type: application/http", `Content-ID: <${call.id}>`, "");
    lines.push(`${call.method} ${call.path} HTTP/1.1`, "");
  }
  lines.push(`--${boundary}--`, "");
  return { contentType: `multipart/mixed; boundary=${boundary}`, body: lines.join("\r\n") };
}

function boundaryOf(contentType: string): string | undefined {
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/** Splits at the first empty line (CRLF or LF). */
function splitHead(text: string): { head: string; rest: string } {
  const match = /\r?\n\r?\n/.exec(text);
  if (!match) return { head: text, rest: "" };
  return { head: text.slice(0, match.index), rest: text.slice(match.index + match[0].length) };
}

function parseHeaderLines(head: string): Headers {
  const headers = new Headers();
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return headers;
}

/** The answers in a batch response; a part that is not an HTTP response becomes status 0. */
export function parseBatchResponse(contentType: string, text: string): BatchAnswer[] {
  const boundary = boundaryOf(contentType);
  if (boundary === undefined) throw new Error(`The batch response is not multipart: "${contentType}"`);
  const answers: BatchAnswer[] = [];
  const sections = text.split(`--${boundary}`);
  // The first section is the preamble; the last starts with "--" (the closing delimiter).
  for (const section of sections.slice(1)) {
    if (section.startsWith("--")) break;
    const part = section.replace(/^[^\n]*\n/, "");
    const { head: partHead, rest: http } = splitHead(part);
    const partHeaders = parseHeaderLines(partHead);
    const contentId = partHeaders.get("content-id");
    const id = contentId?.replace(/^<|>$/g, "").replace(/^response-/, "");
    const { head: responseHead, rest: body } = splitHead(http);
    const [statusLine = "", ...headerLines] = responseHead.split(/\r?\n/);
    const status = /^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(statusLine.trim())?.[1];
    answers.push({
      id,
      status: status === undefined ? 0 : Number(status),
      headers: parseHeaderLines(headerLines.join("\r\n")),
      body: body.replace(/\r?\n$/, ""),
    });
  }
  return answers;
}
