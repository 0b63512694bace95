import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import { INBOX_CATEGORIES, type InboxCategory, type InboxController } from "../app/inbox-controller";
import { INBOX_CATEGORY_TITLES } from "./mail-category-labels";
import "./mail-image-senders";
import type { RemoteImagesEventDetail } from "./mail-image-senders";
import "./mail-import-panel";
import "./mail-list";
import type { OpenMailEventDetail } from "./mail-list";
import "./mail-reader";
import "./mail-rules-list";
import type { DeleteRuleEventDetail } from "./mail-rules-list";
import { FollowController } from "./follow-controller";
import { panelStyles, sharedStyles } from "./shared-styles";

/**
 * Inbox: mail triaged on this device, by category with counts, each with its one-line summary and
 * who filed it; the open mail beside the list; the user's mail rules and the senders allowed to
 * load remote images. Without mail it explains the two ways in: a mailbox file, or Gmail.
 * @property inbox - the inbox controller
 * @fires open-settings - the user wants Settings (to connect Gmail under Accounts)
 */
@customElement("tabclaw-inbox-view")
export class InboxView extends LitElement {
  static override styles = [
    sharedStyles,
    panelStyles,
    css`
      .intro,
      .empty {
        max-width: 48rem;
      }
      .toolbar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 1rem;
        margin-bottom: 0.75rem;
      }
      nav ul {
        list-style: none;
        display: flex;
        flex-wrap: wrap;
        gap: 0.35rem;
        padding: 0;
        margin: 0 0 0.75rem;
      }
      nav button[aria-pressed="true"] {
        background: var(--accent);
        color: var(--accent-fg);
        border-color: var(--accent);
      }
      .count {
        font-weight: 700;
      }
      .columns {
        display: flex;
        flex-wrap: wrap;
        gap: 1rem;
        align-items: flex-start;
      }
      .columns > .list {
        flex: 1 1 20rem;
        min-width: 0;
        max-width: 32rem;
      }
      .columns > .reader {
        flex: 2 1 28rem;
        min-width: 0;
      }
      section.more {
        max-width: 48rem;
        margin-top: 1.5rem;
      }
      .ways {
        padding-left: 1.25rem;
      }
      .ways li {
        margin: 0.5rem 0;
      }
    `,
  ];

  @property({ attribute: false }) inbox: InboxController | undefined;
  constructor() {
    super();
    new FollowController(
      this,
      () => this.inbox,
      (inbox) => void inbox.refresh(),
    );
  }

  override render() {
    const inbox = this.inbox;
    if (!inbox) return nothing;
    return html`<h2>Inbox</h2>
      <p class="intro muted">
        Mail is sorted on this device: rules first (yours, then Tabclaw's), then the model for the rest. Mail is data to
        the model, never instructions, and nothing is sent or changed in Gmail without your approval.
      </p>
      ${inbox.error ? html`<p class="error" role="alert">${inbox.error}</p>` : nothing} ${this.#toolbar(inbox)}
      ${inbox.loaded && inbox.total === 0 ? this.#empty() : inbox.loaded ? this.#mail(inbox) : nothing}
      ${inbox.loaded ? this.#settings(inbox) : nothing}`;
  }

  #toolbar(inbox: InboxController) {
    if (!inbox.canTriageNow && !(inbox.notice && inbox.notice.mailId === undefined)) return nothing;
    const notice = inbox.notice?.mailId === undefined ? inbox.notice : undefined;
    return html`<div class="toolbar">
      ${
        inbox.canTriageNow
          ? html`<button class="primary" ?disabled=${inbox.triaging} @click=${() => void inbox.triageNow()}>
              ${inbox.triaging ? "Triaging…" : "Triage now"}
            </button>`
          : nothing
      }
      <span role="status" class=${notice?.tone === "error" ? "error" : ""} data-testid="inbox-notice"
        >${notice?.text ?? ""}</span
      >
    </div>`;
  }

  #empty() {
    return html`<section class="empty" data-testid="inbox-empty" aria-labelledby="inbox-empty-title">
      <h3 id="inbox-empty-title">No mail yet</h3>
      <p>There are two ways to bring mail in. Either way, triage runs here, on this device.</p>
      <ol class="ways">
        <li>
          <strong>Import a mailbox file</strong>: an <code>.mbox</code> file (a Google Takeout export of Gmail, or
          Thunderbird's folders) or single <code>.eml</code> messages. No account is needed, and the file never leaves
          this device.
          <tabclaw-mail-import-panel></tabclaw-mail-import-panel>
        </li>
        <li>
          <strong>Connect Gmail</strong> in Settings → Accounts. Tabclaw asks Google only for read access to start with,
          and for more only when you turn on labels or drafts.
          <button @click=${() => this.#openSettings()}>Open Settings</button>
        </li>
      </ol>
    </section>`;
  }

  #mail(inbox: InboxController) {
    const counts = inbox.counts;
    const category = inbox.category;
    return html`<nav aria-label="Mail categories">
        <ul>
          ${INBOX_CATEGORIES.map(
            (candidate) =>
              html`<li>
                <button
                  data-category=${candidate}
                  aria-pressed=${candidate === category ? "true" : "false"}
                  @click=${() => void inbox.select(candidate)}
                >
                  ${INBOX_CATEGORY_TITLES[candidate]} <span class="count">${counts?.[candidate] ?? 0}</span>
                </button>
              </li>`,
          )}
        </ul>
      </nav>
      <div class="columns">
        <section class="list" aria-labelledby="list-title">
          <h3 id="list-title">${category ? INBOX_CATEGORY_TITLES[category] : "Mail"}</h3>
          ${this.#list(inbox, category)}
        </section>
        <section class="reader" aria-label="Open mail">
          ${
            inbox.open
              ? html`<tabclaw-mail-reader .inbox=${inbox} .mail=${inbox.open}></tabclaw-mail-reader>`
              : html`<p class="muted">Pick a mail to read it.</p>`
          }
        </section>
      </div>`;
  }

  #list(inbox: InboxController, category: InboxCategory | undefined) {
    if (inbox.list.length === 0) {
      return html`<p class="muted" data-testid="mail-list-empty">
        ${category === "new" ? "Everything has been triaged." : "No mail is filed here."}
      </p>`;
    }
    return html`<tabclaw-mail-list
        .mails=${inbox.list}
        .rules=${inbox.rules}
        .selectedId=${inbox.open?.id}
        @open-mail=${(event: CustomEvent<OpenMailEventDetail>) => void inbox.openMail(event.detail.id)}
      ></tabclaw-mail-list>
      ${inbox.hasMore ? html`<button @click=${() => void inbox.showMore()}>Show more</button>` : nothing}`;
  }

  #settings(inbox: InboxController) {
    return html`${
        inbox.total > 0
          ? html`<section class="more" aria-labelledby="import-title">
              <h3 id="import-title">Import more mail</h3>
              <tabclaw-mail-import-panel></tabclaw-mail-import-panel>
            </section>`
          : nothing
      }
      <section class="more" aria-labelledby="rules-title">
        <h3 id="rules-title">Your mail rules</h3>
        <tabclaw-mail-rules-list
          .rules=${inbox.rules}
          @delete-rule=${(event: CustomEvent<DeleteRuleEventDetail>) => void inbox.deleteRule(event.detail.id)}
        ></tabclaw-mail-rules-list>
      </section>
      <section class="more" aria-labelledby="images-title">
        <h3 id="images-title">Remote images</h3>
        <tabclaw-mail-image-senders
          .senders=${inbox.imageSenders}
          @remote-images=${(event: CustomEvent<RemoteImagesEventDetail>) =>
            void inbox.setRemoteImages(event.detail.sender, event.detail.allowed)}
        ></tabclaw-mail-image-senders>
      </section>`;
  }

  #openSettings(): void {
    this.dispatchEvent(new CustomEvent("open-settings", { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-inbox-view": InboxView;
  }
}
