import { GoogleClientIdMissingError, type GoogleTokenFlow, type RevokeOutcome } from "../auth/google-token-flow";
import type { ActionOutcome, ProposedAction } from "../core/agent/action";
import { OAuthCancelledError } from "../auth/oauth-errors";
import type { StoredToken, TokenVault } from "../auth/token-vault";
import { TOKEN_EXPIRY_MARGIN_MS, tokenUsable } from "../connectors/gmail/gmail-connector";
import type { SettingsStore } from "../store/settings-store";
import { OAuthClientId } from "./oauth-client-id";
import {
  GMAIL_FEATURE_SCOPES,
  GMAIL_FEATURE_TITLES,
  GMAIL_FEATURES,
  scopeGranted,
  type GmailFeature,
} from "../tools/gmail-scopes";
import { gmailSyncTool } from "../tools/gmail-tools";
import { inboxProposal } from "./mail-actions";
import { Observable } from "./observable";
import { ProvidedOnce } from "./provided-once";

/**
 * - `not_set_up`: no Google client ID (Settings or build time), so nothing can connect yet.
 * - `disconnected`: no token.
 * - `connected`: a live token; `features` says what it allows.
 * - `needs_reconnect`: the token expired (about an hour) or Google refused it: Gmail work pauses,
 *   keeping its place, until the user connects again.
 */
export type GmailStatus = "not_set_up" | "disconnected" | "connected" | "needs_reconnect";

export interface GmailNotice {
  kind: "info" | "error";
  text: string;
}

export interface GmailControllerOptions {
  settings: SettingsStore;
  vault: TokenVault;
  flow: GoogleTokenFlow;
  /** `VITE_GOOGLE_CLIENT_ID` from the build, used when Settings has none. */
  buildClientId?: string;
  /** The Gate: "Check Gmail now" proposes `gmail_sync` to it like any routine would. */
  gate?: { propose(action: ProposedAction): Promise<ActionOutcome> };
  now?: () => number;
  newId?: () => string;
}

/** Longest a browser timer may wait (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Gmail's connection as Settings, the inbox and the briefing show it: status, who is signed in, what
 * was granted, and the actions (connect a feature, reconnect, disconnect, keep sign-ins across
 * reloads). Connecting opens Google's window, so call `connect` straight from a click.
 */
export class GmailController extends Observable {
  readonly #options: GmailControllerOptions;
  readonly #now: () => number;
  readonly #clientId: OAuthClientId;
  #expiryTimer: ReturnType<typeof setTimeout> | undefined;
  #abort: AbortController | undefined;
  /** What is being done right now, for disabling buttons and saying so. */
  busy: GmailFeature | "reconnect" | "disconnect" | "sync" | undefined;
  notice: GmailNotice | undefined;

  constructor(options: GmailControllerOptions) {
    super();
    this.#options = options;
    this.#clientId = new OAuthClientId(options.settings, "googleClientId", options.buildClientId);
    this.#now = options.now ?? Date.now;
    options.vault.onChange((service) => {
      if (service !== "google") return;
      this.#watchExpiry();
      this.changed();
    });
  }

  async init(): Promise<void> {
    await this.#clientId.load();
    this.#watchExpiry();
    this.changed();
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

  get token(): StoredToken | undefined {
    return this.#options.vault.get("google");
  }

  get status(): GmailStatus {
    const token = this.token;
    if (token === undefined) return this.clientId === undefined ? "not_set_up" : "disconnected";
    return tokenUsable(token, this.#now()) ? "connected" : "needs_reconnect";
  }

  /** For the inbox and the briefing: Gmail work is paused until the user reconnects. */
  get needsReconnect(): boolean {
    return this.status === "needs_reconnect";
  }

  get account(): string | undefined {
    return this.token?.account;
  }

  get scopes(): readonly string[] {
    return this.token?.scopes ?? [];
  }

  /** Which features the granted scopes allow (whether or not the token is still live). */
  get features(): Record<GmailFeature, boolean> {
    const scopes = this.scopes;
    return Object.fromEntries(
      GMAIL_FEATURES.map((feature) => [feature, scopeGranted(scopes, GMAIL_FEATURE_SCOPES[feature])]),
    ) as Record<GmailFeature, boolean>;
  }

  get expiresAt(): number | undefined {
    return this.token?.expiresAt;
  }

  get persistent(): boolean {
    return this.#options.vault.persistent;
  }

  async setClientId(value: string): Promise<void> {
    const saved = await this.#clientId.save(value);
    this.notice = {
      kind: "info",
      text: saved === "cleared" ? "Client ID cleared." : "Client ID saved. Connect Gmail to sign in with it.",
    };
    this.changed();
  }

  /**
   * Asks Google for what `feature` needs (plus what was granted before). Opens the window before
   * its first await, so it must run inside the click handler.
   */
  async connect(feature: GmailFeature): Promise<boolean> {
    return this.#signIn(feature, [GMAIL_FEATURE_SCOPES[feature]], GMAIL_FEATURE_TITLES[feature]);
  }

  /** Signs in again for the scopes granted before (an expired token), at least read-only. */
  async reconnect(): Promise<boolean> {
    const scopes = this.scopes.length > 0 ? [] : [GMAIL_FEATURE_SCOPES.triage];
    return this.#signIn("reconnect", scopes, "Reconnect Gmail");
  }

  /** Closes Google's window if one is open. */
  cancel(): void {
    this.#abort?.abort();
  }

  /** Revokes the token at Google and forgets it here. Mail already stored stays. */
  async disconnect(): Promise<void> {
    this.busy = "disconnect";
    this.notice = undefined;
    this.changed();
    try {
      const outcome = await this.#options.flow.disconnect();
      this.notice = disconnectNotice(outcome);
    } finally {
      this.busy = undefined;
      this.changed();
    }
  }

  /**
   * Checks Gmail for new mail now, through the Gate (so the read is judged by the user's Permissions
   * and written to the audit log, like the triage routine's).
   */
  async syncNow(): Promise<void> {
    const gate = this.#options.gate;
    if (!gate) return;
    this.busy = "sync";
    this.notice = { kind: "info", text: "Checking Gmail…" };
    this.changed();
    try {
      const action = inboxProposal(gmailSyncTool, {}, "You pressed Check Gmail now in Settings → Accounts.", [], {
        id: (this.#options.newId ?? (() => crypto.randomUUID()))(),
        now: this.#now(),
      });
      this.notice = noticeOf(await gate.propose(action));
    } catch (error) {
      this.notice = { kind: "error", text: error instanceof Error ? error.message : String(error) };
    } finally {
      this.busy = undefined;
      this.changed();
    }
  }

  async setPersistent(on: boolean): Promise<void> {
    await this.#options.vault.setPersistent(on);
    this.notice = {
      kind: "info",
      text: on
        ? "Sign-ins are kept across reloads, encrypted on this device."
        : "Sign-ins are no longer kept: the stored copies were deleted. After a reload, connect again.",
    };
    this.changed();
  }

  async #signIn(busy: GmailFeature | "reconnect", scopes: string[], title: string): Promise<boolean> {
    const clientId = this.clientId;
    if (clientId === undefined) {
      this.notice = { kind: "error", text: new GoogleClientIdMissingError().message };
      this.changed();
      return false;
    }
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    // Synchronous up to window.open inside `connect`: the click's activation must still be there.
    const signingIn = this.#options.flow.connect(clientId, scopes, title, { signal: abort.signal });
    this.busy = busy;
    this.notice = { kind: "info", text: "Waiting for you in Google's window…" };
    this.changed();
    try {
      await signingIn;
      this.notice = { kind: "info", text: `${title}: done.` };
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
    }
  }

  /** Re-renders when the token crosses into "needs reconnect", so the page says so without a reload. */
  #watchExpiry(): void {
    if (this.#expiryTimer !== undefined) clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
    const expiresAt = this.token?.expiresAt;
    if (expiresAt === undefined) return;
    const wait = expiresAt - TOKEN_EXPIRY_MARGIN_MS - this.#now();
    if (wait <= 0) return;
    this.#expiryTimer = setTimeout(
      () => {
        this.#expiryTimer = undefined;
        this.changed();
      },
      Math.min(wait + 50, MAX_TIMER_MS),
    );
  }
}

const PERMISSIONS_PAGE = "https://myaccount.google.com/permissions";

function disconnectNotice(outcome: RevokeOutcome): GmailNotice {
  switch (outcome) {
    case "revoked":
      return { kind: "info", text: "Disconnected. Google no longer lets Tabclaw read or change your mail." };
    case "already_invalid":
      // An expired token cannot revoke the grant behind it; only the user's Google account page can.
      return {
        kind: "info",
        text: `Disconnected here. The sign-in had already expired, so Google could not revoke it: to withdraw Tabclaw's access completely, remove it at ${PERMISSIONS_PAGE}.`,
      };
    case "failed":
      return {
        kind: "error",
        text: `Disconnected here, but Google did not confirm the revocation. Remove Tabclaw's access at ${PERMISSIONS_PAGE} to be sure.`,
      };
  }
}

/** What became of "Check Gmail now", in words. */
function noticeOf(outcome: ActionOutcome): GmailNotice {
  switch (outcome.status) {
    case "executed":
      return { kind: "info", text: outcome.result.content };
    case "pending":
      return { kind: "info", text: "Reading Gmail waits for your approval in Approvals (your Permissions ask first)." };
    case "failed":
      return { kind: "error", text: outcome.error.message };
    case "rejected":
    case "denied":
    case "frozen":
      return { kind: "error", text: `Gmail was not checked: ${outcome.message}` };
  }
}

const provided = new ProvidedOnce<GmailController>();

/** Called once by Services, so Settings → Accounts finds the controller wherever it is shown. */
export function provideGmailController(controller: GmailController): void {
  provided.provide(controller);
}

/** The page's Gmail controller, once Services has made it. */
export function gmailController(): Promise<GmailController> {
  return provided.get();
}
