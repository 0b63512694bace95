import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import type { DreamController, DreamRun } from "../app/dream-controller";
import { ObserveController } from "../app/observable";
import { dreamDiff } from "../memory/dream-diff";
import type { DreamStatus } from "../memory/dream-journal-store";
import type { FactRecord } from "../store/memory-record";
import { panelStyles, sharedStyles } from "./shared-styles";

const STATUS_LABEL: Record<DreamStatus, string> = {
  running: "Dreaming…",
  applied: "Changed memory",
  refused: "Refused",
  nothing_new: "Nothing new",
  failed: "Failed",
  interrupted: "Interrupted",
};

/** The fact's text with its provenance mark: "(untrusted: gmail:1890ab)" when drawn from someone else's text. */
function factLine(fact: FactRecord) {
  return html`<span class="fact">${fact.text}</span>${
      fact.provenance.trust === "untrusted"
        ? html` <span class="mark untrusted" data-testid="untrusted-mark"
            >untrusted: ${fact.provenance.sources.join(", ")}</span
          >`
        : nothing
    }${fact.pinned ? html` <span class="mark">pinned</span>` : nothing}`;
}

/**
 * The Dreams view: the nightly setting, "Dream now", and the Dream journal, newest first. Each
 * run shows what it changed (added, merged, updated before → after, retired, with provenance
 * marks), or why it was refused or changed nothing, and offers "Undo this run".
 * @property dreams - the dream controller
 */
@customElement("tabclaw-dream-journal")
export class DreamJournal extends LitElement {
  static override styles = [
    sharedStyles,
    panelStyles,
    css`
      :host {
        max-width: 60rem;
      }
      section {
        margin-bottom: 1.5rem;
      }
      form,
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1rem;
        align-items: center;
      }
      input[type="time"] {
        padding: 0.3rem 0.4rem;
        border: 1px solid var(--border);
        border-radius: var(--radius);
        background: var(--bg);
      }
      ol.runs {
        list-style: none;
        padding: 0;
        margin: 0;
      }
      ol.runs > li {
        border: 1px solid var(--border);
        border-radius: var(--radius);
        padding: 0.75rem 1rem;
        margin-bottom: 0.75rem;
      }
      h4 {
        margin: 0 0 0.25rem;
        font-size: 1rem;
      }
      h5 {
        margin: 0.5rem 0 0.15rem;
        font-size: 0.95rem;
      }
      ul {
        margin: 0.15rem 0;
        padding-left: 1.25rem;
      }
      .mark {
        font-size: 0.8rem;
        border: 1px solid var(--border);
        border-radius: 999px;
        padding: 0 0.4rem;
        white-space: nowrap;
      }
      .untrusted {
        color: var(--danger);
        border-color: var(--danger);
      }
      .before {
        text-decoration: line-through;
      }
      .hint {
        font-size: 0.9rem;
      }
    `,
  ];

  @property({ attribute: false }) dreams: DreamController | undefined;
  /** The form's values as edited; undefined follows the stored setting. */
  @state() private draft: { enabled: boolean; time: string } | undefined;
  @state() private formMessage = "";

  constructor() {
    super();
    new ObserveController(this, () => this.dreams);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.dreams?.refresh();
  }

  override render() {
    const dreams = this.dreams;
    if (!dreams) return nothing;
    const blocked = dreams.blockedReason();
    return html`<h2>Dreams</h2>
      <p>
        At night Tabclaw reads the day's notes and tidies its long-term facts: it adds what is worth keeping, merges
        repeats, updates what changed and retires what is no longer true. A run never retires more than a quarter of the
        facts, keeps facts drawn from other people's text marked untrusted, and can be undone in one click.
      </p>
      ${dreams.error ? html`<p class="error" role="alert">${dreams.error}</p>` : nothing}
      <section aria-labelledby="dream-settings-title">
        <h3 id="dream-settings-title">Every night</h3>
        ${this.#settingsForm(dreams)}
      </section>
      <section aria-labelledby="dream-now-title">
        <h3 id="dream-now-title">Dream now</h3>
        <div class="row">
          <button
            class="primary"
            data-testid="dream-now"
            aria-disabled=${blocked ? "true" : "false"}
            aria-describedby=${blocked ? "dream-blocked" : nothing}
            @click=${() => void dreams.dreamNow()}
          >
            Dream now
          </button>
          ${blocked ? html`<span id="dream-blocked" class="muted hint">${blocked}</span>` : nothing}
        </div>
        <p role="status" data-testid="dream-status">${dreams.progress ?? dreams.message ?? ""}</p>
      </section>
      <section aria-labelledby="journal-title">
        <h3 id="journal-title">Dream journal</h3>
        ${
          !dreams.loaded
            ? html`<p class="muted">Reading the journal…</p>`
            : dreams.runs.length === 0
              ? html`<p class="muted" data-testid="journal-empty">
                  No run yet. Each run will appear here, newest first, with what it changed.
                </p>`
              : html`<ol class="runs">
                  ${repeat(
                    dreams.runs,
                    (run) => run.entry.id,
                    (run) => this.#run(dreams, run),
                  )}
                </ol>`
        }
      </section>`;
  }

  #settingsForm(dreams: DreamController) {
    const draft = this.draft ?? dreams.settings;
    const next = dreams.nextDue;
    return html`<form @submit=${(event: Event) => this.#save(event, draft)}>
        <label
          ><input
            type="checkbox"
            name="enabled"
            .checked=${draft.enabled}
            @change=${(event: Event) => {
              this.draft = { ...draft, enabled: (event.target as HTMLInputElement).checked };
            }}
          />
          Dream every night</label
        >
        <label for="dream-time">At</label>
        <input
          id="dream-time"
          type="time"
          required
          aria-describedby="dream-time-hint"
          .value=${draft.time}
          @input=${(event: Event) => {
            this.draft = { ...draft, time: (event.target as HTMLInputElement).value };
          }}
        />
        <button type="submit">Save</button>
        <span role="status" data-testid="dream-settings-status">${this.formMessage}</span>
      </form>
      <p class="muted hint" id="dream-time-hint">
        In your time zone (${dreams.timeZone}). If Tabclaw is closed then, it dreams once the next time it is open with
        a model loaded.
        ${
          dreams.settings.enabled && next !== undefined
            ? html`Next run: <time datetime=${new Date(next).toISOString()}>${new Date(next).toLocaleString()}</time>.`
            : nothing
        }
      </p>`;
  }

  async #save(event: Event, draft: { enabled: boolean; time: string }): Promise<void> {
    event.preventDefault();
    const result = await this.dreams?.saveSettings(draft.enabled, draft.time);
    if (!result) return;
    if (result.ok) {
      this.draft = undefined;
      this.formMessage = draft.enabled
        ? `Saved: dreaming every night at ${draft.time}.`
        : "Saved: nightly dreaming is off.";
    } else this.formMessage = result.message;
  }

  #run(dreams: DreamController, run: DreamRun) {
    const { entry, revision } = run;
    const when = new Date(entry.at);
    const undone = revision?.undoneAt !== undefined;
    const undoMessage = dreams.undoMessage(entry.id);
    const titleId = `run-${entry.id}`;
    return html`<li data-status=${entry.status} data-testid="dream-run" aria-labelledby=${titleId}>
      <h4 id=${titleId}>
        <time datetime=${when.toISOString()}>${when.toLocaleString()}</time>:
        ${STATUS_LABEL[entry.status]}${undone ? " (undone)" : ""}
      </h4>
      <p>
        ${entry.message}
        <span class="muted"
          >${entry.trigger === "manual" ? "Started by you." : "Nightly run."} Read ${entry.notesRead}
          ${entry.notesRead === 1 ? "note" : "notes"}${entry.notesLeft > 0 ? `; ${entry.notesLeft} left for the next run` : ""};
          ${entry.tokens.toLocaleString("en-US")} tokens.</span
        >
      </p>
      ${
        entry.reasons.length > 0
          ? html`<ul data-testid="dream-reasons">
              ${entry.reasons.map((reason) => html`<li>${reason}</li>`)}
            </ul>`
          : nothing
      }
      ${revision ? this.#diff(run) : nothing}
      ${
        entry.notes.length > 0
          ? html`<details>
              <summary>What the guards changed or left out (${entry.notes.length})</summary>
              <ul>
                ${entry.notes.map((note) => html`<li>${note}</li>`)}
              </ul>
            </details>`
          : nothing
      }
      ${revision && !undone ? html`<button @click=${() => void dreams.undo(entry.id)}>Undo this run</button>` : nothing}
      ${undoMessage ? html`<p role="status" data-testid="undo-status">${undoMessage}</p>` : nothing}
    </li>`;
  }

  #diff(run: DreamRun) {
    if (!run.revision) return nothing;
    const diff = dreamDiff(run.revision, run.entry.merges);
    const group = (title: string, testId: string, items: unknown[], body: () => unknown) =>
      items.length > 0
        ? html`<h5>${title}</h5>
            <ul data-testid=${testId}>
              ${body()}
            </ul>`
        : nothing;
    return html`<div data-testid="dream-diff">
      ${group("Added", "diff-added", diff.added, () => diff.added.map((fact) => html`<li>${factLine(fact)}</li>`))}
      ${group("Merged", "diff-merged", diff.merged, () =>
        diff.merged.map(
          (merge) =>
            html`<li>
              ${[merge.before, ...merge.from].map(
                (fact, index) => html`${index > 0 ? " + " : ""}<span class="before">${fact.text}</span>`,
              )}
              → ${factLine(merge.after)}
            </li>`,
        ),
      )}
      ${group("Updated", "diff-updated", diff.updated, () =>
        diff.updated.map(
          (update) =>
            html`<li>
              <span class="before">${update.before.text}</span>
              ${update.before.importance !== update.after.importance ? ` (importance ${update.before.importance})` : ""}
              →
              ${factLine(update.after)}${
                update.before.importance !== update.after.importance ? ` (importance ${update.after.importance})` : ""
              }
            </li>`,
        ),
      )}
      ${group("Retired", "diff-retired", diff.retired, () =>
        diff.retired.map((fact) => html`<li><span class="before">${fact.text}</span></li>`),
      )}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-dream-journal": DreamJournal;
  }
}
