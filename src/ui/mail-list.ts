import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import type { MailRecord, MailRule } from "../store/mail-record";
import { describeDecision } from "./mail-category-labels";
import { sharedStyles } from "./shared-styles";

export interface OpenMailEventDetail {
  id: string;
}

/** The sender as a list shows it: their name, else their address. */
export function senderLabel(mail: MailRecord): string {
  return mail.from?.name?.trim() || mail.from?.address || "(no sender)";
}

/**
 * The mails of one inbox category, newest first: sender, date, subject, the model's one-line
 * summary (or the mail's own snippet), who filed it, and a mark when it could not be read completely.
 * @property mails - the mails to list
 * @property rules - the user's rules, to name the one that filed a mail
 * @property selectedId - the open mail
 * @fires open-mail - `{id}`: the user opened a mail
 */
@customElement("tabclaw-mail-list")
export class MailList extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: 0.35rem;
      }
      button.mail {
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 0.1rem 0.75rem;
        width: 100%;
        text-align: left;
        background: var(--bg);
        padding: 0.5rem 0.75rem;
      }
      button.mail[aria-current="true"] {
        border-color: var(--accent);
        box-shadow: inset 4px 0 0 var(--accent);
      }
      .from {
        font-weight: 600;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .subject,
      .summary,
      .meta {
        grid-column: 1 / -1;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .summary,
      .meta {
        font-size: 0.9rem;
      }
      .problem {
        color: var(--danger);
        font-weight: 600;
      }
    `,
  ];

  @property({ attribute: false }) mails: readonly MailRecord[] = [];
  @property({ attribute: false }) rules: readonly MailRule[] = [];
  @property({ attribute: false }) selectedId: string | undefined;

  override render() {
    return html`<ol data-testid="mail-list">
      ${repeat(
        this.mails,
        (mail) => mail.id,
        (mail) =>
          html`<li>
            <button
              class="mail"
              data-mail-id=${mail.id}
              aria-current=${mail.id === this.selectedId ? "true" : "false"}
              @click=${() => this.#open(mail.id)}
            >
              <span class="from">${senderLabel(mail)}</span>
              <time datetime=${new Date(mail.receivedAt).toISOString()}
                >${new Date(mail.receivedAt).toLocaleDateString()}</time
              >
              <span class="subject">${mail.subject || "(no subject)"}</span>
              <span class="summary muted">${mail.triage?.summary ?? mail.snippet}</span>
              <span class="meta muted"
                >${describeDecision(mail, this.rules)} ·
                ${mail.source === "gmail" ? "Gmail" : "Imported"}${
                  mail.problem !== undefined ? html` · <span class="problem">Not read completely</span>` : nothing
                }</span
              >
            </button>
          </li>`,
      )}
    </ol>`;
  }

  #open(id: string): void {
    this.dispatchEvent(
      new CustomEvent<OpenMailEventDetail>("open-mail", { detail: { id }, bubbles: true, composed: true }),
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-mail-list": MailList;
  }
}
