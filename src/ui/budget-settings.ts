import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import {
  draftOf,
  type BudgetController,
  type BudgetDraft,
  type BudgetErrors,
  type BudgetField,
} from "../app/budget-controller";
import { ObserveController } from "../app/observable";
import { sharedStyles } from "./shared-styles";

const count = (tokens: number): string => tokens.toLocaleString("en-US");

interface LimitInput {
  field: BudgetField;
  label: string;
  hint: string;
}

/**
 * The daily token budgets: today's use against each limit, and a form to change the limits (whole
 * numbers ≥ 0) or reset them to the defaults.
 * @property budgets - the budget controller
 */
@customElement("tabclaw-budget-settings")
export class BudgetSettings extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        max-width: 48rem;
      }
      table {
        border-collapse: collapse;
        width: 100%;
        margin: 0.5rem 0 1rem;
      }
      th,
      td {
        text-align: left;
        padding: 0.35rem 0.5rem;
        border-bottom: 1px solid var(--border);
      }
      td.num,
      th.num {
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
      tr[data-reached="true"] td:last-child {
        color: var(--danger);
        font-weight: 600;
      }
      .field {
        display: flex;
        flex-direction: column;
        gap: 0.15rem;
        margin: 0.5rem 0;
      }
      input {
        padding: 0.4rem 0.5rem;
        border: 1px solid var(--border);
        border-radius: var(--radius);
        background: var(--bg);
        max-width: 16rem;
        font-variant-numeric: tabular-nums;
      }
      input[aria-invalid="true"] {
        border-color: var(--danger);
      }
      .hint {
        font-size: 0.85rem;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
        margin-top: 0.75rem;
      }
      fieldset {
        border: 1px solid var(--border);
        border-radius: var(--radius);
        padding: 0.5rem 1rem;
      }
      legend {
        font-weight: 600;
      }
    `,
  ];

  @property({ attribute: false }) budgets: BudgetController | undefined;
  /** The form's text as typed; undefined until the limits are loaded (then it follows them until edited). */
  @state() private draft: BudgetDraft | undefined;
  @state() private errors: BudgetErrors = {};
  @state() private message = "";
  @state() private saving = false;

  constructor() {
    super();
    new ObserveController(this, () => this.budgets);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.budgets?.refresh();
  }

  override render() {
    const budgets = this.budgets;
    if (!budgets) return nothing;
    if (!budgets.loaded) {
      return budgets.error
        ? html`<p class="error" role="alert">${budgets.error}</p>`
        : html`<p class="muted">Reading the budgets…</p>`;
    }
    const draft = this.draft ?? draftOf(budgets.limits);
    const resetsAt = budgets.resetsAt();
    return html`<p data-testid="budget-explanation">
        Tabclaw counts the tokens the model reads and writes each day. When a budget is reached, the run stops with a
        message saying which budget ran out and when it resets. Budgets reset at midnight (${budgets.timeZone}), next on
        ${new Date(resetsAt).toLocaleString()}.
      </p>
      ${budgets.error ? html`<p class="error" role="alert">${budgets.error}</p>` : nothing}
      <table data-testid="budget-usage">
        <caption class="visually-hidden">
          Tokens used today against each daily budget
        </caption>
        <thead>
          <tr>
            <th scope="col">Budget</th>
            <th scope="col" class="num">Used today</th>
            <th scope="col" class="num">Daily limit</th>
            <th scope="col" class="num">Left</th>
          </tr>
        </thead>
        <tbody>
          ${budgets.rows().map((row) => {
            const left = Math.max(0, row.limit - row.used);
            return html`<tr data-budget=${row.id} data-reached=${left === 0 ? "true" : "false"}>
              <th scope="row">${row.label}</th>
              <td class="num">${count(row.used)}</td>
              <td class="num">${count(row.limit)}</td>
              <td class="num">${left === 0 ? "none: reached" : count(left)}</td>
            </tr>`;
          })}
        </tbody>
      </table>
      <p class="muted hint">
        Every other background routine may use up to ${count(budgets.limits.routinePerDay)} tokens a day.
        <button @click=${() => budgets.refresh()}>Refresh</button>
      </p>
      <form @submit=${(event: Event) => this.#save(event, draft)} novalidate>
        <fieldset>
          <legend>Daily limits, in tokens</legend>
          <p class="hint muted">Whole numbers, 0 or more. 0 stops that kind of work altogether.</p>
          ${this.#inputs(draft).map((input) => this.#input(input, draft))}
        </fieldset>
        <div class="actions">
          <button class="primary" type="submit" aria-disabled=${this.saving ? "true" : "false"}>Save limits</button>
          <button type="button" @click=${() => this.#reset()}>Reset to defaults</button>
          <span role="status" data-testid="budget-status" class=${Object.keys(this.errors).length > 0 ? "error" : ""}
            >${this.message}</span
          >
        </div>
      </form>`;
  }

  #inputs(draft: BudgetDraft): LimitInput[] {
    return [
      { field: "totalPerDay", label: "Total per day", hint: "Everything together: chat and every routine." },
      { field: "chatPerDay", label: "Chat per day", hint: "What you ask in the chat." },
      {
        field: "routinePerDay",
        label: "Each routine per day",
        hint: "Each background routine (triage, digest…), unless it has its own limit below.",
      },
      ...Object.keys(draft.perRoutine)
        .sort()
        .map((name): LimitInput => ({
          field: `routine:${name}`,
          label: `Routine “${name}” per day`,
          hint: "This routine's own limit.",
        })),
    ];
  }

  #input(input: LimitInput, draft: BudgetDraft) {
    const id = input.field.replace(/[^A-Za-z0-9_-]/g, "-");
    const error = this.errors[input.field];
    const value = input.field.startsWith("routine:")
      ? (draft.perRoutine[input.field.slice("routine:".length)] ?? "")
      : draft[input.field as "totalPerDay" | "chatPerDay" | "routinePerDay"];
    return html`<div class="field">
      <label for=${id}>${input.label}</label>
      <input
        id=${id}
        name=${input.field}
        type="text"
        inputmode="numeric"
        autocomplete="off"
        .value=${value}
        aria-invalid=${error ? "true" : "false"}
        aria-describedby="${id}-hint${error ? ` ${id}-error` : ""}"
        @input=${(event: Event) => this.#edit(input.field, (event.target as HTMLInputElement).value, draft)}
      />
      <span class="hint muted" id="${id}-hint">${input.hint}</span>
      ${error ? html`<span class="hint error" id="${id}-error" data-testid="budget-error">${error}</span>` : nothing}
    </div>`;
  }

  #edit(field: BudgetField, value: string, draft: BudgetDraft): void {
    this.draft = field.startsWith("routine:")
      ? { ...draft, perRoutine: { ...draft.perRoutine, [field.slice("routine:".length)]: value } }
      : { ...draft, [field]: value };
    this.message = "";
  }

  async #save(event: Event, draft: BudgetDraft): Promise<void> {
    event.preventDefault();
    const budgets = this.budgets;
    if (!budgets || this.saving) return;
    this.saving = true;
    try {
      const result = await budgets.save(draft);
      if (result.ok) {
        this.errors = {};
        this.draft = undefined;
        this.message = "Saved. The new limits apply from the next run.";
      } else {
        this.errors = result.errors;
        const problems = Object.keys(result.errors).length;
        this.message = `Not saved: ${problems === 1 ? "one limit needs" : `${problems} limits need`} fixing.`;
        await this.updateComplete;
        this.renderRoot.querySelector<HTMLInputElement>('input[aria-invalid="true"]')?.focus();
      }
    } catch (error) {
      this.message = `Not saved: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.saving = false;
    }
  }

  async #reset(): Promise<void> {
    const budgets = this.budgets;
    if (!budgets) return;
    await budgets.resetToDefaults();
    this.errors = {};
    this.draft = undefined;
    this.message = "Reset to the defaults.";
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-budget-settings": BudgetSettings;
  }
}
