import { randomBytes } from "node:crypto";
import { STATUS_CODES } from "node:http";
import { isGoogleHost, type FakeRequest, type FakeResponse, type GoogleHost } from "./google-exchange";
import { formatMultipart, parseHeaderBlock, parseMultipart, splitHeadersAndBody, type MimePart } from "./multipart";

/**
 * Google's batch protocol: a `multipart/mixed` POST whose parts are `application/http` requests,
 * answered by a `multipart/mixed` response whose parts are `application/http` responses with
 * `Content-ID: response-<the part's Content-ID>`. Headers of the outer request other than the
 * Content- ones apply to every part unless the part sets them itself.
 */

/** Gmail's limit on calls in one batch request. */
export const MAX_BATCH_PARTS = 100;

export interface BatchPart {
  contentId?: string;
  request: FakeRequest;
}

export class BatchFormatError extends Error {
  override name = "BatchFormatError";
}

function parseInnerRequest(part: MimePart, outer: FakeRequest, index: number): FakeRequest {
  const { headerText, body } = splitHeadersAndBody(part.body);
  const lines = headerText.split(/\r?\n/);
  const requestLine = lines.shift() ?? "";
  const match = /^([A-Z]+) (\S+)(?: HTTP\/1\.[01])?$/.exec(requestLine.trim());
  if (!match)
    throw new BatchFormatError(
      `Part ${index + 1}: the first line is not an HTTP request line: ${JSON.stringify(requestLine)}`,
    );
  const [, method = "GET", rawTarget = "/"] = match;
  let host: GoogleHost = outer.host;
  let target = rawTarget;
  if (/^https?:\/\//.test(rawTarget)) {
    const url = new URL(rawTarget);
    if (!isGoogleHost(url.hostname))
      throw new BatchFormatError(`Part ${index + 1}: ${url.hostname} is not a Google API host`);
    host = url.hostname;
    target = `${url.pathname}${url.search}`;
  }
  const inherited = Object.fromEntries(
    Object.entries(outer.headers).filter(([name]) => !name.startsWith("content-") && name !== "host"),
  );
  const own = parseHeaderBlock(lines.join("\r\n"));
  // A body ends where the part ends; trailing CRLFs belong to the multipart framing.
  return { method, host, target, headers: { ...inherited, ...own }, body: Buffer.from(body) };
}

/** The parts of a batch request; throws BatchFormatError saying what is wrong. */
export function parseBatchRequest(outer: FakeRequest): BatchPart[] {
  const contentType = outer.headers["content-type"] ?? "";
  if (!/^multipart\/mixed\s*;/i.test(contentType)) {
    throw new BatchFormatError(`A batch request must be multipart/mixed with a boundary, not "${contentType}"`);
  }
  let parts: MimePart[];
  try {
    parts = parseMultipart(contentType, outer.body);
  } catch (error) {
    throw new BatchFormatError((error as Error).message);
  }
  if (parts.length === 0) throw new BatchFormatError("The batch request has no parts");
  if (parts.length > MAX_BATCH_PARTS) {
    throw new BatchFormatError(`A batch request holds at most ${MAX_BATCH_PARTS} calls, this one has ${parts.length}`);
  }
  return parts.map((part, index) => {
    const partType = (part.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
    if (partType !== "application/http") {
      throw new BatchFormatError(
        `Part ${index + 1} must be application/http, not "${part.headers["content-type"] ?? "(none)"}"`,
      );
    }
    const batchPart: BatchPart = { request: parseInnerRequest(part, outer, index) };
    const contentId = part.headers["content-id"];
    if (contentId !== undefined) batchPart.contentId = contentId;
    return batchPart;
  });
}

function responseId(contentId: string | undefined): string | undefined {
  if (contentId === undefined) return undefined;
  const bare = contentId.replace(/^<|>$/g, "");
  return `<response-${bare}>`;
}

/** The multipart/mixed answer to a batch: one application/http part per call, in order. */
export function formatBatchResponse(answers: readonly { contentId?: string; response: FakeResponse }[]): FakeResponse {
  const boundary = `batch_${randomBytes(12).toString("base64url")}`;
  const parts: MimePart[] = answers.map(({ contentId, response }) => {
    const head = [`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ""}`];
    for (const [name, value] of Object.entries(response.headers)) head.push(`${name}: ${value}`);
    head.push(`content-length: ${response.body.byteLength}`);
    const headers: Record<string, string> = { "Content-Type": "application/http" };
    const id = responseId(contentId);
    if (id !== undefined) headers["Content-ID"] = id;
    return { headers, body: Buffer.concat([Buffer.from(`${head.join("\r\n")}\r\n\r\n`), response.body]) };
  });
  return {
    status: 200,
    headers: { "content-type": `multipart/mixed; boundary=${boundary}` },
    body: formatMultipart(boundary, parts),
  };
}
