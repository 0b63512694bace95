import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { ObserveController } from "../app/observable";
import type { PauseController } from "../app/pause-controller";
import { sharedStyles } from "./shared-styles";

/**
 * The kill switch in the header: one toggle that pauses everything (the answer being written,
 * pending actions, new work) until the user resumes. Its position survives a reload.
 * @property pause - the kill switch state
 */
@customElement("tabclaw-kill-switch")
export class KillSwitchToggle extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        flex-wrap: wrap;
      }
      button[aria-disabled="true"] {
        opacity: 0.7;
        cursor: progress;
      }
      button[aria-pressed="true"] {
        background: var(--danger);
        color: var(--bg);
        border-color: var(--danger);
      }
      .hint {
        font-size: 0.85rem;
      }
    `,
  ];

  @property({ attribute: false }) pause: PauseController | undefined;
  /** While the switch is being stored; aria-disabled rather than disabled, so focus stays on it. */
  @state() private busy = false;

  constructor() {
    super();
    new ObserveController(this, () => this.pause);
  }

  override render() {
    const pause = this.pause;
    if (!pause) return nothing;
    const on = pause.paused;
    return html`<button
        aria-pressed=${on ? "true" : "false"}
        aria-describedby="kill-switch-hint"
        aria-disabled=${this.busy ? "true" : "false"}
        @click=${this.#toggle}
      >
        ${on ? "Resume" : "Pause everything"}
      </button>
      <span id="kill-switch-hint" class="hint muted">
        ${on ? "Paused: nothing runs until you resume." : "Stops the answer being written and freezes pending actions."}
      </span>
      ${pause.error ? html`<span class="hint error" role="alert">The switch could not be saved: ${pause.error}</span>` : nothing}`;
  }

  async #toggle(): Promise<void> {
    const pause = this.pause;
    // A double click must not pause and resume at once.
    if (!pause || this.busy) return;
    this.busy = true;
    try {
      await (pause.paused ? pause.resume() : pause.pause());
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-kill-switch": KillSwitchToggle;
  }
}
