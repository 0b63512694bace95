import { OAuthCancelledError } from "../auth/oauth-errors";
import { openOAuthPopup } from "../auth/oauth-popup";
import type { SlackAuthorizationRequest } from "../auth/slack-oauth";
import type { StoredToken, TokenService } from "../auth/token-vault";
import type { SlackConnector } from "../connectors/slack/slack-connector";
import { conversationDisplayName, conversationKindOf } from "../core/slack/conversation-name";
import { SLACK_POST_SCOPE, slackScopesFor } from "../core/slack/slack-scopes";
import type { AuditedFetch } from "../gate/audited-fetch";
import type { SettingsStore } from "../store/settings-store";
import { OAuthClientId } from "./oauth-client-id";
import { Observable } from "./observable";
import { ProvidedOnce } from "./provided-once";

/**
 * - `not_set_up`: no Slack client ID (Settings or build time).
 * - `disconnected`: no token.
 * - `connected`: a token Tabclaw can use or renew.
 * - `needs_reconnect`: the token expired and cannot be renewed (no token rotation): Slack work
 *   pauses, keeping its place, until the user connects again.
 */
export type SlackStatus = "not_set_up" | "disconnected" | "connected" | "needs_reconnect";

export interface SlackNotice {
  kind: "info" | "error";
  text: string;
}

/** A channel the user is in, for the digest's channel picker. */
export interface SlackChannelChoice {
  id: string;
  name: string;
}

/** The part of the token vault the controller uses (the app's `TokenVault`). */
export interface SlackVault {
  get(service: "slack"): StoredToken | undefined;
  set(service: "slack", token: StoredToken): Promise<void>;
  remove(service: "slack"): Promise<void>;
  onChange(listener: (service: TokenService) => void): () => void;
}

/** Opens Slack's authorize page and resolves with what came back to the redirect page. */
export type SlackAuthorize = (url: URL, state: string, signal: AbortSignal) => Promise<URLSearchParams>;

export interface SlackControllerOptions {
  settings: SettingsStore;
  vault: SlackVault;
  connector: SlackConnector;
  /** Requests made outside an action (the code exchange, revoking, listing channels): audited too. */
  fetch: AuditedFetch;
  /** Where Slack sends the user back (`oauthRedirectUri(origin)`). */
  redirectUri: string;
  /** `VITE_SLACK_CLIENT_ID` from the build, used when Settings has none. */
  buildClientId?: string;
  authorize?: SlackAuthorize;
  now?: () => number;
}

const popupAuthorize: SlackAuthorize = (url, state, signal) => openOAuthPopup(url, state, { service: "Slack", signal });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Slack's connection as Settings → Slack shows it: status, who is connected, what Slack granted,
 * the channels the digest reads, and the actions (connect, with or without posting; disconnect,
 * which revokes the token at Slack). Connect opens Slack's window: call it straight from a click.
 * The PKCE verifier and state are prepared ahead, so the window opens before any await.
 */
export class SlackController extends Observable {
  readonly #options: SlackControllerOptions;
  readonly #now: () => number;
  readonly #authorize: SlackAuthorize;
  readonly #clientId: OAuthClientId;
  #prepared: { request: SlackAuthorizationRequest; posting: boolean } | undefined;
  #abort: AbortController | undefined;
  /** Whether Connect asks for `chat:write` too (the "Post replies I approve" box). */
  posting = false;
  chosenChannels: string[] = [];
  /** Channels the user is in, once loaded. */
  availableChannels: SlackChannelChoice[] | undefined;
  busy: "connect" | "disconnect" | "channels" | undefined;
  notice: SlackNotice | undefined;

  constructor(options: SlackControllerOptions) {
    super();
    this.#options = options;
    this.#clientId = new OAuthClientId(options.settings, "slackClientId", options.buildClientId);
    this.#now = options.now ?? Date.now;
    this.#authorize = options.authorize ?? popupAuthorize;
    options.vault.onChange((service) => {
      if (service === "slack") this.changed();
    });
  }

  async init(): Promise<void> {
    await this.#clientId.load();
    this.chosenChannels = await this.#options.settings.get("slackChannels");
    this.posting = this.token?.scopes.includes(SLACK_POST_SCOPE) ?? false;
    this.changed();
    await this.prepare();
  }

  /** The client ID typed in Settings (empty when the build-time one is used). */
  get savedClientId(): string {
    return this.#clientId.saved;
  }

  get buildClientId(): string | undefined {
    return this.#clientId.built;
  }

  /** The client ID a sign-in will use. */
  get clientId(): string | undefined {
    return this.#clientId.effective;
  }

  get redirectUri(): string {
    return this.#options.redirectUri;
  }

  get token(): StoredToken | undefined {
    return this.#options.vault.get("slack");
  }

  get status(): SlackStatus {
    const token = this.token;
    if (token === undefined) return this.clientId === undefined ? "not_set_up" : "disconnected";
    const expired = token.expiresAt !== undefined && token.expiresAt <= this.#now();
    return expired && token.refreshToken === undefined ? "needs_reconnect" : "connected";
  }

  get scopes(): readonly string[] {
    return this.token?.scopes ?? [];
  }

  /** Whether the token lets Tabclaw post the replies the user approves. */
  get canPost(): boolean {
    return this.scopes.includes(SLACK_POST_SCOPE);
  }

  /** `U…@Workspace`, as the token records it. */
  get account(): string | undefined {
    return this.token?.account;
  }

  async setClientId(value: string): Promise<void> {
    const saved = await this.#clientId.save(value);
    this.notice = {
      kind: "info",
      text: saved === "cleared" ? "Client ID cleared." : "Client ID saved. Press Connect Slack to sign in with it.",
    };
    this.changed();
    await this.prepare();
  }

  /** Posting on or off for the next Connect (posting needs Slack's chat:write). */
  async setPosting(on: boolean): Promise<void> {
    this.posting = on;
    this.changed();
    await this.prepare();
  }

  /** Makes the next sign-in's verifier, challenge and state, so Connect can open the window at once. */
  async prepare(): Promise<void> {
    const clientId = this.clientId;
    if (clientId === undefined) {
      this.#prepared = undefined;
      return;
    }
    const posting = this.posting;
    const { prepareSlackAuthorization } = await slackOAuth();
    const request = await prepareSlackAuthorization({
      clientId,
      redirectUri: this.#options.redirectUri,
      scopes: slackScopesFor(posting),
    });
    // A later change (client ID, posting) may have prepared another meanwhile: the last one wins.
    if (this.clientId === clientId && this.posting === posting) this.#prepared = { request, posting };
  }

  /**
   * Connect (or reconnect): opens Slack's window with the prepared PKCE challenge before any await,
   * then exchanges the code and keeps the token. A different account or workspace starts the
   * digest afresh.
   */
  async connect(): Promise<boolean> {
    const clientId = this.clientId;
    if (clientId === undefined) {
      this.notice = { kind: "error", text: "Enter the Slack app's client ID first (Settings → Slack)." };
      this.changed();
      return false;
    }
    const ready = this.#prepared;
    const prepared =
      ready !== undefined && ready.request.clientId === clientId && ready.posting === this.posting ? ready : undefined;
    this.#prepared = undefined;
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    const redirectUri = this.#options.redirectUri;
    const scopes = slackScopesFor(this.posting);
    // With a prepared request the window opens now, inside the click; otherwise after one digest.
    const signingIn = prepared
      ? this.#signIn(prepared.request, abort.signal)
      : slackOAuth()
          .then(({ prepareSlackAuthorization }) => prepareSlackAuthorization({ clientId, redirectUri, scopes }))
          .then((request) => this.#signIn(request, abort.signal));
    this.busy = "connect";
    this.notice = { kind: "info", text: "Waiting for you in Slack's window…" };
    this.changed();
    try {
      const account = await signingIn;
      this.notice = { kind: "info", text: `Connected to Slack as ${account}.` };
      return true;
    } catch (error) {
      this.notice =
        error instanceof OAuthCancelledError
          ? { kind: "info", text: error.message }
          : { kind: "error", text: error instanceof Error ? error.message : String(error) };
      return false;
    } finally {
      if (this.#abort === abort) this.#abort = undefined;
      this.busy = undefined;
      this.changed();
      void this.prepare();
    }
  }

  /** Closes Slack's window if one is open. */
  cancel(): void {
    this.#abort?.abort();
  }

  /** Revokes the token at Slack (`auth.revoke`), forgets it here, and forgets where the digest was. */
  async disconnect(): Promise<void> {
    if (!this.token) return;
    this.busy = "disconnect";
    this.notice = undefined;
    this.changed();
    // Forgotten here whatever Slack answers; the notice says when Slack did not confirm.
    const revoked = await this.#options.connector
      .client(this.#options.fetch)
      .call("auth.revoke")
      .then((answer) => answer.revoked === true)
      .catch(() => false);
    try {
      await this.#options.vault.remove("slack");
      await this.#options.connector.forget();
      this.availableChannels = undefined;
      this.notice = revoked
        ? { kind: "info", text: "Disconnected. Slack revoked Tabclaw's token." }
        : {
            kind: "error",
            text:
              "Disconnected here, but Slack did not confirm the revocation. Remove Tabclaw under your workspace's " +
              "Manage apps page (or the app's Installed App Settings) to be sure.",
          };
    } finally {
      this.busy = undefined;
      this.changed();
    }
  }

  /** The public and private channels the user is in, for choosing what the digest reads. */
  async loadChannels(): Promise<void> {
    this.busy = "channels";
    this.changed();
    try {
      const client = this.#options.connector.client(this.#options.fetch);
      const found: SlackChannelChoice[] = [];
      let cursor: string | undefined;
      do {
        const answer = await client.call("conversations.list", {
          types: "public_channel,private_channel",
          exclude_archived: true,
          limit: 200,
          ...(cursor !== undefined ? { cursor } : {}),
        });
        for (const channel of Array.isArray(answer.channels) ? answer.channels : []) {
          if (!isRecord(channel) || typeof channel.id !== "string" || channel.is_member !== true) continue;
          const name = typeof channel.name === "string" ? channel.name : channel.id;
          found.push({ id: channel.id, name: conversationDisplayName({ kind: conversationKindOf(channel), name }) });
        }
        const metadata = isRecord(answer.response_metadata) ? answer.response_metadata : {};
        cursor =
          typeof metadata.next_cursor === "string" && metadata.next_cursor !== "" ? metadata.next_cursor : undefined;
      } while (cursor !== undefined && found.length < 1_000);
      this.availableChannels = found.sort((a, b) => a.name.localeCompare(b.name));
      this.notice = undefined;
    } catch (error) {
      this.notice = { kind: "error", text: error instanceof Error ? error.message : String(error) };
    } finally {
      this.busy = undefined;
      this.changed();
    }
  }

  /** The channels the digest reads besides mentions and direct messages. */
  async setChannels(ids: readonly string[]): Promise<void> {
    const unique = [...new Set(ids.map((id) => id.trim()).filter((id) => /^[CG][A-Z0-9]{8,}$/.test(id)))];
    await this.#options.settings.set("slackChannels", unique);
    this.chosenChannels = unique;
    this.notice = {
      kind: "info",
      text:
        unique.length === 0
          ? "The digest reads mentions of you and direct messages only."
          : `The digest also reads ${unique.length} channel${unique.length === 1 ? "" : "s"}.`,
    };
    this.changed();
  }

  async #signIn(request: SlackAuthorizationRequest, signal: AbortSignal): Promise<string> {
    const callback = await this.#authorize(request.url, request.state, signal);
    const { exchangeSlackCode } = await slackOAuth();
    const grant = await exchangeSlackCode({ request, callback, fetch: this.#options.fetch, now: this.#now() });
    const previous = (await this.#options.connector.cursor()).identity;
    if (previous !== undefined && (previous.userId !== grant.userId || previous.teamId !== grant.teamId)) {
      await this.#options.connector.forget();
    }
    await this.#options.vault.set("slack", grant.token);
    this.posting = grant.token.scopes.includes(SLACK_POST_SCOPE);
    return `${grant.userId} in ${grant.teamName}`;
  }
}

/** The sign-in code and oauth4webapi, loaded when Slack is set up or connected rather than with the page. */
function slackOAuth(): Promise<typeof import("../auth/slack-oauth")> {
  return import("../auth/slack-oauth");
}

const provided = new ProvidedOnce<SlackController>();

/** Called once by Services, so Settings → Slack finds the controller wherever it is shown. */
export function provideSlackController(controller: SlackController): void {
  provided.provide(controller);
}

/** The page's Slack controller, once Services has made it. */
export function slackController(): Promise<SlackController> {
  return provided.get();
}
