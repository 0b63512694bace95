import { BatchFormatError, formatBatchResponse, parseBatchRequest } from "./batch-http";
import { DiscoveryValidator, type ValidatedRequest } from "./discovery-validator";
import type { FakeGoogleOAuth, IssuedToken } from "./fake-google-oauth";
import { checkGmailId, FakeMailbox, MailboxError, type MailboxMessage, type NewMessage } from "./fake-mailbox";
import {
  backendError,
  conflict,
  invalidArgument,
  insufficientScope,
  notFound,
  rateLimitExceeded,
  serviceUnavailable,
  unauthenticated,
  userRateLimitExceeded,
} from "./google-errors";
import { bearerToken, jsonResponse, requestUrl, type FakeRequest, type FakeResponse } from "./google-exchange";
import { quotaUnitsFor } from "./gmail-quota";
import {
  attachmentIdFor,
  findPart,
  labelResource,
  messageResource,
  partIdOfAttachment,
  type MessageFormat,
} from "./gmail-resources";
import { compileSearch, queryNamesSpamOrTrash, UnsupportedQueryError } from "./gmail-search";
import { applyFieldMask, FieldMaskError } from "./field-mask";

/**
 * The fake Gmail API (gmail.googleapis.com, and the batch endpoint on www.googleapis.com). Every
 * call is validated against the discovery document; the token must be live (401 otherwise) and
 * carry a scope the method accepts (403). Malformed requests answer 400 and are recorded in
 * `violations`, which stays empty for a correct client. Quota units are counted per Gmail's
 * published table, and faults can be scripted for the next calls.
 */

export type GmailFault =
  | { kind: "rateLimitExceeded"; retryAfterSeconds?: number }
  | { kind: "userRateLimitExceeded"; retryAfterSeconds?: number }
  | { kind: "backendError" }
  | { kind: "unavailable"; retryAfterSeconds?: number };

/** One Gmail method call (top level or inside a batch), as the fake answered it. */
export interface GmailCall {
  methodId?: string;
  httpMethod: string;
  target: string;
  status: number;
  /** Units charged; 0 when the call was refused before it ran. */
  units: number;
  inBatch: boolean;
  /** Scopes of the token used, when it was valid. */
  scopes?: string[];
}

export interface FakeGmailOptions {
  oauth: FakeGoogleOAuth;
  validator?: DiscoveryValidator;
  mailbox?: FakeMailbox;
  emailAddress?: string;
}

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 500;

function encodePageToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString("base64url");
}

function decodePageToken(token: string | null): number {
  if (token === null) return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  if (!match) throw new MailboxError(400, `Invalid pageToken: ${token}`);
  return Number(match[1]);
}

function pageSize(query: URLSearchParams): number {
  const value = query.get("maxResults");
  return value === null ? DEFAULT_PAGE_SIZE : Math.min(Number(value), MAX_PAGE_SIZE);
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function objectField(value: unknown, name: string): Record<string, unknown> | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const field = (value as Record<string, unknown>)[name];
  return typeof field === "object" && field !== null && !Array.isArray(field)
    ? (field as Record<string, unknown>)
    : undefined;
}

function stringField(value: unknown, name: string): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const field = (value as Record<string, unknown>)[name];
  return typeof field === "string" ? field : undefined;
}

export class FakeGmail {
  readonly mailbox: FakeMailbox;
  readonly validator: DiscoveryValidator;
  readonly oauth: FakeGoogleOAuth;
  /** Requests a correct client never makes (malformed, unknown method, refused by Gmail's rules). */
  readonly violations: string[] = [];
  /** 401s and 403s for scope: expected in tests of expiry and scopes, so kept apart from violations. */
  readonly authFailures: string[] = [];
  readonly calls: GmailCall[] = [];
  readonly #faults: GmailFault[] = [];

  constructor(options: FakeGmailOptions) {
    this.oauth = options.oauth;
    this.validator = options.validator ?? new DiscoveryValidator();
    this.mailbox = options.mailbox ?? new FakeMailbox(options.emailAddress ?? "user@example.com", this.oauth.now);
    this.oauth.addKnownScopes(this.validator.knownScopes);
  }

  /** Delivers a message; see FakeMailbox.addMessage. */
  addMessage(message: NewMessage): MailboxMessage {
    return this.mailbox.addMessage(message);
  }

  /** The next `count` Gmail calls (top level or batch parts) get this fault instead of an answer. */
  failNext(count: number, fault: GmailFault): void {
    for (let index = 0; index < count; index++) this.#faults.push(fault);
  }

  pendingFaults(): number {
    return this.#faults.length;
  }

  expireToken(accessToken: string): void {
    this.oauth.expireToken(accessToken);
  }

  quotaUnits(): number {
    return this.calls.reduce((total, call) => total + call.units, 0);
  }

  quotaUnitsByMethod(): Record<string, number> {
    const byMethod: Record<string, number> = {};
    for (const call of this.calls) {
      if (call.methodId === undefined || call.units === 0) continue;
      byMethod[call.methodId] = (byMethod[call.methodId] ?? 0) + call.units;
    }
    return byMethod;
  }

  /** Answers a request for a Gmail host, or undefined when it is not a Gmail API request. */
  handle(request: FakeRequest): FakeResponse | undefined {
    if (request.host !== "gmail.googleapis.com" && request.host !== "www.googleapis.com") return undefined;
    const url = requestUrl(request);
    if (this.validator.isBatchPath(url.pathname)) return this.#batch(request);
    if (request.host === "www.googleapis.com" && !url.pathname.startsWith("/upload/")) return undefined;
    return this.#call(request, false);
  }

  #batch(request: FakeRequest): FakeResponse {
    if (request.method !== "POST") {
      this.violations.push(`batch: ${request.method} is not allowed; batch requests are POST`);
      return invalidArgument([`Batch requests are POST, not ${request.method}`]);
    }
    let parts;
    try {
      parts = parseBatchRequest(request);
    } catch (error) {
      if (!(error instanceof BatchFormatError)) throw error;
      this.violations.push(`batch: ${error.message}`);
      return invalidArgument([error.message]);
    }
    const answers = [];
    for (const [index, part] of parts.entries()) {
      const path = requestUrl(part.request).pathname;
      let response: FakeResponse;
      if (this.validator.isBatchPath(path)) {
        this.violations.push(`batch part ${index + 1}: a batch cannot contain another batch`);
        response = invalidArgument(["A batch cannot contain another batch"]);
      } else {
        response = this.#call(part.request, true, `batch part ${index + 1}: `);
      }
      answers.push(part.contentId === undefined ? { response } : { contentId: part.contentId, response });
    }
    return formatBatchResponse(answers);
  }

  #call(request: FakeRequest, inBatch: boolean, label = ""): FakeResponse {
    const token = this.oauth.activeToken(bearerToken(request));
    const validated = this.validator.validate({
      httpMethod: request.method,
      target: request.target,
      contentType: request.headers["content-type"],
      body: request.body,
      grantedScopes: token?.scopes ?? [],
    });
    const call: GmailCall = { httpMethod: request.method, target: request.target, status: 0, units: 0, inBatch };
    if (validated.method) call.methodId = validated.method.id;
    if (token) call.scopes = [...token.scopes];
    this.calls.push(call);
    const finish = (response: FakeResponse): FakeResponse => {
      call.status = response.status;
      return response;
    };

    const byKind = (kind: string): string[] =>
      validated.violations.filter((violation) => violation.kind === kind).map((violation) => violation.message);
    const pathProblems = byKind("path");
    if (pathProblems.length > 0 || !validated.method) {
      this.violations.push(...pathProblems.map((message) => `${label}${message}`));
      return finish(notFound(pathProblems.join("; ") || "Not found"));
    }
    if (!token) {
      this.authFailures.push(`${label}${validated.method.id}: 401, no live token`);
      return finish(unauthenticated());
    }
    const requestProblems = byKind("request");
    if (requestProblems.length > 0) {
      this.violations.push(...requestProblems.map((message) => `${label}${message}`));
      return finish(invalidArgument(requestProblems));
    }
    const scopeProblems = byKind("scope");
    if (scopeProblems.length > 0) {
      this.authFailures.push(...scopeProblems.map((message) => `${label}${message}`));
      return finish(insufficientScope(validated.method.scopes ?? []));
    }
    const fault = this.#faults.shift();
    if (fault) return finish(this.#faultResponse(fault));

    call.units = quotaUnitsFor(validated.method.id);
    let response: FakeResponse;
    try {
      response = this.#run(validated.method.id, validated, token);
    } catch (error) {
      if (error instanceof MailboxError) {
        if (error.status === 400) this.violations.push(`${label}${validated.method.id}: ${error.message}`);
        response =
          error.status === 404
            ? notFound(error.message)
            : error.status === 409
              ? conflict(error.message)
              : invalidArgument([error.message]);
      } else if (error instanceof UnsupportedQueryError || error instanceof FieldMaskError) {
        this.violations.push(`${label}${validated.method.id}: ${error.message}`);
        response = invalidArgument([error.message]);
      } else {
        throw error;
      }
    }
    return finish(response);
  }

  #faultResponse(fault: GmailFault): FakeResponse {
    switch (fault.kind) {
      case "rateLimitExceeded":
        return rateLimitExceeded(fault.retryAfterSeconds);
      case "userRateLimitExceeded":
        return userRateLimitExceeded(fault.retryAfterSeconds);
      case "backendError":
        return backendError();
      case "unavailable":
        return serviceUnavailable(fault.retryAfterSeconds);
    }
  }

  #run(methodId: string, request: ValidatedRequest, token: IssuedToken): FakeResponse {
    if (token.account.toLowerCase() !== this.mailbox.emailAddress.toLowerCase()) {
      throw new MailboxError(
        400,
        `The fake Gmail holds only ${this.mailbox.emailAddress}'s mailbox, not ${token.account}'s`,
      );
    }
    const userId = request.pathParameters.userId ?? "";
    if (userId !== "me" && userId.toLowerCase() !== token.account.toLowerCase()) {
      // Gmail refuses another user's mailbox for an ordinary account.
      throw new MailboxError(400, `Delegation denied for ${token.account} (userId ${userId})`);
    }
    const body = this.#dispatch(methodId, request);
    const fields = request.query.get("fields");
    const value = fields === null || body === undefined ? body : applyFieldMask(body, fields);
    return value === undefined ? { status: 204, headers: {}, body: Buffer.alloc(0) } : jsonResponse(200, value);
  }

  #message(id: string | undefined): MailboxMessage {
    checkGmailId(id ?? "");
    const message = id === undefined ? undefined : this.mailbox.message(id);
    if (!message) throw new MailboxError(404, "Requested entity was not found.");
    return message;
  }

  #rawFrom(request: ValidatedRequest, messageJson: unknown): Buffer {
    if (request.media) return request.media.bytes;
    const raw = stringField(messageJson, "raw");
    if (raw === undefined) throw new MailboxError(400, "Missing message raw");
    return Buffer.from(raw, "base64url");
  }

  #dispatch(methodId: string, request: ValidatedRequest): unknown {
    const { query, pathParameters } = request;
    const mailbox = this.mailbox;
    switch (methodId) {
      case "gmail.users.getProfile":
        return {
          emailAddress: mailbox.emailAddress,
          messagesTotal: mailbox.messages().length,
          threadsTotal: mailbox.threadCount(),
          historyId: String(mailbox.historyId),
        };
      case "gmail.users.messages.list":
        return this.#listMessages(query);
      case "gmail.users.messages.get": {
        const message = this.#message(pathParameters.id);
        const format = (query.get("format") ?? "full").toLowerCase() as MessageFormat;
        return messageResource(message, format, query.getAll("metadataHeaders"));
      }
      case "gmail.users.messages.modify": {
        const message = mailbox.modify(
          pathParameters.id ?? "",
          stringArray((request.json as Record<string, unknown>).addLabelIds),
          stringArray((request.json as Record<string, unknown>).removeLabelIds),
        );
        return messageResource(message, "minimal");
      }
      case "gmail.users.messages.batchModify": {
        const json = request.json as Record<string, unknown>;
        mailbox.batchModify(stringArray(json.ids), stringArray(json.addLabelIds), stringArray(json.removeLabelIds));
        return undefined;
      }
      case "gmail.users.messages.trash":
        return messageResource(mailbox.modify(pathParameters.id ?? "", ["TRASH"], ["INBOX"]), "minimal");
      case "gmail.users.messages.untrash":
        return messageResource(mailbox.modify(pathParameters.id ?? "", ["INBOX"], ["TRASH"]), "minimal");
      case "gmail.users.messages.send": {
        const raw = this.#rawFrom(request, request.json);
        const message = mailbox.send(raw, stringField(request.json, "threadId"));
        return { id: message.id, threadId: message.threadId, labelIds: [...message.labelIds] };
      }
      case "gmail.users.messages.attachments.get": {
        const located = partIdOfAttachment(pathParameters.id ?? "");
        const message = this.#message(pathParameters.messageId);
        if (!located || located.messageId !== message.id)
          throw new MailboxError(404, "Requested entity was not found.");
        const part = findPart(message.tree, located.partId);
        if (!part) throw new MailboxError(404, "Requested entity was not found.");
        return {
          attachmentId: attachmentIdFor(message.id, located.partId),
          size: part.body.byteLength,
          data: part.body.toString("base64url"),
        };
      }
      case "gmail.users.history.list":
        return this.#listHistory(query);
      case "gmail.users.labels.list":
        return { labels: mailbox.labels().map((label) => labelResource(label)) };
      case "gmail.users.labels.get": {
        const label = mailbox.label(pathParameters.id ?? "");
        if (!label) throw new MailboxError(404, "Requested entity was not found.");
        return labelResource(label, mailbox.messages());
      }
      case "gmail.users.labels.create": {
        const json = request.json as Record<string, unknown>;
        const label = mailbox.createLabel({
          name: typeof json.name === "string" ? json.name : "",
          ...(json.messageListVisibility === "show" || json.messageListVisibility === "hide"
            ? { messageListVisibility: json.messageListVisibility }
            : {}),
          ...(json.labelListVisibility === "labelShow" ||
          json.labelListVisibility === "labelShowIfUnread" ||
          json.labelListVisibility === "labelHide"
            ? { labelListVisibility: json.labelListVisibility }
            : {}),
        });
        return labelResource(label);
      }
      case "gmail.users.labels.delete":
        mailbox.deleteLabel(pathParameters.id ?? "");
        return undefined;
      case "gmail.users.drafts.create": {
        const message = objectField(request.json, "message");
        const raw = this.#rawFrom(request, message);
        const created = mailbox.createDraft(raw, stringField(message, "threadId"));
        return { id: created.draft.id, message: messageResource(created.message, "minimal") };
      }
      case "gmail.users.drafts.list":
        return this.#listDrafts(query);
      case "gmail.users.drafts.get": {
        const draft = mailbox.draft(pathParameters.id ?? "");
        if (!draft) throw new MailboxError(404, "Requested entity was not found.");
        const format = (query.get("format") ?? "full").toLowerCase() as MessageFormat;
        return { id: draft.id, message: messageResource(this.#message(draft.messageId), format) };
      }
      case "gmail.users.drafts.delete":
        mailbox.deleteDraft(pathParameters.id ?? "");
        return undefined;
      case "gmail.users.drafts.send": {
        const json = request.json as Record<string, unknown>;
        const message = objectField(json, "message");
        const replacementRaw =
          request.media?.bytes ??
          (stringField(message, "raw") === undefined ? undefined : this.#rawFrom(request, message));
        const threadId = stringField(message, "threadId");
        const replacement =
          replacementRaw === undefined
            ? undefined
            : { raw: replacementRaw, ...(threadId === undefined ? {} : { threadId }) };
        const sent = mailbox.sendDraft(typeof json.id === "string" ? json.id : "", replacement);
        return { id: sent.id, threadId: sent.threadId, labelIds: [...sent.labelIds] };
      }
      default:
        throw new MailboxError(400, `The fake Gmail does not implement ${methodId}`);
    }
  }

  #listMessages(query: URLSearchParams): unknown {
    const q = query.get("q") ?? "";
    const labelIds = query.getAll("labelIds");
    // Asking for SPAM or TRASH by label or in q searches them even without includeSpamTrash.
    const includeSpamTrash =
      query.get("includeSpamTrash") === "true" ||
      queryNamesSpamOrTrash(q) ||
      labelIds.includes("SPAM") ||
      labelIds.includes("TRASH");
    for (const labelId of labelIds) {
      if (!this.mailbox.label(labelId)) throw new MailboxError(400, `Invalid label: ${labelId}`);
    }
    const matches = compileSearch(q, this.mailbox.now());
    const found = this.mailbox
      .messages()
      .filter((message) => includeSpamTrash || (!message.labelIds.has("SPAM") && !message.labelIds.has("TRASH")))
      .filter((message) => labelIds.every((labelId) => message.labelIds.has(labelId)))
      .filter((message) => matches(this.mailbox.searchable(message)))
      .sort((a, b) => b.internalDate - a.internalDate || (a.id < b.id ? 1 : -1));
    const offset = decodePageToken(query.get("pageToken"));
    const size = pageSize(query);
    const page = found.slice(offset, offset + size);
    const result: Record<string, unknown> = {};
    if (page.length > 0) result.messages = page.map((message) => ({ id: message.id, threadId: message.threadId }));
    if (offset + size < found.length) result.nextPageToken = encodePageToken(offset + size);
    result.resultSizeEstimate = found.length;
    return result;
  }

  #listDrafts(query: URLSearchParams): unknown {
    const drafts = this.mailbox.drafts();
    const offset = decodePageToken(query.get("pageToken"));
    const size = pageSize(query);
    const page = drafts.slice(offset, offset + size);
    const result: Record<string, unknown> = {};
    if (page.length > 0) {
      result.drafts = page.map((draft) => {
        const message = this.#message(draft.messageId);
        return { id: draft.id, message: { id: message.id, threadId: message.threadId } };
      });
    }
    if (offset + size < drafts.length) result.nextPageToken = encodePageToken(offset + size);
    result.resultSizeEstimate = drafts.length;
    return result;
  }

  #listHistory(query: URLSearchParams): unknown {
    const start = Number(query.get("startHistoryId") ?? "0");
    if (start < this.mailbox.oldestHistoryId) throw new MailboxError(404, "Requested entity was not found.");
    // Enum values are matched without regard to case, as the validator accepts them.
    const types = query.getAll("historyTypes").map((type) => type.toLowerCase());
    const labelId = query.get("labelId");
    const entries = this.mailbox
      .history()
      .filter((entry) => entry.id > start)
      .filter((entry) => types.length === 0 || types.includes(entry.type.toLowerCase()))
      .filter((entry) => {
        if (labelId === null) return true;
        const message = this.mailbox.message(entry.messageId);
        return entry.labelIds.includes(labelId) || (message?.labelIds.has(labelId) ?? false);
      });
    const offset = decodePageToken(query.get("pageToken"));
    const size = pageSize(query);
    const page = entries.slice(offset, offset + size);
    const result: Record<string, unknown> = {};
    if (page.length > 0) {
      result.history = page.map((entry) => {
        const message = { id: entry.messageId, threadId: entry.threadId };
        const record: Record<string, unknown> = { id: String(entry.id), messages: [message] };
        switch (entry.type) {
          case "messageAdded":
            record.messagesAdded = [{ message: { ...message, labelIds: entry.labelIds } }];
            break;
          case "messageDeleted":
            record.messagesDeleted = [{ message }];
            break;
          case "labelAdded":
            record.labelsAdded = [{ message: this.#currentLabels(entry.messageId, message), labelIds: entry.labelIds }];
            break;
          case "labelRemoved":
            record.labelsRemoved = [
              { message: this.#currentLabels(entry.messageId, message), labelIds: entry.labelIds },
            ];
            break;
        }
        return record;
      });
    }
    if (offset + size < entries.length) result.nextPageToken = encodePageToken(offset + size);
    result.historyId = String(this.mailbox.historyId);
    return result;
  }

  #currentLabels(messageId: string, message: { id: string; threadId: string }): Record<string, unknown> {
    const stored = this.mailbox.message(messageId);
    return stored ? { ...message, labelIds: [...stored.labelIds] } : message;
  }
}
