import { LitElement, html } from "lit";
import { customElement, property } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import { settingListStyles } from "./setting-list-styles";
import { sharedStyles } from "./shared-styles";

export interface RemoteImagesEventDetail {
  sender: string;
  allowed: boolean;
}

/**
 * The senders whose mail may load remote images (the `mailRemoteImageSenders` setting), each with
 * "Stop loading". A remote image tells its sender that and when the mail was opened.
 * @property senders - lower-case sender addresses
 * @fires remote-images - `{sender, allowed: false}`: the user stopped a sender's images
 */
@customElement("tabclaw-mail-image-senders")
export class MailImageSenders extends LitElement {
  static override styles = [sharedStyles, settingListStyles];

  @property({ attribute: false }) senders: readonly string[] = [];

  override render() {
    if (this.senders.length === 0) {
      return html`<p class="muted">No sender loads remote images: every mail opens with them blocked.</p>`;
    }
    return html`<ul data-testid="mail-image-senders">
      ${repeat(
        this.senders,
        (sender) => sender,
        (sender) =>
          html`<li>
            <span>${sender}</span>
            <button aria-label=${`Stop loading remote images from ${sender}`} @click=${() => this.#stop(sender)}>
              Stop loading
            </button>
          </li>`,
      )}
    </ul>`;
  }

  #stop(sender: string): void {
    this.dispatchEvent(
      new CustomEvent<RemoteImagesEventDetail>("remote-images", {
        detail: { sender, allowed: false },
        bubbles: true,
        composed: true,
      }),
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-mail-image-senders": MailImageSenders;
  }
}
