import { LitElement, css, html } from "lit";
import { customElement, property } from "lit/decorators.js";
import { sharedStyles } from "./shared-styles";

/**
 * Explains, in plain words, that this browser cannot run a local model and what to do.
 * @property reason - what the device probe found
 */
@customElement("tabclaw-webgpu-notice")
export class WebGpuNotice extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .notice {
        border: 1px solid var(--danger);
        border-radius: var(--radius);
        padding: 0.5rem 1rem;
        margin: 0.75rem;
        background: var(--bg-raised);
      }
      h2 {
        font-size: 1.1rem;
        margin: 0.25rem 0;
      }
    `,
  ];

  @property() reason = "";

  override render() {
    return html`<section role="status" aria-labelledby="webgpu-title" class="notice">
      <h2 id="webgpu-title">This browser can't run a model here</h2>
      <p>
        ${this.reason} Tabclaw runs its model on your own GPU through WebGPU, so nothing you write leaves this device.
      </p>
      <ul>
        <li>Use a recent Chrome, Edge or another Chromium browser (version 113 or later) on a desktop or laptop.</li>
        <li>Check that hardware acceleration is on (in Chrome: Settings → System → "Use graphics acceleration").</li>
        <li>On Linux, WebGPU may need <code>chrome://flags/#enable-unsafe-webgpu</code>.</li>
      </ul>
      <p class="muted">Everything that needs no model still works: your conversations, storage and settings.</p>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-webgpu-notice": WebGpuNotice;
  }
}
