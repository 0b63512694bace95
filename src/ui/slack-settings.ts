import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { slackController, type SlackController, type SlackStatus } from "../app/slack-controller";
import { SCOPE_FEATURES } from "../connectors/slack/slack-errors";
import {
  clientIdField,
  connectionNotice,
  connectionStatus,
  disconnectButton,
  settingsFormStyles,
} from "./connection-settings-parts";
import { FollowController } from "./follow-controller";
import { sharedStyles } from "./shared-styles";

const STATUS_TEXT: Record<SlackStatus, string> = {
  not_set_up: "Not set up: Tabclaw needs your Slack app's client ID first.",
  disconnected: "Not connected.",
  connected: "Connected",
  needs_reconnect:
    "Your Slack sign-in has expired and Slack gave no way to renew it. The digest is paused and continues where it stopped once you reconnect.",
};

/**
 * Settings → Slack: the Slack app's client ID, Connect (a user token, read scopes, and chat:write
 * only with "Post replies I approve"), what Slack granted, the channels the digest reads besides
 * mentions and direct messages, and Disconnect (which revokes the token at Slack).
 * @property slack - the Slack controller (the page's own when not given)
 */
@customElement("tabclaw-slack-settings")
export class SlackSettings extends LitElement {
  static override styles = [
    sharedStyles,
    settingsFormStyles,
    css`
      .check {
        margin: 0.4rem 0;
      }
      ul.scopes {
        margin: 0.25rem 0 0.5rem;
        padding-left: 1.25rem;
      }
      .channels {
        max-height: 16rem;
        overflow: auto;
        border: 1px solid var(--border);
        border-radius: var(--radius);
        padding: 0.25rem 0.75rem;
      }
    `,
  ];

  @property({ attribute: false }) slack: SlackController | undefined;
  /** The client ID as typed, until saved. */
  @state() private clientIdDraft: string | undefined;
  /** The channel boxes as ticked, until saved. */
  @state() private channelDraft: string[] | undefined;

  constructor() {
    super();
    new FollowController(this, () => this.slack);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.slack) {
      void slackController().then((controller) => {
        this.slack ??= controller;
      });
    }
  }

  override render() {
    const slack = this.slack;
    if (!slack) return nothing;
    const status = slack.status;
    const busy = slack.busy !== undefined;
    const token = slack.token;
    return html`<fieldset>
      <legend>Slack</legend>
      ${connectionStatus(status, STATUS_TEXT[status], slack.account, "slack-status")}
      ${
        token
          ? html`<div data-testid="slack-granted">
              Slack granted Tabclaw:
              <ul class="scopes">
                ${token.scopes.map(
                  (scope) =>
                    html`<li><code>${scope}</code>${SCOPE_FEATURES[scope] ? `: ${SCOPE_FEATURES[scope]}` : ""}</li>`,
                )}
              </ul>
            </div>`
          : nothing
      }
      ${clientIdField({
        id: "slack-client-id",
        label: "Slack app client ID",
        placeholder: slack.buildClientId ?? "1234567890.1234567890123",
        value: this.clientIdDraft ?? slack.savedClientId,
        changed: this.clientIdDraft !== undefined && this.clientIdDraft !== slack.savedClientId,
        onInput: (value) => {
          this.clientIdDraft = value;
        },
        onSave: () => void this.#saveClientId(),
        hint: html`From your own Slack app with PKCE turned on (steps: README, section "Slack"). Add
          <code>${slack.redirectUri}</code> to its Redirect URLs.`,
        usesBuiltIn: slack.buildClientId !== undefined && slack.savedClientId === "",
      })}

      <div class="check">
        <input
          id="slack-posting"
          type="checkbox"
          .checked=${slack.posting}
          ?disabled=${busy}
          @change=${(event: Event) => void slack.setPosting((event.target as HTMLInputElement).checked)}
          aria-describedby="slack-posting-hint"
        />
        <div>
          <label for="slack-posting">Post replies I approve</label>
          <div id="slack-posting-hint" class="hint muted">
            Asks Slack for <code>chat:write</code> at the next Connect. Each reply is posted only after you approve the
            exact text, channel and thread.
            ${
              token !== undefined && slack.posting !== slack.canPost
                ? html`<strong>Press ${slack.canPost ? "Connect" : "Reconnect"} to apply.</strong>`
                : nothing
            }
          </div>
        </div>
      </div>

      <div class="row">
        <button
          class="primary"
          type="button"
          ?disabled=${busy || slack.clientId === undefined}
          @click=${() => void slack.connect()}
        >
          ${token ? "Reconnect Slack" : "Connect Slack"}
        </button>
        ${
          slack.busy === "connect"
            ? html`<button type="button" @click=${() => slack.cancel()}>Cancel sign-in</button>`
            : nothing
        }
        ${token ? disconnectButton(busy, () => void slack.disconnect()) : nothing}
      </div>

      ${this.#channels(slack)} ${connectionNotice(slack.notice, "slack-notice")}
    </fieldset>`;
  }

  #channels(slack: SlackController) {
    const chosen = this.channelDraft ?? slack.chosenChannels;
    const available = slack.availableChannels;
    const unknown = chosen.filter((id) => !available?.some((channel) => channel.id === id));
    const toggle = (id: string, on: boolean): void => {
      const current = this.channelDraft ?? slack.chosenChannels;
      this.channelDraft = on ? [...new Set([...current, id])] : current.filter((other) => other !== id);
    };
    return html`<fieldset>
      <legend>Channels in the digest</legend>
      <p class="hint muted">
        The digest always reads messages that mention you and your direct messages. Tick the channels it should also
        read.
      </p>
      ${
        available === undefined
          ? html`<button
              type="button"
              ?disabled=${slack.busy !== undefined || slack.token === undefined}
              @click=${() => void slack.loadChannels()}
            >
              Show my channels
            </button>`
          : html`<div class="channels" role="group" aria-label="Channels the digest reads">
              ${available.length === 0 ? html`<p class="muted">You are in no channels.</p>` : nothing}
              ${available.map(
                (channel) =>
                  html`<div class="check">
                    <input
                      id=${`slack-channel-${channel.id}`}
                      type="checkbox"
                      .checked=${chosen.includes(channel.id)}
                      @change=${(event: Event) => toggle(channel.id, (event.target as HTMLInputElement).checked)}
                    />
                    <label for=${`slack-channel-${channel.id}`}>${channel.name}</label>
                  </div>`,
              )}
            </div>`
      }
      ${
        unknown.length > 0
          ? html`<p class="hint muted">Also chosen: ${unknown.map((id) => html`<code>${id}</code> `)}</p>`
          : nothing
      }
      <div class="row">
        <button type="button" ?disabled=${this.channelDraft === undefined} @click=${() => void this.#saveChannels()}>
          Save channels
        </button>
      </div>
    </fieldset>`;
  }

  async #saveClientId(): Promise<void> {
    const slack = this.slack;
    if (!slack || this.clientIdDraft === undefined) return;
    await slack.setClientId(this.clientIdDraft);
    this.clientIdDraft = undefined;
  }

  async #saveChannels(): Promise<void> {
    const slack = this.slack;
    if (!slack || this.channelDraft === undefined) return;
    await slack.setChannels(this.channelDraft);
    this.channelDraft = undefined;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-slack-settings": SlackSettings;
  }
}
