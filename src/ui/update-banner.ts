import { LitElement, html, nothing } from "lit";
import { customElement } from "lit/decorators.js";

/** Offers a new version of the app; replaced by the PWA work. */
@customElement("tabclaw-update-banner")
export class UpdateBanner extends LitElement {
  override render() {
    return nothing ?? html``;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-update-banner": UpdateBanner;
  }
}
