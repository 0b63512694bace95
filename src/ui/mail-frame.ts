import { LitElement, css, html } from "lit";
import { customElement, property } from "lit/decorators.js";

/**
 * A mail's sanitised HTML in a sandboxed `srcdoc` frame. No `allow-scripts`: nothing in the mail
 * runs. No `allow-same-origin`: the mail gets an opaque origin and no access to the app's storage.
 * `allow-popups(-to-escape-sandbox)`: a link the user clicks opens in an ordinary new tab (the
 * frame cannot navigate itself under the app's `frame-src 'none'`); nothing opens without a click.
 * The frame cannot report its height (no script, no shared origin), so it has a fixed height and
 * scrolls on its own.
 * @property document - the whole `srcdoc` document (from `mailFrameDocument`)
 * @property label - the frame's accessible name
 */
@customElement("tabclaw-mail-frame")
export class MailFrame extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    iframe {
      display: block;
      width: 100%;
      height: min(70vh, 48rem);
      border: 1px solid var(--border);
      border-radius: var(--radius);
      background: #ffffff;
      resize: vertical;
    }
  `;

  @property({ attribute: false }) document = "";
  @property() label = "Mail";

  override render() {
    // The sandbox is a static part of the template: it is on the frame before the frame has a document.
    return html`<iframe
      sandbox="allow-popups allow-popups-to-escape-sandbox"
      referrerpolicy="no-referrer"
      title=${this.label}
      .srcdoc=${this.document}
    ></iframe>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-mail-frame": MailFrame;
  }
}
