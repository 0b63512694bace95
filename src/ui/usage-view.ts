import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { ObserveController } from "../app/observable";
import type { UsageController, UsageExport } from "../app/usage-controller";
import { MINUTES_SAVED, USAGE_COLUMNS, USAGE_PERIODS, type UsageFigures, type UsageRow } from "../app/usage-summary";
import { sharedStyles } from "./shared-styles";

const number = (value: number): string => value.toLocaleString("en-US");

/** A cell as shown: GPU time in seconds, the rest as numbers. The JSON export holds the same figures. */
function cell(figures: UsageFigures, field: keyof UsageFigures): string {
  if (field === "gpuMs") return (figures.gpuMs / 1000).toFixed(1);
  return number(figures[field]);
}

const label = (field: keyof UsageFigures, text: string): string => (field === "gpuMs" ? "GPU time (s)" : text);

function routineLabel(routine: string): string {
  return routine === "chat" ? "Chat" : routine;
}

function save(file: UsageExport): void {
  const url = URL.createObjectURL(new Blob([file.text], { type: file.type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = file.filename;
  link.rel = "noopener";
  document.body.append(link);
  link.click();
  link.remove();
  // The download holds its own reference by then; revoking later frees the memory without racing it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Usage: what the agent cost (model calls, tokens, GPU time) and what it was worth (items triaged,
 * drafts accepted, approvals, facts saved, an estimate of minutes saved with its formula), per
 * routine and per day, for the last 7 or 30 days. Private: Export is the only way out.
 * @property usage - the usage controller
 */
@customElement("tabclaw-usage-view")
export class UsageView extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        overflow: auto;
        padding: 1rem;
      }
      h2 {
        margin-top: 0;
      }
      .controls {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
        align-items: center;
        margin: 0.5rem 0 1rem;
      }
      select {
        padding: 0.3rem 0.4rem;
        border: 1px solid var(--border);
        border-radius: var(--radius);
        background: var(--bg);
        color: inherit;
      }
      /* Focusable, so a keyboard can scroll a table wider than the window. */
      .scroll {
        overflow-x: auto;
        margin-bottom: 1.25rem;
      }
      table {
        border-collapse: collapse;
        font-size: 0.9rem;
      }
      caption {
        text-align: left;
        font-weight: 600;
        padding: 0.25rem 0;
      }
      th,
      td {
        text-align: right;
        padding: 0.3rem 0.5rem;
        border-bottom: 1px solid var(--border);
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
      }
      th[scope="row"],
      thead th:first-child {
        text-align: left;
      }
      thead th {
        white-space: normal;
        vertical-align: bottom;
        min-width: 4.5rem;
      }
      td.nothing {
        text-align: left;
      }
      tfoot th,
      tfoot td {
        font-weight: 700;
      }
      .estimate {
        border: 1px solid var(--border);
        border-radius: var(--radius);
        padding: 0.5rem 1rem;
        max-width: 48rem;
      }
      .estimate strong {
        font-size: 1.4rem;
      }
      code {
        white-space: normal;
      }
    `,
  ];

  @property({ attribute: false }) usage: UsageController | undefined;
  @state() private message = "";

  constructor() {
    super();
    new ObserveController(this, () => this.usage);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.usage?.refresh();
  }

  override render() {
    const usage = this.usage;
    if (!usage) return nothing;
    const summary = usage.summary;
    return html`<h2>Usage</h2>
      <p data-testid="usage-privacy">
        These figures are counted on this device from what it recorded, and they never leave it unless you export them:
        Export is the only way out.
      </p>
      <div class="controls">
        <label for="usage-period">Period</label>
        <select id="usage-period" @change=${(event: Event) => this.#period(event)}>
          ${USAGE_PERIODS.map(
            (days) => html`<option value=${days} ?selected=${usage.period === days}>Last ${days} days</option>`,
          )}
        </select>
        <button @click=${() => usage.refresh()}>Refresh</button>
        <button @click=${() => this.#export("json")} aria-disabled=${summary ? "false" : "true"}>Export JSON</button>
        <button @click=${() => this.#export("csv")} aria-disabled=${summary ? "false" : "true"}>Export CSV</button>
        <span role="status" data-testid="usage-status">${this.message}</span>
      </div>
      ${usage.error ? html`<p class="error" role="alert">${usage.error}</p>` : nothing}
      ${
        !summary
          ? html`<p class="muted">Reading the usage…</p>`
          : html`${
                usage.empty
                  ? html`<p data-testid="usage-empty" class="muted">
                      Nothing recorded in the last ${summary.period} days yet. Each answer in the chat and each routine
                      run (dreaming, the morning briefing…) will appear here: its model calls, tokens and GPU time, and
                      what it was worth: items triaged, drafts you accepted, edited or rejected, approvals, facts saved.
                    </p>`
                  : nothing
              }
              ${this.#estimate(summary.total.minutesSaved)}
              <div class="scroll" tabindex="0" role="region" aria-label="Per routine, scrollable">
                ${this.#table(
                  "usage-routines",
                  `Per routine, last ${summary.period} days (${usage.timeZone})`,
                  "Routine",
                  summary.routines,
                  routineLabel,
                  summary.total,
                )}
              </div>
              <div class="scroll" tabindex="0" role="region" aria-label="Per day, scrollable">
                ${this.#table(
                  "usage-days",
                  `Per day, last ${summary.period} days (${usage.timeZone})`,
                  "Day",
                  summary.days,
                  (key) => key,
                  summary.total,
                )}
              </div>
              <p class="muted" data-testid="usage-notes">
                GPU time is the wall time of the model calls, from request to last token, not a measure of the GPU's
                load. Drafts are write and send actions you decided on a card; actions run by rule are those your
                auto-approval rules let run. Alerts acted on: counted once routines propose actions (none does yet).
              </p>`
      }`;
  }

  #estimate(minutes: number) {
    return html`<section class="estimate" aria-labelledby="usage-estimate-title">
      <h3 id="usage-estimate-title">Minutes saved (an estimate)</h3>
      <p><strong data-testid="usage-minutes">${number(minutes)}</strong> minutes</p>
      <p data-testid="usage-formula">
        <code
          >minutes saved = perItemTriaged (${MINUTES_SAVED.perItemTriaged}) × items triaged + perDraftAcceptedAsIs
          (${MINUTES_SAVED.perDraftAcceptedAsIs}) × drafts accepted as is + perDraftEdited
          (${MINUTES_SAVED.perDraftEdited}) × drafts edited + perActionByRule (${MINUTES_SAVED.perActionByRule}) ×
          actions run by rule</code
        >
      </p>
      <p class="muted">
        The constants are assumptions, not measurements: about what a person spends sorting one new item by hand,
        writing a draft, or opening and approving an action. Rejected drafts, refusals and the model's own time count as
        0.
      </p>
    </section>`;
  }

  #table(
    testId: string,
    caption: string,
    keyLabel: string,
    rows: readonly UsageRow[],
    keyText: (key: string) => string,
    total: UsageFigures,
  ) {
    return html`<table data-testid=${testId}>
      <caption>
        ${caption}
      </caption>
      <thead>
        <tr>
          <th scope="col">${keyLabel}</th>
          ${USAGE_COLUMNS.map((column) => html`<th scope="col" data-field=${column.field}>${label(column.field, column.label)}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${
          rows.length === 0
            ? html`<tr>
                <td colspan=${USAGE_COLUMNS.length + 1} class="muted nothing">Nothing recorded.</td>
              </tr>`
            : rows.map(
                (row) =>
                  html`<tr data-key=${row.key}>
                    <th scope="row">${keyText(row.key)}</th>
                    ${USAGE_COLUMNS.map((column) => html`<td data-field=${column.field}>${cell(row, column.field)}</td>`)}
                  </tr>`,
              )
        }
      </tbody>
      <tfoot>
        <tr data-key="total">
          <th scope="row">Total</th>
          ${USAGE_COLUMNS.map((column) => html`<td data-field=${column.field}>${cell(total, column.field)}</td>`)}
        </tr>
      </tfoot>
    </table>`;
  }

  async #period(event: Event): Promise<void> {
    const value = Number((event.target as HTMLSelectElement).value);
    const period = USAGE_PERIODS.find((days) => days === value);
    if (period !== undefined) await this.usage?.setPeriod(period);
  }

  #export(format: "json" | "csv"): void {
    const file = this.usage?.exportAs(format);
    if (!file) {
      this.message = "Nothing to export yet.";
      return;
    }
    save(file);
    this.message = `Exported ${file.filename} to your downloads.`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-usage-view": UsageView;
  }
}
