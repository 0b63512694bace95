import { LitElement, css, html, nothing } from "lit";
import { customElement, property, query } from "lit/decorators.js";
import { isImportance } from "../memory/fact-rules";
import type { FactRecord, Importance, MemoryOrigin } from "../store/memory-record";
import { sharedStyles } from "./shared-styles";

export interface FactEditDetail {
  text: string;
  importance: Importance;
}

const ORIGINS: Record<MemoryOrigin, string> = {
  user: "you",
  chat: "the agent, in a chat",
  compaction: "saved when a chat was shortened",
  dreaming: "dreaming",
  import: "an import",
};

const IMPORTANCE = [1, 2, 3, 4, 5] as const;

function when(instant: number | undefined): string {
  return instant === undefined ? "never" : new Date(instant).toLocaleString();
}

/**
 * One long-term fact in the Memory view: its text, whether it is pinned and trusted (naming the
 * outside sources of an untrusted one), where it came from and when, and Edit, Pin and Delete.
 * @property fact - the fact
 * @property editing - shows the edit form instead of the controls
 * @property busy - a change is being saved: the controls wait
 * @fires edit-start - Edit was pressed
 * @fires edit-cancel - the edit form was closed without saving
 * @fires fact-edit - the edit form was submitted; `detail` is a {@link FactEditDetail}
 * @fires fact-pin - Pin or Unpin; `detail.pinned` is the new state
 * @fires fact-delete - Delete was pressed
 */
@customElement("tabclaw-memory-fact")
export class MemoryFact extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      article {
        border: 1px solid var(--border);
        border-radius: var(--radius);
        padding: 0.6rem 0.8rem;
        background: var(--bg);
      }
      .text {
        margin: 0 0 0.4rem;
        overflow-wrap: anywhere;
      }
      ul.badges {
        list-style: none;
        padding: 0;
        margin: 0 0 0.4rem;
        display: flex;
        flex-wrap: wrap;
        gap: 0.35rem;
      }
      .badge {
        border: 1px solid var(--border);
        border-radius: 999px;
        padding: 0 0.5rem;
        font-size: 0.85rem;
        background: var(--bg-raised);
      }
      .badge.untrusted {
        border: 2px solid var(--danger);
        color: var(--danger);
        font-weight: 600;
      }
      .badge.pinned {
        border-color: var(--accent);
        font-weight: 600;
      }
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0 0.75rem;
        margin: 0 0 0.5rem;
        font-size: 0.9rem;
      }
      dt {
        color: var(--fg-muted);
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
      .actions,
      .form-actions {
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
      }
      form {
        display: flex;
        flex-direction: column;
        gap: 0.4rem;
      }
      textarea {
        width: 100%;
        box-sizing: border-box;
        min-height: 4rem;
        background: var(--bg);
        border: 1px solid var(--border);
        border-radius: var(--radius);
        padding: 0.4rem;
      }
      select {
        width: max-content;
        background: var(--bg);
        border: 1px solid var(--border);
        border-radius: var(--radius);
        padding: 0.2rem 0.4rem;
      }
    `,
  ];

  @property({ attribute: false }) fact: FactRecord | undefined;
  @property({ type: Boolean }) editing = false;
  @property({ type: Boolean }) busy = false;
  @query("textarea") private textArea: HTMLTextAreaElement | undefined;

  protected override updated(changed: Map<string, unknown>): void {
    // Opening the form puts the keyboard in it.
    if (changed.has("editing") && this.editing) this.textArea?.focus();
  }

  override render() {
    const fact = this.fact;
    if (!fact) return nothing;
    const untrusted = fact.provenance.trust === "untrusted" ? fact.provenance.sources : undefined;
    return html`<article aria-labelledby="text">
      <p class="text" id="text" data-testid="fact-text">${fact.text}</p>
      <ul class="badges" aria-label="About this fact">
        ${fact.pinned ? html`<li class="badge pinned" data-testid="fact-pinned">Pinned</li>` : nothing}
        ${
          untrusted
            ? html`<li class="badge untrusted" data-testid="fact-trust">
                Untrusted: drawn from ${untrusted.length > 0 ? untrusted.join(", ") : "sources not named"}
              </li>`
            : html`<li class="badge" data-testid="fact-trust">Trusted</li>`
        }
        <li class="badge" data-testid="fact-importance">Importance ${fact.importance} of 5</li>
      </ul>
      <dl data-testid="fact-provenance">
        <dt>Saved by</dt>
        <dd>${ORIGINS[fact.origin]}</dd>
        <dt>Source</dt>
        <dd>${fact.source === "" ? "not recorded" : fact.source}</dd>
        <dt>Created</dt>
        <dd>${when(fact.created)}</dd>
        <dt>Changed</dt>
        <dd>${when(fact.updated)}</dd>
        <dt>Last recalled</dt>
        <dd>${when(fact.lastRecalled)}</dd>
      </dl>
      ${this.editing ? this.#form(fact) : this.#actions(fact)}
    </article>`;
  }

  #actions(fact: FactRecord) {
    return html`<div class="actions">
      <button aria-describedby="text" ?disabled=${this.busy} @click=${() => this.#fire("edit-start")}>Edit</button>
      <button
        aria-describedby="text"
        ?disabled=${this.busy}
        @click=${() => this.#fire("fact-pin", { pinned: !fact.pinned })}
      >
        ${fact.pinned ? "Unpin" : "Pin"}
      </button>
      <button class="danger" aria-describedby="text" ?disabled=${this.busy} @click=${() => this.#fire("fact-delete")}>
        Delete
      </button>
    </div>`;
  }

  #form(fact: FactRecord) {
    return html`<form @submit=${this.#submit}>
      <label for="edit-text">Fact text</label>
      <textarea id="edit-text" name="text" .value=${fact.text}></textarea>
      <label for="edit-importance">Importance (1 to 5)</label>
      <select id="edit-importance" name="importance">
        ${IMPORTANCE.map(
          (value) => html`<option value=${value} ?selected=${value === fact.importance}>${value}</option>`,
        )}
      </select>
      <div class="form-actions">
        <button type="submit" class="primary" ?disabled=${this.busy}>Save</button>
        <button type="button" @click=${() => this.#fire("edit-cancel")}>Cancel</button>
      </div>
    </form>`;
  }

  #submit(event: SubmitEvent): void {
    event.preventDefault();
    const data = new FormData(event.target as HTMLFormElement);
    const importance = Number(data.get("importance"));
    const text = data.get("text");
    const detail: FactEditDetail = {
      text: typeof text === "string" ? text : "",
      importance: isImportance(importance) ? importance : 3,
    };
    this.#fire("fact-edit", detail);
  }

  #fire(name: string, detail?: unknown): void {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-memory-fact": MemoryFact;
  }
}
