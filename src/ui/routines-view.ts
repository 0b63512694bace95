import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import { outcomeWord } from "../app/briefing";
import { ObserveController } from "../app/observable";
import type { RoutineRow, RoutinesController, ScheduleDraft } from "../app/routines-controller";
import type { JobRunRecord } from "../store/job-record";
import { panelStyles, sharedStyles } from "./shared-styles";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

function when(instant: number | undefined): string {
  return instant === undefined ? "—" : new Date(instant).toLocaleString();
}

function runLine(run: JobRunRecord): string {
  const parts = [`${when(run.startedAt)}: ${outcomeWord(run.outcome)}`, `${run.tokens} tokens`];
  parts.push(run.itemsFound === 1 ? "1 item" : `${run.itemsFound} items`);
  const text = run.error ? `${run.error.name}: ${run.error.message}` : run.message;
  return `${parts.join(", ")}${text ? ` — ${text}` : ""}`;
}

/**
 * Routines: every scheduled job with its schedule (editable), active hours, on/off, last and next
 * run, recent runs, and the per-job "Notify me" and "Keep the screen awake" choices.
 * @property routines - the routines controller
 */
@customElement("tabclaw-routines-view")
export class RoutinesView extends LitElement {
  static override styles = [
    sharedStyles,
    panelStyles,
    css`
      .intro,
      .empty,
      article {
        max-width: 48rem;
      }
      ol.jobs {
        list-style: none;
        padding: 0;
        margin: 0;
        display: flex;
        flex-direction: column;
        gap: 1rem;
      }
      article {
        border: 1px solid var(--border);
        border-radius: var(--radius);
        padding: 0.75rem 1rem;
        background: var(--bg-raised);
      }
      h3 {
        margin: 0 0 0.25rem;
      }
      fieldset {
        border: 1px solid var(--border);
        border-radius: var(--radius);
        margin: 0.5rem 0;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1rem;
        align-items: center;
        margin: 0.35rem 0;
      }
      .field-problem {
        margin: 0.25rem 0;
      }
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.2rem 0.75rem;
        margin: 0.5rem 0;
      }
      dt {
        font-weight: 600;
      }
      dd {
        margin: 0;
      }
      ul.runs {
        margin: 0.25rem 0;
        padding-left: 1.25rem;
      }
    `,
  ];

  @property({ attribute: false }) routines: RoutinesController | undefined;

  constructor() {
    super();
    new ObserveController(this, () => this.routines);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.routines?.refresh();
  }

  override render() {
    const routines = this.routines;
    if (!routines) return nothing;
    return html`<h2>Routines</h2>
      <p class="intro muted">
        Routines run on a schedule while Tabclaw is open, in a tab or as an installed window. Each starts with a cheap
        check and calls the model only when something is new; runs missed while the app was closed run once when you
        open it again.
      </p>
      ${routines.error ? html`<p class="error" role="alert">${routines.error}</p>` : nothing}
      ${
        routines.loaded && routines.rows.length === 0
          ? html`<p class="empty" data-testid="routines-empty">
              No routines yet. They appear here once the app has started them (after the first start with a model
              loaded); then you can change when each runs, turn it off, or ask to be notified.
            </p>`
          : nothing
      }
      <ol class="jobs">
        ${repeat(
          routines.rows,
          (row) => row.job.id,
          (row) => html`<li>${this.#job(routines, row)}</li>`,
        )}
      </ol>`;
  }

  #job(routines: RoutinesController, row: RoutineRow) {
    const { job } = row;
    const id = job.id;
    const last = row.runs.find((run) => run.startedAt === job.lastRunAt) ?? row.runs[0];
    const notice = routines.notice(id);
    return html`<article data-job=${id} aria-labelledby="title-${id}">
      <h3 id="title-${id}">${job.title}</h3>
      <p class="muted">Routine: ${job.routine} · times in ${job.timeZone}</p>
      <div class="row">
        <label
          ><input
            type="checkbox"
            .checked=${job.enabled}
            @change=${(event: Event) => routines.setEnabled(id, (event.target as HTMLInputElement).checked)}
          />
          On</label
        >
        <label
          ><input type="checkbox" .checked=${row.notify} @change=${(event: Event) => this.#notify(event, id)} /> Notify
          me when it finds something or fails</label
        >
      </div>
      <div class="row">
        <label
          ><input
            type="checkbox"
            .checked=${row.keepAwake}
            aria-describedby="awake-${id}"
            @change=${(event: Event) => routines.setKeepAwake(id, (event.target as HTMLInputElement).checked)}
          />
          Keep the screen awake while it runs</label
        >
      </div>
      <p class="muted" id="awake-${id}">
        The browser keeps the screen awake only while this tab is open and visible, so for a night routine leave the
        laptop plugged in with Tabclaw showing; the lock is let go as soon as the run ends.
      </p>
      ${notice ? html`<p class="error" role="alert" data-testid="routine-notice">${notice}</p>` : nothing}
      <dl>
        <dt>Last run</dt>
        <dd data-testid="last-run">${last ? runLine(last) : "Not run yet"}</dd>
        <dt>Next run</dt>
        <dd data-testid="next-run">${job.enabled ? when(row.nextRunAt) : "Off (turn it on to schedule runs)"}</dd>
      </dl>
      ${this.#form(routines, row)}
      ${
        row.runs.length > 0
          ? html`<details>
              <summary>Recent runs (${row.runs.length})</summary>
              <ul class="runs" data-testid="recent-runs">
                ${row.runs.map((run) => html`<li>${runLine(run)}</li>`)}
              </ul>
            </details>`
          : nothing
      }
    </article>`;
  }

  #form(routines: RoutinesController, row: RoutineRow) {
    const id = row.job.id;
    const draft = routines.draft(id);
    if (!draft) return nothing;
    const problems = routines.problems(id);
    const edit = (change: Partial<ScheduleDraft>) => routines.edit(id, change);
    const value = (event: Event) => (event.target as HTMLInputElement).value;
    const scheduleProblem = problems.schedule
      ? html`<p class="error field-problem" id="schedule-problem-${id}" data-testid="schedule-problem">
          ${problems.schedule}
        </p>`
      : nothing;
    const invalid = problems.schedule ? "true" : "false";
    const describedBy = problems.schedule ? `schedule-problem-${id}` : "";
    return html`<form
      @submit=${(event: Event) => {
        event.preventDefault();
        void routines.saveSchedule(id);
      }}
    >
      <fieldset>
        <legend>Schedule</legend>
        <div class="row">
          ${(["every", "daily", "cron"] as const).map(
            (kind) =>
              html`<label
                ><input
                  type="radio"
                  name="kind-${id}"
                  .checked=${draft.kind === kind}
                  @change=${() => edit({ kind })}
                />
                ${kind === "every" ? "Every N minutes" : kind === "daily" ? "Daily at a time" : "Cron expression"}</label
              >`,
          )}
        </div>
        <div class="row">
          ${
            draft.kind === "every"
              ? html`<label
                  >Minutes
                  <input
                    type="number"
                    min="1"
                    step="1"
                    .value=${draft.minutes}
                    aria-invalid=${invalid}
                    aria-describedby=${describedBy}
                    @input=${(event: Event) => edit({ minutes: value(event) })}
                /></label>`
              : draft.kind === "daily"
                ? html`<label
                    >Time (HH:MM)
                    <input
                      type="text"
                      inputmode="numeric"
                      .value=${draft.time}
                      aria-invalid=${invalid}
                      aria-describedby=${describedBy}
                      @input=${(event: Event) => edit({ time: value(event) })}
                  /></label>`
                : html`<label
                    >Cron expression
                    <input
                      type="text"
                      spellcheck="false"
                      .value=${draft.expression}
                      aria-invalid=${invalid}
                      aria-describedby=${describedBy}
                      @input=${(event: Event) => edit({ expression: value(event) })}
                  /></label>`
          }
        </div>
        ${scheduleProblem}
      </fieldset>
      <fieldset>
        <legend>Active hours</legend>
        <label
          ><input
            type="checkbox"
            .checked=${draft.hoursOn}
            @change=${(event: Event) => edit({ hoursOn: (event.target as HTMLInputElement).checked })}
          />
          Only run during these hours</label
        >
        ${
          draft.hoursOn
            ? html`<div class="row">
                  <label
                    >From
                    <input
                      type="text"
                      size="5"
                      .value=${draft.from}
                      aria-invalid=${problems.hours ? "true" : "false"}
                      @input=${(event: Event) => edit({ from: value(event) })}
                  /></label>
                  <label
                    >To
                    <input
                      type="text"
                      size="5"
                      .value=${draft.to}
                      aria-invalid=${problems.hours ? "true" : "false"}
                      @input=${(event: Event) => edit({ to: value(event) })}
                  /></label>
                </div>
                <div class="row" role="group" aria-label="Days">
                  ${DAYS.map(
                    (name, day) =>
                      html`<label
                        ><input
                          type="checkbox"
                          .checked=${draft.days.includes(day)}
                          @change=${(event: Event) =>
                            edit({
                              days: (event.target as HTMLInputElement).checked
                                ? [...draft.days, day]
                                : draft.days.filter((other) => other !== day),
                            })}
                        />
                        ${name}</label
                      >`,
                  )}
                </div>
                ${
                  problems.hours
                    ? html`<p class="error field-problem" data-testid="hours-problem">${problems.hours}</p>`
                    : nothing
                }`
            : nothing
        }
      </fieldset>
      <div class="row">
        <button class="primary" type="submit">Save schedule</button>
        ${
          routines.isDirty(id)
            ? html`<button type="button" @click=${() => routines.discard(id)}>Discard changes</button>`
            : nothing
        }
        <span role="status" data-testid="schedule-status"
          >${routines.wasSaved(id) ? "Saved." : routines.isDirty(id) ? "Unsaved changes." : ""}</span
        >
      </div>
    </form>`;
  }

  async #notify(event: Event, id: string): Promise<void> {
    const box = event.target as HTMLInputElement;
    const ok = await this.routines?.setNotify(id, box.checked);
    if (!ok) box.checked = false;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-routines-view": RoutinesView;
  }
}
