import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import { ObserveController } from "../app/observable";
import { updateState, type UpdateState } from "../pwa/update-state";
import { sharedStyles } from "./shared-styles";

/**
 * Offers a new version of the app. It only asks: the new version loads when the user presses "Update now", and
 * "Later" hides the offer until a newer version arrives. It never reloads the page on its own.
 * @property updates - the update flow to show (set before the element connects); the page's own by default
 */
@customElement("tabclaw-update-banner")
export class UpdateBanner extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .banner {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 1rem;
        margin: 0.75rem;
        padding: 0.5rem 1rem;
        border: 1px solid var(--accent);
        border-radius: var(--radius);
        background: var(--bg-raised);
      }
      .text {
        flex: 1 1 20rem;
      }
      h2 {
        font-size: 1rem;
        margin: 0;
      }
      p {
        margin: 0.125rem 0 0;
      }
      .actions {
        display: flex;
        gap: 0.5rem;
      }
    `,
  ];

  @property({ attribute: false }) updates: UpdateState = updateState;

  constructor() {
    super();
    new ObserveController(this, () => this.updates);
  }

  override render() {
    // The live region stays in the page while empty, so screen readers announce the offer when it appears.
    return html`<div role="status">${this.updates.updateAvailable ? this.#offer(this.updates) : nothing}</div>`;
  }

  #offer(updates: UpdateState) {
    return html`<section class="banner" aria-labelledby="update-title">
      <div class="text">
        <h2 id="update-title">Update available</h2>
        <p>A new version of Tabclaw is ready. It will load when you choose; anything you are doing now is kept.</p>
      </div>
      <div class="actions">
        <button class="primary" ?disabled=${updates.applying} @click=${() => updates.applyUpdate()}>
          ${updates.applying ? "Updating…" : "Update now"}
        </button>
        <button ?disabled=${updates.applying} @click=${() => updates.dismiss()}>Later</button>
      </div>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-update-banner": UpdateBanner;
  }
}
