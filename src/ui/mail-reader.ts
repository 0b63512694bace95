import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { InboxController } from "../app/inbox-controller";
import { GMAIL_ARCHIVE, GMAIL_CREATE_DRAFT, GMAIL_SEND_REPLY } from "../app/mail-actions";
import { senderAddress } from "../app/mail-corrections";
import { formatBytes } from "../core/format";
import { mailFrameDocument, sanitizeMailHtml, type SanitizedMailHtml } from "../mail/sanitize-mail-html";
import { MAIL_CATEGORIES, type MailAddress, type MailCategory, type MailRecord } from "../store/mail-record";
import { describeDecision, INBOX_CATEGORY_TITLES } from "./mail-category-labels";
import "./mail-frame";
import { sharedStyles } from "./shared-styles";

function addressText(address: MailAddress): string {
  return address.name ? `${address.name} <${address.address}>` : address.address;
}

function isCategory(value: string): value is MailCategory {
  return (MAIL_CATEGORIES as readonly string[]).includes(value);
}

/** The sanitised body of one mail under one image choice, kept while neither changes. */
interface RenderedBody {
  mailId: string;
  dirty: string;
  allowed: boolean;
  sanitized: SanitizedMailHtml;
  document: string;
}

/**
 * One open mail: its headers, where it is filed and by whom (with a select to re-file it and the
 * offer to make that a rule), problems from its import, the model's summary, the body (HTML
 * sanitised in a sandboxed frame with remote images blocked until allowed for the sender, or plain
 * text), its attachments, and for mail that needs a reply the draft with the Gmail actions.
 * @property inbox - the inbox controller
 * @property mail - the mail to show
 */
@customElement("tabclaw-mail-reader")
export class MailReader extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      article {
        display: flex;
        flex-direction: column;
        gap: 0.6rem;
      }
      h3 {
        margin: 0;
        overflow-wrap: anywhere;
      }
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.1rem 0.75rem;
        margin: 0;
      }
      dt {
        font-weight: 600;
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.35rem 0.75rem;
      }
      .box {
        border: 1px solid var(--border);
        border-radius: var(--radius);
        padding: 0.5rem 0.75rem;
        background: var(--bg-raised);
      }
      .box p {
        margin: 0.2rem 0;
      }
      .problem {
        border-left: 6px solid var(--danger);
      }
      pre.text {
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        font: inherit;
        margin: 0;
        padding: 0.75rem;
        border: 1px solid var(--border);
        border-radius: var(--radius);
        max-height: min(70vh, 48rem);
        overflow-y: auto;
      }
      textarea {
        width: 100%;
        box-sizing: border-box;
        min-height: 8rem;
        background: var(--bg);
        border: 1px solid var(--border);
        border-radius: var(--radius);
        padding: 0.5rem;
      }
      select {
        background: var(--bg);
        border: 1px solid var(--border);
        border-radius: var(--radius);
        padding: 0.3rem;
      }
      ul.attachments {
        margin: 0.25rem 0;
        padding-left: 1.25rem;
      }
      h4 {
        margin: 0.25rem 0;
      }
    `,
  ];

  @property({ attribute: false }) inbox: InboxController | undefined;
  @property({ attribute: false }) mail: MailRecord | undefined;
  /** The reply as the user edits it, starting from the model's draft. */
  @state() private reply = "";
  #rendered: RenderedBody | undefined;
  #unsubscribe: (() => void) | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.inbox && !this.#unsubscribe) this.#follow();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /** The notice, the rule offer and the body's state live in the controller: follow it, not only `mail`. */
  #follow(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = this.inbox?.subscribe(() => this.requestUpdate());
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("inbox")) this.#follow();
    const before = changed.get("mail");
    if (changed.has("mail") && (before === undefined || before.id !== this.mail?.id)) {
      this.reply = this.mail?.triage?.draftReply ?? "";
    }
  }

  override render() {
    const mail = this.mail;
    const inbox = this.inbox;
    if (!mail || !inbox) return nothing;
    return html`<article aria-labelledby="mail-subject" data-mail-id=${mail.id}>
      <h3 id="mail-subject">${mail.subject || "(no subject)"}</h3>
      ${this.#headers(mail)} ${this.#filing(inbox, mail)} ${this.#notice(inbox, mail)}
      ${
        mail.problem !== undefined
          ? html`<div class="box problem" data-testid="mail-problem">
              <p><strong>This mail could not be read completely:</strong> ${mail.problem}</p>
              <p>What could be read is shown below.</p>
            </div>`
          : nothing
      }
      ${
        mail.triage?.summary !== undefined
          ? html`<p data-testid="mail-summary">
              <strong>Summary</strong> <span class="muted">(written by the model from this mail)</span>:
              ${mail.triage.summary}
            </p>`
          : nothing
      }
      ${this.#body(inbox, mail)} ${this.#attachments(mail)} ${this.#reply(inbox, mail)}
    </article>`;
  }

  #headers(mail: MailRecord) {
    return html`<dl>
      <dt>From</dt>
      <dd>${mail.from ? addressText(mail.from) : "(no sender)"}</dd>
      ${
        mail.to.length > 0
          ? html`<dt>To</dt>
              <dd>${mail.to.map(addressText).join(", ")}</dd>`
          : nothing
      }
      ${
        mail.cc.length > 0
          ? html`<dt>Cc</dt>
              <dd>${mail.cc.map(addressText).join(", ")}</dd>`
          : nothing
      }
      <dt>Date</dt>
      <dd>
        <time datetime=${new Date(mail.receivedAt).toISOString()}>${new Date(mail.receivedAt).toLocaleString()}</time>
      </dd>
      <dt>From where</dt>
      <dd>${mail.source === "gmail" ? "Gmail" : "Imported from a mailbox file"}</dd>
    </dl>`;
  }

  #filing(inbox: InboxController, mail: MailRecord) {
    const offer = inbox.offer?.mailId === mail.id ? inbox.offer : undefined;
    return html`<div class="row">
        <label
          >Category
          <select data-testid="mail-category" @change=${(event: Event) => this.#refile(event)}>
            ${mail.triage ? nothing : html`<option value="" selected disabled>${INBOX_CATEGORY_TITLES.new}</option>`}
            ${MAIL_CATEGORIES.map(
              (category) =>
                html`<option value=${category} ?selected=${mail.triage?.category === category}>
                  ${INBOX_CATEGORY_TITLES[category]}
                </option>`,
            )}
          </select></label
        >
        <span class="muted" data-testid="mail-decided-by">${describeDecision(mail, inbox.rules)}</span>
        ${
          mail.source === "gmail"
            ? html`<button
                ?disabled=${inbox.isBusy(`${GMAIL_ARCHIVE}:${mail.id}`)}
                @click=${() => void inbox.proposeArchive()}
              >
                Archive in Gmail…
              </button>`
            : nothing
        }
      </div>
      ${
        offer
          ? html`<div class="box" role="group" aria-labelledby="rule-offer" data-testid="rule-offer">
              <p id="rule-offer">Filed under ${INBOX_CATEGORY_TITLES[offer.category]}. Do the same from now on for:</p>
              <div class="row">
                ${offer.offers.map(
                  (choice) => html`<button @click=${() => void inbox.makeRule(choice)}>${choice.label}</button>`,
                )}
                <button @click=${() => inbox.dismissOffer()}>Only this mail</button>
              </div>
            </div>`
          : nothing
      }`;
  }

  #notice(inbox: InboxController, mail: MailRecord) {
    const notice = inbox.notice;
    if (!notice || (notice.mailId !== undefined && notice.mailId !== mail.id)) return nothing;
    return html`<p class=${notice.tone === "error" ? "error" : ""} role="status" data-testid="mail-notice">
      ${notice.text}
    </p>`;
  }

  #body(inbox: InboxController, mail: MailRecord) {
    const state = inbox.body;
    if (state.kind !== "ready" || !mail.bodyLoaded) {
      const message =
        state.kind === "loading"
          ? "Loading the whole mail from Gmail…"
          : state.kind === "ready"
            ? "Only the start of this mail is stored."
            : state.message;
      return html`<div class="box ${state.kind === "problem" ? "problem" : ""}" data-testid="mail-body-state">
          <p role="status">${message}</p>
          ${
            state.kind === "waiting"
              ? html`<button @click=${() => this.#openApprovals()}>Open Approvals</button>`
              : nothing
          }
        </div>
        <pre class="text" data-testid="mail-snippet">${mail.snippet}</pre>`;
    }
    if (mail.html === undefined) {
      return html`<pre class="text" data-testid="mail-text" tabindex="0" aria-label="Mail text">${mail.text}</pre>`;
    }
    const allowed = inbox.remoteImagesAllowed(mail);
    const rendered = this.#render(mail, mail.html, allowed);
    const sender = senderAddress(mail);
    return html`${this.#imagesBar(inbox, rendered.sanitized, allowed, sender)}
      <tabclaw-mail-frame
        data-testid="mail-frame"
        .document=${rendered.document}
        label=${`Mail: ${mail.subject || "(no subject)"}`}
      ></tabclaw-mail-frame>`;
  }

  #imagesBar(inbox: InboxController, sanitized: SanitizedMailHtml, allowed: boolean, sender: string | undefined) {
    if (allowed && sender !== undefined) {
      return html`<div class="row box" data-testid="remote-images">
        <span>Remote images from ${sender} load.</span>
        <button @click=${() => void inbox.setRemoteImages(sender, false)}>Stop loading from this sender</button>
      </div>`;
    }
    if (sanitized.blockedRemoteImages === 0) return nothing;
    const count = sanitized.blockedRemoteImages;
    return html`<div class="row box" data-testid="remote-images">
      <span
        >Remote images blocked (${count}): loading them would tell the sender that, and when, you opened this
        mail.</span
      >
      ${
        sender !== undefined
          ? html`<button @click=${() => void inbox.setRemoteImages(sender, true)}>Load from this sender</button>`
          : html`<span class="muted">This mail has no sender address to allow.</span>`
      }
    </div>`;
  }

  #attachments(mail: MailRecord) {
    if (mail.attachments.length === 0) return nothing;
    return html`<section aria-labelledby="attachments-title">
      <h4 id="attachments-title">Attachments (${mail.attachments.length})</h4>
      <p class="muted">Tabclaw lists attachments but does not keep their contents.</p>
      <ul class="attachments" data-testid="mail-attachments">
        ${mail.attachments.map(
          (attachment) =>
            html`<li>
              ${attachment.filename ?? "(no name)"} — ${attachment.mimeType}, ${formatBytes(attachment.size)}
            </li>`,
        )}
      </ul>
    </section>`;
  }

  #reply(inbox: InboxController, mail: MailRecord) {
    if (mail.triage?.category !== "needs_reply") return nothing;
    const draft = mail.triage.draftReply;
    const gmail = inbox.canReply(mail);
    const waitingDraft = gmail ? inbox.pendingReply(mail, GMAIL_CREATE_DRAFT) : undefined;
    const waitingSend = gmail ? inbox.pendingReply(mail, GMAIL_SEND_REPLY) : undefined;
    return html`<section aria-labelledby="reply-title" data-testid="mail-reply">
      <h4 id="reply-title">Reply</h4>
      <p class="muted">
        ${
          draft !== undefined
            ? "The model drafted this after reading the mail: check every word, it may have been steered by the mail itself."
            : "The model wrote no draft for this mail."
        }
        ${
          gmail
            ? "Creating a draft or sending goes to Approvals first: nothing leaves until you approve exactly what goes out."
            : mail.source === "local"
              ? "This mail came from a file: copy the reply into your mail program."
              : ""
        }
      </p>
      <label for="reply-text" class="visually-hidden">Reply text</label>
      <textarea
        id="reply-text"
        .value=${this.reply}
        @input=${(event: Event) => (this.reply = (event.target as HTMLTextAreaElement).value)}
      ></textarea>
      ${
        gmail
          ? html`<div class="row">
              <button
                ?disabled=${inbox.isBusy(`${GMAIL_CREATE_DRAFT}:${mail.id}`) || waitingDraft !== undefined}
                @click=${() => void inbox.proposeReply("draft", this.reply)}
              >
                Create draft in Gmail
              </button>
              <button
                ?disabled=${inbox.isBusy(`${GMAIL_SEND_REPLY}:${mail.id}`) || waitingSend !== undefined}
                @click=${() => void inbox.proposeReply("send", this.reply)}
              >
                Send reply…
              </button>
              ${
                waitingDraft || waitingSend
                  ? html`<span
                        >${waitingSend ? "Sending this reply" : "A Gmail draft of this reply"} waits for your
                        approval.</span
                      >
                      <button @click=${() => this.#openApprovals()}>Open Approvals</button>`
                  : nothing
              }
            </div>`
          : nothing
      }
    </section>`;
  }

  #render(mail: MailRecord, dirty: string, allowed: boolean): RenderedBody {
    const kept = this.#rendered;
    if (kept && kept.mailId === mail.id && kept.allowed === allowed && kept.dirty === dirty) return kept;
    const sanitized = sanitizeMailHtml(dirty, { allowRemoteImages: allowed });
    const rendered: RenderedBody = {
      mailId: mail.id,
      dirty,
      allowed,
      sanitized,
      document: mailFrameDocument(sanitized.html, { allowRemoteImages: allowed }),
    };
    this.#rendered = rendered;
    return rendered;
  }

  #refile(event: Event): void {
    const value = (event.target as HTMLSelectElement).value;
    if (isCategory(value)) void this.inbox?.recategorise(value);
  }

  #openApprovals(): void {
    this.dispatchEvent(new CustomEvent("open-approvals", { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-mail-reader": MailReader;
  }
}
