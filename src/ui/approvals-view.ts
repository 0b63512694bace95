import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import { describeAnswer } from "../app/approval-text";
import type { ApprovalsController } from "../app/approvals-controller";
import { ObserveController } from "../app/observable";
import type { ApprovalRecord } from "../store/approval-record";
import "./approval-card";
import type { ApproveEventDetail, RejectEventDetail } from "./approval-card";
import { panelStyles, sharedStyles } from "./shared-styles";

/**
 * Approvals: every action waiting for the user's decision (oldest first), then recent decisions
 * (newest first), each as an approval card. Decisions go through the controller to the Gate.
 * @property approvals - the approvals controller
 */
@customElement("tabclaw-approvals-view")
export class ApprovalsView extends LitElement {
  static override styles = [
    sharedStyles,
    panelStyles,
    css`
      ol {
        list-style: none;
        padding: 0;
        margin: 0.5rem 0 1.5rem;
        display: flex;
        flex-direction: column;
        gap: 0.75rem;
      }
      .intro,
      .empty {
        max-width: 48rem;
      }
      h3 {
        margin-bottom: 0.25rem;
      }
      .batch {
        max-width: 48rem;
        border: 1px solid var(--border);
        border-radius: var(--radius);
        padding: 0 1rem 0.75rem;
        margin-bottom: 1rem;
        background: var(--bg-raised);
      }
      .batch ul {
        margin: 0.5rem 0 0.75rem;
        padding-left: 1.25rem;
      }
    `,
  ];

  @property({ attribute: false }) approvals: ApprovalsController | undefined;
  /** The last decision's outcome, announced here too: the card moves between the lists when decided. */
  @state() private announcement = "";

  constructor() {
    super();
    new ObserveController(this, () => this.approvals);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.approvals?.refresh();
  }

  override render() {
    const approvals = this.approvals;
    if (!approvals) return nothing;
    const { pending, recent } = approvals;
    return html`<h2>Approvals</h2>
      <p class="intro muted">
        Everything the agent wants to send or change waits here for your decision: you see exactly what would go out,
        where each part came from, and why. Nothing runs until you approve it.
      </p>
      ${approvals.error ? html`<p class="error" role="alert">${approvals.error}</p>` : nothing}
      <p class="visually-hidden" role="status" data-testid="approvals-decision-announcement">${this.announcement}</p>
      ${
        approvals.loaded && pending.length === 0 && recent.length === 0
          ? html`<p class="empty" data-testid="approvals-empty">
              Nothing is waiting for you. When the agent proposes to send a message or change something (or to read a
              source you set to ask first), its card appears here with Approve, Edit and Reject, and your decisions stay
              listed below.
            </p>`
          : nothing
      }
      ${this.#labelBatch(approvals)}
      ${
        pending.length > 0
          ? html`<section aria-labelledby="pending-title">
              <h3 id="pending-title">Waiting for your decision (${pending.length})</h3>
              ${this.#list(pending, "pending")}
            </section>`
          : approvals.loaded && recent.length > 0
            ? html`<p data-testid="approvals-none-pending">Nothing is waiting for your decision.</p>`
            : nothing
      }
      ${
        recent.length > 0
          ? html`<section aria-labelledby="recent-title">
              <h3 id="recent-title">Recent decisions</h3>
              ${this.#list(recent, "recent")}
            </section>`
          : nothing
      }`;
  }

  /**
   * Label changes waiting together (two or more): each mail and its label listed, one button for
   * all of them. Every card stays below with its own Approve and Reject; sends are never here.
   */
  #labelBatch(approvals: ApprovalsController) {
    const batch = approvals.labelBatch;
    if (batch.length < 2) return nothing;
    const tainted = batch.some((record) => record.action.taint.tainted);
    return html`<section class="batch" aria-labelledby="batch-title" data-testid="label-batch">
      <h3 id="batch-title">Label changes (${batch.length})</h3>
      <p class="muted">
        Each adds one label to one mail in Gmail and sends nothing.
        ${tainted ? "The labels were chosen after reading these mails, which someone else wrote. " : ""}Approve them
        together, or decide on each card below.
      </p>
      <ul>
        ${batch.map((record) => html`<li>${labelLine(record)}</li>`)}
      </ul>
      <button
        class="primary"
        ?disabled=${approvals.batchRunning}
        @click=${() => void this.#approveBatch(batch.map((record) => record.id))}
      >
        Approve all ${batch.length} label changes
      </button>
    </section>`;
  }

  async #approveBatch(ids: string[]): Promise<void> {
    if (!this.approvals) return;
    const result = await this.approvals.approveBatch(ids);
    const done = result.approved === 1 ? "1 label change done" : `${result.approved} label changes done`;
    const failed = result.failed.map((failure) => failure.message).join(" ");
    this.announcement =
      result.failed.length === 0 ? `${done}.` : `${done}; ${result.failed.length} did not run: ${failed}`;
  }

  #list(records: readonly ApprovalRecord[], which: string) {
    const approvals = this.approvals;
    return html`<ol data-testid="approvals-${which}">
      ${repeat(
        records,
        (record) => record.id,
        (record) =>
          html`<li>
            <tabclaw-approval-card
              data-id=${record.id}
              heading-level="4"
              .record=${record}
              .schema=${approvals?.schemaFor(record)}
              .answer=${approvals?.answerFor(record.id)}
              ?busy=${approvals?.isBusy(record.id) ?? false}
              @approve=${(event: CustomEvent<ApproveEventDetail>) => this.#approve(event.detail, record)}
              @reject=${(event: CustomEvent<RejectEventDetail>) => this.#reject(event.detail, record)}
            ></tabclaw-approval-card>
          </li>`,
      )}
    </ol>`;
  }

  async #approve(detail: ApproveEventDetail, record: ApprovalRecord): Promise<void> {
    if (!this.approvals) return;
    const answer = await this.approvals.approve(detail.id, detail.editedArguments);
    this.announcement = `${record.action.preview.title}: ${describeAnswer(answer)}`;
  }

  async #reject(detail: RejectEventDetail, record: ApprovalRecord): Promise<void> {
    if (!this.approvals) return;
    const answer = await this.approvals.reject(detail.id, detail.note);
    this.announcement = `${record.action.preview.title}: ${describeAnswer(answer)}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-approvals-view": ApprovalsView;
  }
}

/** One label change as the batch lists it: “Subject” from Sender → Label. */
function labelLine(record: ApprovalRecord): string {
  const args = record.action.arguments;
  const text = (value: unknown, fallback: string): string =>
    typeof value === "string" && value.trim() !== "" ? value : fallback;
  return `“${text(args.mailSubject, "(no subject)")}” from ${text(args.mailFrom, "(no sender)")} → ${text(args.label, "(no label)")}`;
}
