import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import { describeOutcomes, outcomeWord } from "../app/briefing";
import type { BriefingController } from "../app/briefing-controller";
import { ObserveController } from "../app/observable";
import { sharedStyles } from "./shared-styles";

/**
 * "While you were away": what the routines did since the user last dismissed this panel, from
 * the recorded runs alone. Shown above the views until dismissed.
 * @property briefing - the briefing controller
 * @fires open-approvals - the user follows the link to the Approvals view
 */
@customElement("tabclaw-briefing-panel")
export class BriefingPanel extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      section {
        margin: 0.75rem 1rem 0;
        padding: 0.75rem 1rem;
        border: 1px solid var(--border);
        border-radius: var(--radius);
        background: var(--bg-raised);
        max-width: 48rem;
      }
      h2 {
        font-size: 1.1rem;
        margin: 0 0 0.5rem;
      }
      ul {
        margin: 0.25rem 0;
        padding-left: 1.25rem;
      }
      .actions {
        display: flex;
        gap: 0.5rem;
        margin-top: 0.5rem;
      }
    `,
  ];

  @property({ attribute: false }) briefing: BriefingController | undefined;

  constructor() {
    super();
    new ObserveController(this, () => this.briefing);
  }

  override render() {
    const briefing = this.briefing?.briefing;
    if (!briefing) return nothing;
    const pending = briefing.pendingApprovals;
    return html`<section aria-labelledby="briefing-title" data-testid="briefing">
      <h2 id="briefing-title">While you were away</h2>
      <p>
        Since ${new Date(briefing.since).toLocaleString()}: ${briefing.runs === 1 ? "1 run" : `${briefing.runs} runs`},
        ${briefing.itemsFound === 1 ? "1 new item" : `${briefing.itemsFound} new items`} found.
      </p>
      <ul data-testid="briefing-jobs">
        ${briefing.jobs.map(
          (job) =>
            html`<li>
              ${job.title}: ${describeOutcomes(job)}${job.itemsFound > 0 ? `; found ${job.itemsFound}` : ""}
            </li>`,
        )}
      </ul>
      ${
        briefing.failures.length > 0
          ? html`<h3>Failures</h3>
              <ul data-testid="briefing-failures">
                ${briefing.failures.map(
                  (failure) =>
                    html`<li>
                      ${failure.title} ${outcomeWord(failure.outcome)} at
                      ${new Date(failure.startedAt).toLocaleString()}: ${failure.message}
                    </li>`,
                )}
              </ul>`
          : nothing
      }
      ${
        pending > 0
          ? html`<p data-testid="briefing-pending">
              ${pending === 1 ? "1 action waits" : `${pending} actions wait`} for your approval.
            </p>`
          : nothing
      }
      <div class="actions">
        ${
          pending > 0
            ? html`<button
                type="button"
                @click=${() => this.dispatchEvent(new CustomEvent("open-approvals", { bubbles: true, composed: true }))}
              >
                Open Approvals
              </button>`
            : nothing
        }
        <button type="button" @click=${() => void this.briefing?.dismiss()}>Dismiss</button>
      </div>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-briefing-panel": BriefingPanel;
  }
}
