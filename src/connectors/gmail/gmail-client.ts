import type { FetchFunction } from "../../gate/audited-fetch";
import {
  featureOfScope,
  GMAIL_COMPOSE_SCOPE,
  GMAIL_FEATURE_TITLES,
  GMAIL_MODIFY_SCOPE,
  GMAIL_READONLY_SCOPE,
} from "../../tools/gmail-scopes";
import { buildBatchRequest, parseBatchResponse, type BatchCall } from "./gmail-batch";
import {
  GmailHistoryExpiredError,
  GmailOutcomeUnknownError,
  GmailRateLimitError,
  GmailRequestError,
  GmailUnavailableError,
  ReconnectNeededError,
  ScopeNeededError,
} from "./gmail-errors";

export const GMAIL_API_ORIGIN = "https://gmail.googleapis.com";
const USER_PATH = "/gmail/v1/users/me";
const BATCH_PATH = "/batch/gmail/v1";

/**
 * The headers a metadata read asks for: what the inbox shows, what replies need, and what the
 * triage rules read (bulk and automated mail markers). Nothing else of the mail is fetched.
 */
export const METADATA_HEADERS = [
  "From",
  "To",
  "Cc",
  "Reply-To",
  "Subject",
  "Date",
  "Message-ID",
  "In-Reply-To",
  "List-Unsubscribe",
  "List-Id",
  "Precedence",
  "Auto-Submitted",
  "X-Auto-Response-Suppress",
  "Return-Path",
] as const;

/** Google suggests batches of at most 50 calls (100 is the hard limit) to stay clear of rate limits. */
export const DEFAULT_BATCH_SIZE = 50;

export interface GmailHeader {
  name: string;
  value: string;
}

export interface GmailMessage {
  id: string;
  threadId: string;
  labelIds: string[];
  snippet: string;
  /** Milliseconds since the epoch, as Gmail's `internalDate` (when it received the mail). */
  internalDate: number | undefined;
  headers: GmailHeader[];
  /** `format=raw` only: the message bytes. */
  raw?: Uint8Array;
}

export interface GmailMessageRef {
  id: string;
  threadId: string;
}

export interface GmailLabel {
  id: string;
  name: string;
  type?: string;
}

export interface GmailProfile {
  emailAddress: string;
  historyId: string;
}

export interface GmailHistoryPage {
  /** Messages added, in the order Gmail lists them (oldest change first). */
  added: GmailMessageRef[];
  historyId: string;
  nextPageToken?: string;
}

export interface GmailClientOptions {
  /** The Gate's AuditedFetch: every request is written to the audit log. */
  fetch: FetchFunction;
  accessToken: string;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Tries per request (or per batch round) before giving up; 5 by default. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A `Retry-After` longer than this is not waited out inside one run (the next run tries again). */
  maxRetryAfterMs?: number;
  batchSize?: number;
}

type RetryableFailure = { kind: "retry"; status: number; limited: boolean; retryAfterMs: number | undefined };

type Failure =
  | { kind: "reconnect" }
  | { kind: "scope" }
  | RetryableFailure
  | { kind: "limit"; retryAfterMs: number | undefined }
  | { kind: "fatal"; status: number; message: string; reason: string | undefined };

const RATE_LIMIT_REASONS = new Set(["rateLimitExceeded", "userRateLimitExceeded", "concurrentLimitExceeded"]);
/** Limits no backoff inside a run would lift. */
const HARD_LIMIT_REASONS = new Set(["dailyLimitExceeded", "quotaExceeded"]);

interface GoogleErrorBody {
  message: string;
  reasons: string[];
}

function readErrorBody(text: string): GoogleErrorBody {
  try {
    const parsed: unknown = JSON.parse(text);
    const error = (parsed as { error?: unknown }).error;
    if (typeof error !== "object" || error === null) return { message: text.slice(0, 200), reasons: [] };
    const { message, errors } = error as { message?: unknown; errors?: unknown };
    const reasons = Array.isArray(errors)
      ? errors.flatMap((item: unknown) => {
          const reason = (item as { reason?: unknown } | null)?.reason;
          return typeof reason === "string" ? [reason] : [];
        })
      : [];
    return { message: typeof message === "string" ? message : "", reasons };
  } catch {
    return { message: text.slice(0, 200), reasons: [] };
  }
}

/** `Retry-After` as milliseconds: seconds or an HTTP date. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function classify(status: number, headers: Headers, bodyText: string): Failure {
  const body = readErrorBody(bodyText);
  const wait = retryAfterMs(headers.get("retry-after"));
  if (status === 401) return { kind: "reconnect" };
  const authenticate = headers.get("www-authenticate") ?? "";
  if (
    status === 403 &&
    (body.reasons.includes("insufficientPermissions") || authenticate.includes("insufficient_scope"))
  ) {
    return { kind: "scope" };
  }
  if (body.reasons.some((reason) => HARD_LIMIT_REASONS.has(reason))) return { kind: "limit", retryAfterMs: wait };
  if (status === 429 || (status === 403 && body.reasons.some((reason) => RATE_LIMIT_REASONS.has(reason)))) {
    return { kind: "retry", status, limited: true, retryAfterMs: wait };
  }
  if (status >= 500) return { kind: "retry", status, limited: false, retryAfterMs: wait };
  return { kind: "fatal", status, message: body.message || `HTTP ${status}`, reason: body.reasons[0] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function base64UrlBytes(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** A Gmail Message resource, checked: Gmail's JSON is outside input like any other. */
function messageOf(value: unknown): GmailMessage {
  if (!isRecord(value)) throw new GmailRequestError(200, "a message came back in an unexpected shape");
  const id = stringOf(value.id);
  if (id === undefined) throw new GmailRequestError(200, "a message came back without an id");
  const payload = isRecord(value.payload) ? value.payload : {};
  const headers = Array.isArray(payload.headers)
    ? payload.headers.flatMap((header: unknown) => {
        if (!isRecord(header)) return [];
        const name = stringOf(header.name);
        const headerValue = stringOf(header.value);
        return name !== undefined && headerValue !== undefined ? [{ name, value: headerValue }] : [];
      })
    : [];
  const internalDate = Number(value.internalDate);
  const raw = stringOf(value.raw);
  return {
    id,
    threadId: stringOf(value.threadId) ?? id,
    labelIds: Array.isArray(value.labelIds) ? value.labelIds.filter((label) => typeof label === "string") : [],
    snippet: stringOf(value.snippet) ?? "",
    internalDate: Number.isFinite(internalDate) && internalDate > 0 ? internalDate : undefined,
    headers,
    ...(raw !== undefined ? { raw: base64UrlBytes(raw) } : {}),
  };
}

function refsOf(value: unknown): GmailMessageRef[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    if (!isRecord(item)) return [];
    const id = stringOf(item.id);
    return id === undefined ? [] : [{ id, threadId: stringOf(item.threadId) ?? id }];
  });
}

function labelOf(value: unknown): GmailLabel {
  const id = isRecord(value) ? stringOf(value.id) : undefined;
  const name = isRecord(value) ? stringOf(value.name) : undefined;
  if (id === undefined || name === undefined) throw new GmailRequestError(200, "a label came back without id or name");
  const type = isRecord(value) ? stringOf(value.type) : undefined;
  return { id, name, ...(type !== undefined ? { type } : {}) };
}

export interface GmailRequest {
  /** What the call needs; names the feature when Google says the token lacks it. */
  scope: string;
  method: "GET" | "POST";
  path: string;
  query?: URLSearchParams;
  json?: unknown;
  /**
   * False for calls that must not happen twice (a send, a new draft): they are retried only when
   * Gmail refused them unprocessed (a rate limit), never after a 5xx or a lost answer.
   */
  repeatable?: boolean;
}

/**
 * Gmail REST v1 as Tabclaw uses it, through the AuditedFetch the Gate passes. Rate limits (429,
 * 403 rate-limit reasons) and 5xx are retried with exponential backoff and jitter, honouring
 * `Retry-After`, a bounded number of times; 401 becomes `ReconnectNeededError` and a missing scope
 * `ScopeNeededError`, neither retried.
 */
export class GmailClient {
  readonly #options: Required<Omit<GmailClientOptions, "fetch" | "accessToken">>;
  readonly #fetch: FetchFunction;
  readonly #accessToken: string;

  constructor(options: GmailClientOptions) {
    this.#fetch = options.fetch;
    this.#accessToken = options.accessToken;
    this.#options = {
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      random: options.random ?? Math.random,
      maxAttempts: options.maxAttempts ?? 5,
      baseDelayMs: options.baseDelayMs ?? 1_000,
      maxDelayMs: options.maxDelayMs ?? 32_000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
      batchSize: Math.min(100, Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE)),
    };
  }

  getProfile(): Promise<GmailProfile> {
    return this.#json({ scope: GMAIL_READONLY_SCOPE, method: "GET", path: `${USER_PATH}/profile` }).then((value) => {
      const emailAddress = isRecord(value) ? stringOf(value.emailAddress) : undefined;
      const historyId = isRecord(value) ? stringOf(value.historyId) : undefined;
      if (emailAddress === undefined || historyId === undefined) {
        throw new GmailRequestError(200, "the profile came back without address or history id");
      }
      return { emailAddress, historyId };
    });
  }

  /** The newest messages with `labelId` (newest first), one page. */
  async listMessages(labelId: string, maxResults: number): Promise<GmailMessageRef[]> {
    const query = new URLSearchParams({ labelIds: labelId, maxResults: String(maxResults) });
    const value = await this.#json({
      scope: GMAIL_READONLY_SCOPE,
      method: "GET",
      path: `${USER_PATH}/messages`,
      query,
    });
    return isRecord(value) ? refsOf(value.messages) : [];
  }

  /** Messages added to `labelId` since `startHistoryId`, one page; `GmailHistoryExpiredError` when Gmail no longer has it. */
  async listHistory(startHistoryId: string, labelId: string, pageToken?: string): Promise<GmailHistoryPage> {
    const query = new URLSearchParams({ startHistoryId, historyTypes: "messageAdded", labelId, maxResults: "500" });
    if (pageToken !== undefined) query.set("pageToken", pageToken);
    let value: unknown;
    try {
      value = await this.#json({ scope: GMAIL_READONLY_SCOPE, method: "GET", path: `${USER_PATH}/history`, query });
    } catch (error) {
      if (error instanceof GmailRequestError && error.status === 404) throw new GmailHistoryExpiredError();
      throw error;
    }
    if (!isRecord(value)) throw new GmailRequestError(200, "the history came back in an unexpected shape");
    const historyId = stringOf(value.historyId);
    if (historyId === undefined) throw new GmailRequestError(200, "the history came back without a history id");
    const added: GmailMessageRef[] = [];
    for (const record of Array.isArray(value.history) ? value.history : []) {
      if (!isRecord(record) || !Array.isArray(record.messagesAdded)) continue;
      for (const entry of record.messagesAdded) {
        if (isRecord(entry)) added.push(...refsOf([entry.message]));
      }
    }
    const nextPageToken = stringOf(value.nextPageToken);
    return { added, historyId, ...(nextPageToken !== undefined ? { nextPageToken } : {}) };
  }

  /**
   * Metadata (headers above, labels, snippet) of many messages, in batches. Messages deleted
   * meanwhile (404) are listed in `missing`. Calls a batch answered 429/5xx are retried in the
   * next round after a backoff; the rest of the batch is kept.
   */
  async getMetadata(ids: readonly string[]): Promise<{ messages: GmailMessage[]; missing: string[] }> {
    const messages: GmailMessage[] = [];
    const missing: string[] = [];
    const unique = [...new Set(ids)];
    for (let start = 0; start < unique.length; start += this.#options.batchSize) {
      const chunk = unique.slice(start, start + this.#options.batchSize);
      const result = await this.#metadataBatch(chunk);
      messages.push(...result.messages);
      missing.push(...result.missing);
    }
    return { messages, missing };
  }

  /** The whole message as its raw bytes (for the body), with labels and thread. */
  async getRaw(id: string): Promise<GmailMessage> {
    const query = new URLSearchParams({ format: "raw" });
    const message = messageOf(
      await this.#json({
        scope: GMAIL_READONLY_SCOPE,
        method: "GET",
        path: `${USER_PATH}/messages/${encodeURIComponent(id)}`,
        query,
      }),
    );
    if (!message.raw) throw new GmailRequestError(200, "the message came back without its raw content");
    return message;
  }

  async listLabels(): Promise<GmailLabel[]> {
    const value = await this.#json({ scope: GMAIL_MODIFY_SCOPE, method: "GET", path: `${USER_PATH}/labels` });
    return isRecord(value) && Array.isArray(value.labels) ? value.labels.map(labelOf) : [];
  }

  async createLabel(name: string): Promise<GmailLabel> {
    return labelOf(
      await this.#json({
        scope: GMAIL_MODIFY_SCOPE,
        method: "POST",
        path: `${USER_PATH}/labels`,
        json: { name, labelListVisibility: "labelShow", messageListVisibility: "show" },
      }),
    );
  }

  async modifyLabels(id: string, add: readonly string[], remove: readonly string[]): Promise<GmailMessage> {
    return messageOf(
      await this.#json({
        scope: GMAIL_MODIFY_SCOPE,
        method: "POST",
        path: `${USER_PATH}/messages/${encodeURIComponent(id)}/modify`,
        json: { addLabelIds: add, removeLabelIds: remove },
      }),
    );
  }

  /** Saves an RFC 822 message (base64url) as a draft in `threadId`. Returns the draft id. */
  async createDraft(raw: string, threadId: string | undefined): Promise<{ draftId: string; messageId: string }> {
    const value = await this.#json({
      scope: GMAIL_COMPOSE_SCOPE,
      method: "POST",
      path: `${USER_PATH}/drafts`,
      json: { message: { raw, ...(threadId !== undefined ? { threadId } : {}) } },
      repeatable: false,
    });
    const draftId = isRecord(value) ? stringOf(value.id) : undefined;
    const message = isRecord(value) && isRecord(value.message) ? stringOf(value.message.id) : undefined;
    if (draftId === undefined) throw new GmailRequestError(200, "the draft came back without an id");
    return { draftId, messageId: message ?? "" };
  }

  /** Sends an RFC 822 message (base64url) in `threadId`. Never retried after Gmail accepted it. */
  async send(raw: string, threadId: string | undefined): Promise<GmailMessageRef> {
    const value = await this.#json({
      scope: GMAIL_COMPOSE_SCOPE,
      method: "POST",
      path: `${USER_PATH}/messages/send`,
      json: { raw, ...(threadId !== undefined ? { threadId } : {}) },
      repeatable: false,
    });
    const [ref] = refsOf([value]);
    if (!ref) throw new GmailRequestError(200, "the sent message came back without an id");
    return ref;
  }

  async #json(request: GmailRequest): Promise<unknown> {
    const response = await this.#withRetries(request.scope, () => this.#send(request), request.repeatable ?? true);
    const text = await response.text();
    if (text === "") return {};
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new GmailRequestError(response.status, "the answer was not JSON");
    }
  }

  #send(request: GmailRequest): Promise<Response> {
    const url = new URL(request.path, GMAIL_API_ORIGIN);
    if (request.query) url.search = request.query.toString();
    const headers: Record<string, string> = { Authorization: `Bearer ${this.#accessToken}` };
    if (request.json !== undefined) headers["Content-Type"] = "application/json";
    return this.#fetch(url.toString(), {
      method: request.method,
      headers,
      ...(request.json !== undefined ? { body: JSON.stringify(request.json) } : {}),
    });
  }

  /** One call with its retries: returns the first 2xx response, or throws what the failure means. */
  async #withRetries(scope: string, attempt: () => Promise<Response>, repeatable = true): Promise<Response> {
    for (let tries = 1; ; tries += 1) {
      let response: Response;
      try {
        response = await attempt();
      } catch {
        // No answer at all (offline, DNS): worth a few tries like a 5xx, unless it may have been done.
        if (!repeatable) throw new GmailOutcomeUnknownError(undefined);
        if (tries >= this.#options.maxAttempts) throw new GmailUnavailableError(undefined);
        await this.#options.sleep(this.#backoff(tries, undefined));
        continue;
      }
      if (response.ok) return response;
      const failure = classify(response.status, response.headers, await response.text());
      if (!repeatable && failure.kind === "retry" && !failure.limited)
        throw new GmailOutcomeUnknownError(failure.status);
      await this.#options.sleep(this.#retryDelay(failure, tries, scope));
    }
  }

  /** How long to wait before the next try, or the error to throw instead. */
  #retryDelay(failure: Failure, tries: number, scope: string): number {
    switch (failure.kind) {
      case "reconnect":
        throw new ReconnectNeededError("Google no longer accepts your Gmail sign-in");
      case "scope": {
        const feature = featureOfScope(scope);
        throw new ScopeNeededError(scope, feature !== undefined ? GMAIL_FEATURE_TITLES[feature] : undefined);
      }
      case "limit":
        throw new GmailRateLimitError(secondsOf(failure.retryAfterMs));
      case "fatal":
        throw new GmailRequestError(failure.status, failure.message, failure.reason);
      case "retry": {
        const giveUp = (): Error =>
          failure.limited
            ? new GmailRateLimitError(secondsOf(failure.retryAfterMs))
            : new GmailUnavailableError(failure.status);
        if (tries >= this.#options.maxAttempts) throw giveUp();
        if (failure.retryAfterMs !== undefined && failure.retryAfterMs > this.#options.maxRetryAfterMs) throw giveUp();
        return this.#backoff(tries, failure.retryAfterMs);
      }
    }
  }

  /** Exponential with jitter (Google's advice: 2^n seconds plus up to a second), or what Retry-After asks. */
  #backoff(tries: number, retryAfter: number | undefined): number {
    if (retryAfter !== undefined) return retryAfter;
    const exponential = Math.min(this.#options.maxDelayMs, this.#options.baseDelayMs * 2 ** (tries - 1));
    return exponential + Math.floor(this.#options.random() * this.#options.baseDelayMs);
  }

  async #metadataBatch(ids: readonly string[]): Promise<{ messages: GmailMessage[]; missing: string[] }> {
    const messages: GmailMessage[] = [];
    const missing: string[] = [];
    let pending = [...ids];
    const query = new URLSearchParams({ format: "metadata" });
    for (const header of METADATA_HEADERS) query.append("metadataHeaders", header);
    for (let round = 1; pending.length > 0; round += 1) {
      const calls: BatchCall[] = pending.map((id) => ({
        id,
        method: "GET",
        path: `${USER_PATH}/messages/${encodeURIComponent(id)}?${query.toString()}`,
      }));
      const batch = buildBatchRequest(calls);
      const response = await this.#withRetries(GMAIL_READONLY_SCOPE, () =>
        this.#fetch(new URL(BATCH_PATH, GMAIL_API_ORIGIN).toString(), {
          method: "POST",
          headers: { Authorization: `Bearer ${this.#accessToken}`, "Content-Type": batch.contentType },
          body: batch.body,
        }),
      );
      const answers = parseBatchResponse(response.headers.get("content-type") ?? "", await response.text());
      const byId = new Map(answers.map((answer) => [answer.id, answer]));
      const retry: string[] = [];
      // The failure whose wait is longest decides the pause before the next round.
      let worst: RetryableFailure | undefined;
      for (const id of pending) {
        const answer = byId.get(id);
        if (!answer || answer.status === 0) {
          retry.push(id);
          continue;
        }
        if (answer.status >= 200 && answer.status < 300) {
          messages.push(messageOf(parseJson(answer.body)));
          continue;
        }
        if (answer.status === 404) {
          missing.push(id);
          continue;
        }
        const failure = classify(answer.status, answer.headers, answer.body);
        // 401, a missing scope, a hard limit or a refused call: throws, keeping nothing half done.
        if (failure.kind !== "retry") this.#retryDelay(failure, round, GMAIL_READONLY_SCOPE);
        else if (worst === undefined || (failure.retryAfterMs ?? 0) > (worst.retryAfterMs ?? 0)) worst = failure;
        retry.push(id);
      }
      pending = retry;
      if (pending.length > 0) {
        const failure = worst ?? { kind: "retry", status: 500, limited: false, retryAfterMs: undefined };
        await this.#options.sleep(this.#retryDelay(failure, round, GMAIL_READONLY_SCOPE));
      }
    }
    return { messages, missing };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new GmailRequestError(200, "a batch answer was not JSON");
  }
}

function secondsOf(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : Math.ceil(ms / 1000);
}
