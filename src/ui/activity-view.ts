import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import { auditExportFileName, describeAuditEntry } from "../app/audit-text";
import type { Gate } from "../gate/gate";
import type { AuditEntry } from "../store/audit-entry";
import { AUDIT_PAGE_SIZE } from "../store/audit-log";
import { panelStyles, sharedStyles } from "./shared-styles";

/**
 * The audit log: every action proposed, every decision, every connector request and every use of
 * the kill switch, newest first, paged, with an export as JSON Lines.
 * @property gate - the Gate whose audit log is shown; the view refreshes when it changes
 */
@customElement("tabclaw-activity-view")
export class ActivityView extends LitElement {
  static override styles = [
    sharedStyles,
    panelStyles,
    css`
      ol {
        list-style: none;
        padding: 0;
        margin: 1rem 0;
        max-width: 56rem;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 0.75rem;
        padding: 0.4rem 0;
        border-bottom: 1px solid var(--border);
      }
      time {
        font-variant-numeric: tabular-nums;
        min-width: 11rem;
      }
      .what {
        font-weight: 600;
      }
      .toolbar {
        display: flex;
        gap: 0.5rem;
        align-items: center;
        flex-wrap: wrap;
      }
    `,
  ];

  @property({ attribute: false }) gate: Gate | undefined;
  @state() private entries: AuditEntry[] = [];
  @state() private next: number | undefined;
  @state() private loaded = false;
  @state() private problem = "";
  #unsubscribe: (() => void) | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#unsubscribe = this.gate?.subscribe(() => void this.#refresh());
    void this.#refresh();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#unsubscribe?.();
  }

  /** The newest entries again, as many as are shown, so older pages already opened stay open. */
  async #refresh(): Promise<void> {
    if (!this.gate) return;
    try {
      const page = await this.gate.auditLog.list({ limit: Math.max(AUDIT_PAGE_SIZE, this.entries.length) });
      this.entries = page.entries;
      this.next = page.next;
      this.loaded = true;
    } catch (error) {
      this.problem = `The activity could not be read: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  async #showOlder(): Promise<void> {
    if (!this.gate || this.next === undefined) return;
    const page = await this.gate.auditLog.list({ before: this.next });
    this.entries = [...this.entries, ...page.entries];
    this.next = page.next;
  }

  async #export(): Promise<void> {
    if (!this.gate) return;
    const url = URL.createObjectURL(await this.gate.auditLog.exportBlob());
    const link = document.createElement("a");
    link.href = url;
    link.download = auditExportFileName(new Date());
    link.click();
    // The download has its own reference once started; the URL is only needed for the click.
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  override render() {
    return html`<h2>Activity</h2>
      <p class="muted">
        Everything the agent proposed, every decision on it, every request a connector made (method, host, path, status
        and size; never a body or a token) and every use of the kill switch. The log can only grow: nothing here can be
        edited or deleted.
      </p>
      <div class="toolbar">
        <button @click=${() => this.#export()}>Export as JSON Lines</button>
      </div>
      ${this.problem ? html`<p class="error" role="alert">${this.problem}</p>` : nothing}
      ${
        this.loaded && this.entries.length === 0
          ? html`<p class="empty" data-testid="activity-empty">
              Nothing has happened yet. When the agent proposes an action, you decide on one, a connector makes a
              request or you pause Tabclaw, it appears here.
            </p>`
          : nothing
      }
      ${
        this.entries.length > 0
          ? html`<ol aria-label="Activity, newest first">
              ${repeat(
                this.entries,
                (entry) => entry.seq,
                (entry) => this.#entry(entry),
              )}
            </ol>`
          : nothing
      }
      ${this.next !== undefined ? html`<button @click=${() => this.#showOlder()}>Show older</button>` : nothing}`;
  }

  #entry(entry: AuditEntry) {
    const line = describeAuditEntry(entry);
    const at = new Date(entry.at);
    return html`<li data-kind=${entry.kind}>
      <time datetime=${at.toISOString()}>${at.toLocaleString()}</time>
      <span class="what">${line.what}</span>
      ${line.details.length > 0 ? html`<span class="muted">${line.details.join(" · ")}</span>` : nothing}
    </li>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-activity-view": ActivityView;
  }
}
