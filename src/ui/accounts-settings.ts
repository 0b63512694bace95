import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { gmailController, type GmailController, type GmailStatus } from "../app/gmail-controller";
import { oauthRedirectUri } from "../auth/oauth-redirect";
import { GMAIL_FEATURE_SCOPES, type GmailFeature } from "../tools/gmail-scopes";
import {
  clientIdField,
  connectionNotice,
  connectionStatus,
  disconnectButton,
  settingsFormStyles,
} from "./connection-settings-parts";
import { FollowController } from "./follow-controller";
import { sharedStyles } from "./shared-styles";

/** What each permission lets Tabclaw do, in the user's words. */
const SCOPE_MEANINGS: Readonly<Record<string, string>> = {
  "https://www.googleapis.com/auth/gmail.readonly": "read your mail (gmail.readonly)",
  "https://www.googleapis.com/auth/gmail.modify": "change labels and archive (gmail.modify)",
  "https://www.googleapis.com/auth/gmail.compose": "write drafts and send replies you approve (gmail.compose)",
};

const STATUS_TEXT: Record<GmailStatus, string> = {
  not_set_up: "Not set up: Tabclaw needs your Google OAuth client ID first.",
  disconnected: "Not connected. Mail Tabclaw already read stays here; connecting again continues where it stopped.",
  connected: "Connected",
  needs_reconnect:
    "Your Gmail sign-in has expired. Gmail work is paused and continues where it stopped once you reconnect.",
};

interface FeatureToggle {
  feature: Exclude<GmailFeature, "triage">;
  label: string;
  hint: string;
}

const TOGGLES: readonly FeatureToggle[] = [
  {
    feature: "labels",
    label: "Apply labels",
    hint: "Lets triage label and archive mail in Gmail, each change after your approval. Asks Google for gmail.modify.",
  },
  {
    feature: "drafts",
    label: "Create drafts",
    hint: "Lets Tabclaw save reply drafts in Gmail, and send a reply only after you approve exactly that reply. Asks Google for gmail.compose.",
  },
];

function scopeMeaning(scope: string): string {
  return Object.hasOwn(SCOPE_MEANINGS, scope) ? (SCOPE_MEANINGS[scope] ?? scope) : scope;
}

/**
 * Settings → Accounts: the Google client ID, connecting Gmail (read-only first, labels and drafts
 * only when turned on), what Google granted, disconnecting (which revokes), and whether sign-ins
 * survive a reload.
 * @property gmail - the Gmail controller (the page's own when not given)
 */
@customElement("tabclaw-accounts-settings")
export class AccountsSettings extends LitElement {
  static override styles = [
    sharedStyles,
    settingsFormStyles,
    css`
      .check label {
        font-weight: 600;
      }
    `,
  ];

  @property({ attribute: false }) gmail: GmailController | undefined;
  /** The client ID as typed, until saved. */
  @state() private clientIdDraft: string | undefined;

  constructor() {
    super();
    new FollowController(this, () => this.gmail);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.gmail) {
      void gmailController().then((controller) => {
        this.gmail ??= controller;
      });
    }
  }

  override render() {
    const gmail = this.gmail;
    if (!gmail) return nothing;
    const status = gmail.status;
    const busy = gmail.busy !== undefined;
    const token = gmail.token;
    const features = gmail.features;
    const origin = window.location.origin;
    return html`<fieldset>
      <legend>Gmail</legend>
      ${connectionStatus(status, STATUS_TEXT[status], gmail.account, "gmail-status")}
      ${
        token
          ? html`<p data-testid="gmail-granted">
              Google granted Tabclaw to ${token.scopes.map(scopeMeaning).join("; ") || "nothing yet"}.
            </p>`
          : nothing
      }
      ${clientIdField({
        id: "google-client-id",
        label: "Google OAuth client ID",
        placeholder: gmail.buildClientId ?? "1234567890-abc.apps.googleusercontent.com",
        value: this.clientIdDraft ?? gmail.savedClientId,
        changed: this.clientIdDraft !== undefined && this.clientIdDraft !== gmail.savedClientId,
        onInput: (value) => {
          this.clientIdDraft = value;
        },
        onSave: () => void this.#saveClientId(),
        hint: html`A "Web application" client from your own Google Cloud project (steps: README, section "Gmail";
          <a href="https://console.cloud.google.com/apis/credentials" target="_blank" rel="noopener noreferrer"
            >Google Cloud → Credentials</a
          >). Register <code>${origin}</code> as an authorised JavaScript origin and
          <code>${oauthRedirectUri(origin)}</code> as an authorised redirect URI.`,
        usesBuiltIn: gmail.buildClientId !== undefined && gmail.savedClientId === "",
      })}

      <div class="row">
        ${
          status === "needs_reconnect"
            ? html`<button class="primary" type="button" ?disabled=${busy} @click=${() => void gmail.reconnect()}>
                Reconnect Gmail
              </button>`
            : nothing
        }
        ${
          status === "disconnected" || status === "not_set_up"
            ? html`<button
                class="primary"
                type="button"
                ?disabled=${busy || gmail.clientId === undefined}
                @click=${() => void gmail.connect("triage")}
              >
                Connect Gmail (read-only)
              </button>`
            : nothing
        }
        ${
          status === "connected"
            ? html`<button type="button" ?disabled=${busy} @click=${() => void gmail.syncNow()}>
                Check Gmail now
              </button>`
            : nothing
        }
        ${
          busy && gmail.busy !== "disconnect" && gmail.busy !== "sync"
            ? html`<button type="button" @click=${() => gmail.cancel()}>Cancel sign-in</button>`
            : nothing
        }
        ${token ? disconnectButton(busy, () => void gmail.disconnect()) : nothing}
      </div>

      ${TOGGLES.map((toggle) => this.#toggle(gmail, toggle, features[toggle.feature], busy))}

      <div class="check">
        <input
          id="persist-tokens"
          type="checkbox"
          .checked=${gmail.persistent}
          @change=${(event: Event) => void gmail.setPersistent((event.target as HTMLInputElement).checked)}
          aria-describedby="persist-tokens-hint"
        />
        <div>
          <label for="persist-tokens">Keep sign-ins after reload (encrypted on this device)</label>
          <div id="persist-tokens-hint" class="hint muted">
            Off: sign-ins live only in this tab's memory and end with it. On: they are also stored in this browser,
            encrypted with a key the page can use but never read out. Turning it off deletes the stored copies.
          </div>
        </div>
      </div>

      ${connectionNotice(gmail.notice, "gmail-notice")}
    </fieldset>`;
  }

  #toggle(gmail: GmailController, toggle: FeatureToggle, granted: boolean, busy: boolean) {
    const id = `gmail-${toggle.feature}`;
    const connected = gmail.token !== undefined;
    return html`<div class="check">
      <input
        id=${id}
        type="checkbox"
        .checked=${granted}
        ?disabled=${busy || granted || !connected}
        @change=${(event: Event) => {
          const box = event.target as HTMLInputElement;
          // Asking opens Google's window; the box shows what Google granted once it answers.
          box.checked = false;
          void gmail.connect(toggle.feature);
        }}
        aria-describedby=${`${id}-hint`}
      />
      <div>
        <label for=${id}>${toggle.label}</label>
        <div id=${`${id}-hint`} class="hint muted">
          ${toggle.hint}
          ${
            granted
              ? toggle.feature === "drafts" && !gmail.scopes.includes(GMAIL_FEATURE_SCOPES.drafts)
                ? " Granted with Apply labels: Google's gmail.modify allows drafts too."
                : " Granted. Google cannot take back one permission alone: Disconnect withdraws them all."
              : ""
          }
          ${!connected ? " Connect Gmail first." : ""}
        </div>
      </div>
    </div>`;
  }

  async #saveClientId(): Promise<void> {
    const gmail = this.gmail;
    if (!gmail || this.clientIdDraft === undefined) return;
    await gmail.setClientId(this.clientIdDraft);
    this.clientIdDraft = undefined;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-accounts-settings": AccountsSettings;
  }
}
