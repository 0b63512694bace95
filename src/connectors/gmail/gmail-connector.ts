import type { ToolResult } from "../../core/agent/action";
import type { AnyToolDefinition } from "../../core/agent/tool";
import type { AuditedFetch } from "../../gate/audited-fetch";
import type { Connector } from "../../gate/connector";
import type { StoredToken, TokenVault } from "../../auth/token-vault";
import type { ConnectorState } from "../../store/connector-state";
import type { MailRecord } from "../../store/mail-record";
import type { MailStore } from "../../store/mail-store";
import { featureOfScope, GMAIL_FEATURE_TITLES, scopeGranted } from "../../tools/gmail-scopes";
import { GMAIL_TOOLS } from "../../tools/gmail-tools";
import { GmailClient, type GmailClientOptions, type GmailLabel } from "./gmail-client";
import { GmailRequestError, ReconnectNeededError, ScopeNeededError } from "./gmail-errors";
import { gmailMessageIdOf } from "./gmail-mail-record";
import { syncGmail, type GmailSyncResult } from "./gmail-sync";

/** A token this close to its end is treated as expired: a call started now might outlive it. */
export const TOKEN_EXPIRY_MARGIN_MS = 60_000;
/** How much of a loaded body the agent gets back (the whole mail is in the mail store). */
const MESSAGE_RESULT_CHARACTERS = 6_000;

export function tokenUsable(token: StoredToken | undefined, now: number): token is StoredToken {
  return token !== undefined && (token.expiresAt === undefined || token.expiresAt - TOKEN_EXPIRY_MARGIN_MS > now);
}

export interface GmailConnectorOptions {
  vault: TokenVault;
  mail: MailStore;
  state: ConnectorState;
  now?: () => number;
  /** Backoff tuning (tests make sleeps instant). */
  client?: Omit<GmailClientOptions, "fetch" | "accessToken">;
  /** Told after mail was stored or changed (the app announces it to every tab). */
  onMailChanged?: () => void;
}

const TOOLS_BY_NAME = new Map<string, AnyToolDefinition>(GMAIL_TOOLS.map((tool) => [tool.name, tool]));

function stringArgument(args: Readonly<Record<string, unknown>>, name: string): string {
  const value = args[name];
  if (typeof value !== "string") throw new TypeError(`The argument "${name}" must be text.`);
  return value;
}

/** Runs a task alone across tabs where Web Locks exist (two syncs at once would read the same mail twice). */
async function alone<T>(name: string, task: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return task();
  return locks.request(name, task);
}

/**
 * The `gmail` connector: runs the six Gmail tools for the Gate, with the Google token from the
 * vault, through the AuditedFetch the Gate passes. It checks the token and its scopes before any
 * request (nothing is spent on a call that would be refused), and marks the token expired when
 * Google answers 401, so Settings, the inbox and the briefing say "reconnect".
 */
export class GmailConnector implements Connector {
  readonly name = "gmail";
  readonly #options: GmailConnectorOptions;
  readonly #now: () => number;
  /** Label name → id for the signed-in account: one labels.list per session instead of one per mail. */
  #labels: { account: string | undefined; byName: Map<string, string> } | undefined;

  constructor(options: GmailConnectorOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  connected(): boolean {
    return tokenUsable(this.#options.vault.get("google"), this.#now());
  }

  async execute(tool: string, args: Readonly<Record<string, unknown>>, audit: AuditedFetch): Promise<ToolResult> {
    const declaration = TOOLS_BY_NAME.get(tool);
    if (!declaration) throw new Error(`The Gmail connector has no tool "${tool}".`);
    const token = this.#options.vault.get("google");
    if (token === undefined) throw new ReconnectNeededError("Gmail is not connected");
    if (!tokenUsable(token, this.#now())) throw new ReconnectNeededError();
    const scope = declaration.scope;
    if (scope !== undefined && !scopeGranted(token.scopes, scope)) {
      const feature = featureOfScope(scope);
      throw new ScopeNeededError(scope, feature !== undefined ? GMAIL_FEATURE_TITLES[feature] : undefined);
    }
    const client = new GmailClient({ ...this.#options.client, fetch: audit, accessToken: token.accessToken });
    try {
      return await this.#run(tool, args, client, token);
    } catch (error) {
      if (error instanceof ReconnectNeededError) await this.#expire(token);
      throw error;
    }
  }

  async #run(
    tool: string,
    args: Readonly<Record<string, unknown>>,
    client: GmailClient,
    token: StoredToken,
  ): Promise<ToolResult> {
    switch (tool) {
      case "gmail_sync":
        return this.#sync(client, token);
      case "gmail_get_message":
        return this.#getMessage(client, stringArgument(args, "mailId"));
      case "gmail_apply_label":
        return this.#applyLabel(client, token, stringArgument(args, "mailId"), stringArgument(args, "label"));
      case "gmail_archive":
        return this.#archive(client, stringArgument(args, "mailId"));
      case "gmail_create_draft":
      case "gmail_send_reply":
        return this.#reply(tool, client, {
          mailId: stringArgument(args, "mailId"),
          to: stringArgument(args, "to"),
          subject: stringArgument(args, "subject"),
          body: stringArgument(args, "body"),
        });
      default:
        throw new Error(`The Gmail connector has no tool "${tool}".`);
    }
  }

  async #sync(client: GmailClient, token: StoredToken): Promise<ToolResult> {
    const result: GmailSyncResult = await alone("tabclaw-gmail-sync", () =>
      syncGmail({
        client,
        mail: this.#options.mail,
        state: this.#options.state,
        now: this.#now,
        onStored: () => this.#options.onMailChanged?.(),
      }),
    );
    if (token.account !== result.account) await this.#remember(token, { account: result.account });
    const parts = [`${result.stored} new mail${result.stored === 1 ? "" : "s"} stored from Gmail (${result.account})`];
    if (result.alreadyStored > 0) parts.push(`${result.alreadyStored} already in Tabclaw`);
    if (result.vanished > 0) parts.push(`${result.vanished} deleted in Gmail before they could be read`);
    if (result.mode === "relist")
      parts.push("Gmail no longer had the history since the last sync, so the newest inbox mail was read again");
    return { content: `${parts.join("; ")}.`, trusted: true };
  }

  async #getMessage(client: GmailClient, mailId: string): Promise<ToolResult> {
    const messageId = this.#messageIdOf(mailId);
    const message = await client.getRaw(messageId);
    const raw = message.raw ?? new Uint8Array();
    const now = this.#now();
    // The MIME parser is loaded when a mail is first read, not with the page.
    const { mailFromMime } = await import("../../mail/mail-from-mime");
    const { mail: parsed } = await mailFromMime(
      raw,
      {
        source: "gmail",
        sourceId: messageId,
        id: mailId,
        threadId: message.threadId,
        labels: message.labelIds,
        ...(message.internalDate !== undefined ? { receivedAt: message.internalDate } : {}),
      },
      now,
    );
    const loaded = await this.#options.mail.update(mailId, (stored) => withBody(stored, parsed));
    if (!loaded)
      await this.#options.mail.addNew([{ ...parsed, receivedAt: message.internalDate ?? parsed.receivedAt }]);
    this.#options.onMailChanged?.();
    const mail = loaded ?? parsed;
    const header = [
      `From: ${mail.from ? (mail.from.name ? `${mail.from.name} <${mail.from.address}>` : mail.from.address) : "(unknown)"}`,
      `Subject: ${mail.subject}`,
      `Date: ${new Date(mail.receivedAt).toISOString()}`,
    ].join("\n");
    const text =
      mail.text.length > MESSAGE_RESULT_CHARACTERS ? `${mail.text.slice(0, MESSAGE_RESULT_CHARACTERS)}…` : mail.text;
    return { content: `${header}\n\n${text}`, trusted: false, source: mailId };
  }

  async #applyLabel(client: GmailClient, token: StoredToken, mailId: string, name: string): Promise<ToolResult> {
    const messageId = this.#messageIdOf(mailId);
    const labelName = name.trim();
    if (labelName === "") throw new TypeError("A label needs a name.");
    let labelId = await this.#labelId(client, token, labelName);
    let changed;
    try {
      changed = await client.modifyLabels(messageId, [labelId], []);
    } catch (error) {
      // The cached id may belong to a label deleted in Gmail since: look it up (or create it) once more.
      if (!(error instanceof GmailRequestError) || error.status !== 400) throw error;
      this.#labels = undefined;
      labelId = await this.#labelId(client, token, labelName);
      changed = await client.modifyLabels(messageId, [labelId], []);
    }
    await this.#storeLabels(mailId, changed.labelIds);
    return { content: `Labelled the mail "${labelName}" in Gmail.`, trusted: true };
  }

  async #archive(client: GmailClient, mailId: string): Promise<ToolResult> {
    const changed = await client.modifyLabels(this.#messageIdOf(mailId), [], ["INBOX"]);
    await this.#storeLabels(mailId, changed.labelIds);
    return { content: "Archived the mail in Gmail (it is out of the inbox, not deleted).", trusted: true };
  }

  async #reply(
    tool: "gmail_create_draft" | "gmail_send_reply",
    client: GmailClient,
    reply: { mailId: string; to: string; subject: string; body: string },
  ): Promise<ToolResult> {
    this.#messageIdOf(reply.mailId);
    const original = await this.#options.mail.get(reply.mailId);
    if (!original) {
      throw new Error(
        "That mail is no longer in Tabclaw, so the reply could not be threaded. Sync Gmail and try again.",
      );
    }
    // The address parser comes with the MIME parser: loaded for the first reply, not with the page.
    const { buildReplyMessage, toBase64Url } = await import("./reply-message");
    const raw = toBase64Url(
      buildReplyMessage({
        to: reply.to,
        subject: reply.subject,
        body: reply.body,
        original,
        date: new Date(this.#now()),
      }),
    );
    if (tool === "gmail_create_draft") {
      const draft = await client.createDraft(raw, original.threadId);
      return {
        content: `Saved a reply draft to ${reply.to} in Gmail (draft ${draft.draftId}); nothing was sent.`,
        trusted: true,
      };
    }
    const sent = await client.send(raw, original.threadId);
    return { content: `Sent the reply to ${reply.to} from Gmail (message ${sent.id}).`, trusted: true };
  }

  #messageIdOf(mailId: string): string {
    const messageId = gmailMessageIdOf(mailId);
    if (messageId === undefined)
      throw new TypeError(`"${mailId}" is not a Gmail mail (its id must start with gmail:).`);
    return messageId;
  }

  async #labelId(client: GmailClient, token: StoredToken, name: string): Promise<string> {
    if (this.#labels?.account !== token.account) this.#labels = undefined;
    const cached = this.#labels?.byName.get(name.toLowerCase());
    if (cached !== undefined) return cached;
    if (!this.#labels) {
      const labels = await client.listLabels();
      this.#labels = {
        account: token.account,
        byName: new Map(labels.map((label) => [label.name.toLowerCase(), label.id])),
      };
      const listed = this.#labels.byName.get(name.toLowerCase());
      if (listed !== undefined) return listed;
    }
    let created: GmailLabel;
    try {
      created = await client.createLabel(name);
    } catch (error) {
      // Made meanwhile (another tab, the user): read the list again.
      if (!(error instanceof GmailRequestError) || error.status !== 409) throw error;
      const found = (await client.listLabels()).find((label) => label.name.toLowerCase() === name.toLowerCase());
      if (!found) throw error;
      created = found;
    }
    this.#labels?.byName.set(created.name.toLowerCase(), created.id);
    return created.id;
  }

  async #storeLabels(mailId: string, labels: string[]): Promise<void> {
    const changed = await this.#options.mail.update(mailId, (mail) => ({ ...mail, labels }));
    if (changed) this.#options.onMailChanged?.();
  }

  /** Keeps the token but makes it read as expired: "needs reconnect", and the reconnect asks for the same scopes. */
  async #expire(token: StoredToken): Promise<void> {
    await this.#remember(token, { expiresAt: this.#now() });
  }

  /** Changes the stored token only if it is still the one this call used (a reconnect may have replaced it). */
  async #remember(token: StoredToken, change: Partial<StoredToken>): Promise<void> {
    const current = this.#options.vault.get("google");
    if (current?.accessToken !== token.accessToken) return;
    await this.#options.vault.set("google", { ...current, ...change });
  }
}

/** A stored mail with the body a raw read brought, keeping what Tabclaw decided about it (triage, status). */
function withBody(stored: MailRecord, parsed: MailRecord): MailRecord {
  const { problem, ...fromRaw } = parsed;
  // The stored mail's own problem (read from metadata) gives way to what reading the whole mail found.
  const kept: MailRecord = { ...stored };
  delete kept.problem;
  return {
    ...kept,
    ...fromRaw,
    id: stored.id,
    receivedAt: stored.receivedAt,
    snippet: stored.snippet !== "" ? stored.snippet : parsed.snippet,
    status: stored.status,
    ...(stored.triage ? { triage: stored.triage } : {}),
    storedAt: stored.storedAt,
    bodyLoaded: true,
    ...(problem !== undefined ? { problem } : {}),
  };
}
