import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import { formatLocalTime } from "../core/agent/local-day";
import type { MemoryController } from "../app/memory-controller";
import { ObserveController } from "../app/observable";
import type { FileReport } from "../memory/workspace-import";
import type { DailyNoteRecord } from "../store/memory-record";
import "./memory-fact";
import type { FactEditDetail } from "./memory-fact";
import { panelStyles, sharedStyles } from "./shared-styles";

function fileSummary(file: FileReport): string {
  if (file.role === "ignored") return "not read";
  const parts: string[] = [];
  if (file.role === "memory") parts.push(`${file.facts} ${file.facts === 1 ? "fact" : "facts"} read`);
  if (file.role === "notes") parts.push(`${file.notes} ${file.notes === 1 ? "note" : "notes"} read`);
  if (file.role === "profile") parts.push(file.profile ? "profile read" : "profile not read");
  return parts.join(", ");
}

function save(filename: string, bytes: Uint8Array<ArrayBuffer>): void {
  const url = URL.createObjectURL(new Blob([bytes], { type: "application/zip" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.rel = "noopener";
  document.body.append(link);
  link.click();
  link.remove();
  // The download holds its own reference by then; revoking later frees the memory without racing it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Memory: the facts the agent keeps (pinned first), each with where it came from and Edit, Pin and
 * Delete; the daily notes by day; the user profile (`USER.md`); and export and import in the
 * OpenClaw workspace layout. Every change to a fact can be undone from the status line.
 * @property memory - the memory controller
 */
@customElement("tabclaw-memory-view")
export class MemoryView extends LitElement {
  static override styles = [
    sharedStyles,
    panelStyles,
    css`
      .intro,
      .empty,
      section > p {
        max-width: 48rem;
      }
      section {
        margin-bottom: 1.5rem;
      }
      ol.facts,
      ol.notes {
        list-style: none;
        padding: 0;
        margin: 0.5rem 0;
        display: flex;
        flex-direction: column;
        gap: 0.6rem;
        max-width: 48rem;
      }
      ol.notes li {
        border-left: 3px solid var(--border);
        padding-left: 0.6rem;
      }
      .note-text {
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
      .untrusted {
        color: var(--danger);
        font-weight: 600;
      }
      .status-line {
        display: flex;
        gap: 0.75rem;
        align-items: center;
        flex-wrap: wrap;
        min-height: 2rem;
      }
      .status-line p {
        margin: 0;
      }
      input[type="search"],
      textarea,
      select {
        background: var(--bg);
        border: 1px solid var(--border);
        border-radius: var(--radius);
        padding: 0.3rem 0.5rem;
      }
      input[type="search"] {
        width: min(30rem, 100%);
        box-sizing: border-box;
      }
      textarea {
        display: block;
        width: min(48rem, 100%);
        box-sizing: border-box;
        min-height: 8rem;
        margin: 0.3rem 0 0.5rem;
      }
      .field {
        display: flex;
        flex-direction: column;
        gap: 0.25rem;
        margin: 0.5rem 0;
      }
      .transfer {
        display: flex;
        flex-direction: column;
        gap: 0.6rem;
        align-items: flex-start;
      }
      .report li {
        overflow-wrap: anywhere;
      }
      code {
        font-size: 0.9em;
      }
    `,
  ];

  @property({ attribute: false }) memory: MemoryController | undefined;
  @state() private editing: string | undefined;
  @state() private day: string | undefined;
  @state() private profileDraft: string | undefined;

  constructor() {
    super();
    new ObserveController(this, () => this.memory);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.memory?.refresh();
  }

  override render() {
    const memory = this.memory;
    if (!memory) return nothing;
    return html`<h2>Memory</h2>
      <p class="intro muted">
        What the agent remembers, kept on this device: long-term facts, a daily log of what happened, and your profile.
        Each fact says where it came from; facts drawn from someone else's text (a mail, a message) are marked untrusted
        and name their sources.
      </p>
      ${memory.error ? html`<p class="error" role="alert">${memory.error}</p>` : nothing}
      <div class="status-line">
        <p role="status" data-testid="memory-status" class=${memory.notice?.kind === "error" ? "error" : ""}>
          ${memory.notice?.text ?? ""}
        </p>
        ${
          memory.notice?.revisionId !== undefined
            ? html`<button ?disabled=${memory.busy} @click=${() => this.#undo()}>Undo</button>`
            : nothing
        }
      </div>
      <p class="field">
        <label for="memory-search">Search memory</label>
        <input
          id="memory-search"
          type="search"
          .value=${memory.query}
          @input=${(event: Event) => memory.setQuery((event.target as HTMLInputElement).value)}
        />
      </p>
      ${this.#facts(memory)} ${this.#notes(memory)} ${this.#profile(memory)} ${this.#transfer(memory)}`;
  }

  #facts(memory: MemoryController) {
    const facts = memory.facts;
    const searching = memory.query.trim() !== "";
    let empty: unknown = nothing;
    if (memory.loaded && memory.factCount === 0) {
      empty = html`<p class="empty" data-testid="facts-empty">
        No facts yet. Facts the agent saves with memory_save, what dreaming consolidates, and what you import appear
        here, each with where it came from. Pin a fact to keep it as it is: dreaming never changes a pinned fact.
      </p>`;
    } else if (facts.length === 0 && searching) {
      empty = html`<p class="empty">No fact matches “${memory.query.trim()}”.</p>`;
    }
    return html`<section aria-labelledby="facts-title">
      <h3 id="facts-title">Facts (${searching ? `${facts.length} of ${memory.factCount}` : memory.factCount})</h3>
      ${empty}
      ${
        facts.length > 0
          ? html`<ol class="facts" data-testid="facts">
              ${repeat(
                facts,
                (fact) => fact.id,
                (fact) =>
                  html`<li>
                    <tabclaw-memory-fact
                      data-id=${fact.id}
                      .fact=${fact}
                      ?editing=${this.editing === fact.id}
                      ?busy=${memory.busy}
                      @edit-start=${() => (this.editing = fact.id)}
                      @edit-cancel=${() => (this.editing = undefined)}
                      @fact-edit=${(event: CustomEvent<FactEditDetail>) => this.#edit(fact.id, event.detail)}
                      @fact-pin=${(event: CustomEvent<{ pinned: boolean }>) =>
                        void memory.setPinned(fact.id, event.detail.pinned)}
                      @fact-delete=${() => void memory.deleteFact(fact.id)}
                    ></tabclaw-memory-fact>
                  </li>`,
              )}
            </ol>`
          : nothing
      }
    </section>`;
  }

  #notes(memory: MemoryController) {
    const days = memory.notesByDay;
    const searching = memory.query.trim() !== "";
    let body: unknown;
    if (memory.loaded && memory.noteCount === 0) {
      body = html`<p class="empty" data-testid="notes-empty">
        No daily notes yet. What happens in your conversations is logged here day by day, and dreaming reads the log to
        find facts worth keeping.
      </p>`;
    } else if (searching) {
      body =
        days.length === 0
          ? html`<p class="empty">No note matches “${memory.query.trim()}”.</p>`
          : days.map(({ day, notes }) => this.#day(day, notes, memory));
    } else {
      const selected = days.find(({ day }) => day === this.day) ?? days[0];
      body = selected
        ? html`<p class="field">
              <label for="note-day">Day</label>
              <select id="note-day" @change=${(event: Event) => (this.day = (event.target as HTMLSelectElement).value)}>
                ${days.map(
                  ({ day, notes }) =>
                    html`<option value=${day} ?selected=${day === selected.day}>
                      ${day} (${notes.length} ${notes.length === 1 ? "note" : "notes"})
                    </option>`,
                )}
              </select>
            </p>
            ${this.#day(selected.day, selected.notes, memory)}`
        : nothing;
    }
    return html`<section aria-labelledby="notes-title">
      <h3 id="notes-title">Daily notes</h3>
      ${body}
    </section>`;
  }

  #day(day: string, notes: readonly DailyNoteRecord[], memory: MemoryController) {
    return html`<h4>${day}</h4>
      <ol class="notes" data-testid="notes" data-day=${day}>
        ${notes.map(
          (note) =>
            html`<li>
              <time datetime=${new Date(note.at).toISOString()}>${formatLocalTime(note.at, memory.timeZone)}</time>
              <span class="note-text">${note.text}</span>
              ${
                note.provenance.trust === "untrusted"
                  ? html`<span class="untrusted"
                      >(untrusted: ${note.provenance.sources.join(", ") || "sources not named"})</span
                    >`
                  : nothing
              }
            </li>`,
        )}
      </ol>`;
  }

  #profile(memory: MemoryController) {
    const saved = memory.profile?.text ?? "";
    const draft = this.profileDraft ?? saved;
    return html`<section aria-labelledby="profile-title">
      <h3 id="profile-title">Your profile</h3>
      <p class="muted">
        What the agent should always know about you (your name, how you like answers, what you work on), kept as
        Markdown, as <code>USER.md</code> in an export.
      </p>
      <label for="profile">Profile (USER.md)</label>
      <textarea
        id="profile"
        .value=${draft}
        @input=${(event: Event) => (this.profileDraft = (event.target as HTMLTextAreaElement).value)}
      ></textarea>
      <button ?disabled=${memory.busy || draft === saved} @click=${() => this.#saveProfile(draft)}>Save profile</button>
    </section>`;
  }

  #transfer(memory: MemoryController) {
    const report = memory.lastImport;
    return html`<section aria-labelledby="transfer-title">
      <h3 id="transfer-title">Export and import</h3>
      <p>
        A zip in the OpenClaw workspace layout: <code>MEMORY.md</code> (the facts), <code>memory/YYYY-MM-DD.md</code> (a
        file per day of notes) and <code>USER.md</code> (your profile). It is Markdown you can read and edit; a comment
        after each entry keeps its trust, importance, pin and times, so importing it restores everything. Embeddings are
        not exported: they are computed again. An import is one change you can undo (the facts; notes and the profile
        stay).
      </p>
      <div class="transfer">
        <button class="primary" ?disabled=${memory.busy} @click=${() => this.#export()}>Export memory as zip</button>
        <p class="field">
          <label for="import-zip">Import a zip</label>
          <input
            id="import-zip"
            type="file"
            accept=".zip,application/zip"
            ?disabled=${memory.busy}
            @change=${this.#importZip}
          />
        </p>
        <p class="field">
          <label for="import-folder">Import a workspace folder</label>
          <input
            id="import-folder"
            type="file"
            webkitdirectory
            multiple
            ?disabled=${memory.busy}
            @change=${this.#importFolder}
          />
        </p>
      </div>
      ${
        report
          ? html`<h4>Last import: ${report.source}</h4>
              <ul class="report" data-testid="import-report">
                ${report.files.map(
                  (file) =>
                    html`<li data-path=${file.path}>
                      <code>${file.path}</code>: ${fileSummary(file)}
                      ${
                        file.problems.length > 0
                          ? html`<ul>
                              ${file.problems.map((problem) => html`<li>${problem}</li>`)}
                            </ul>`
                          : nothing
                      }
                    </li>`,
                )}
              </ul>`
          : nothing
      }
    </section>`;
  }

  async #edit(id: string, detail: FactEditDetail): Promise<void> {
    if (await this.memory?.editFact(id, detail)) this.editing = undefined;
  }

  async #undo(): Promise<void> {
    const revisionId = this.memory?.notice?.revisionId;
    if (revisionId !== undefined) await this.memory?.undo(revisionId);
  }

  async #saveProfile(text: string): Promise<void> {
    await this.memory?.saveProfile(text);
    this.profileDraft = undefined;
  }

  async #export(): Promise<void> {
    const exported = await this.memory?.exportWorkspace();
    if (exported) save(exported.filename, exported.bytes);
  }

  #importZip = async (event: Event): Promise<void> => {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (file) await this.memory?.importZip(file, file.name);
    input.value = "";
  };

  #importFolder = async (event: Event): Promise<void> => {
    const input = event.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    if (files.length > 0) await this.memory?.importFolder(files);
    input.value = "";
  };
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-memory-view": MemoryView;
  }
}
