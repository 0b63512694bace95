import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { REVISION_REF } from "../app/memory-connector";
import { announceMemoryChanged } from "../memory/memory-channel";
import type { MemoryStore } from "../memory/memory-store";
import type { ApprovalRecord } from "../store/approval-record";
import { sharedStyles } from "./shared-styles";

/** The memory tools' arguments as the line shows them. */
function describe(record: ApprovalRecord): string {
  const args = record.editedArguments ?? record.action.arguments;
  switch (record.action.tool) {
    case "memory_save":
      return `Remembered: ${String(args.fact)}`;
    case "memory_search":
      return `Searched memory for “${String(args.query)}”`;
    case "memory_get":
      return `Read ${String(args.ref)} from memory`;
    default:
      return record.action.preview.title;
  }
}

/**
 * A memory step in the chat, as one line: memory work runs without asking, so it gets no approval
 * card, but it is shown (what was saved, what was looked up, with the result on demand) and a save
 * can be undone here.
 * @property record - the Gate's record of the memory action
 * @property store - where Undo reverts the save's revision
 */
@customElement("tabclaw-memory-step")
export class MemoryStep extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        margin: 0.25rem 0 0.75rem;
        font-size: 0.9rem;
      }
      .line {
        display: flex;
        gap: 0.5rem;
        align-items: baseline;
        flex-wrap: wrap;
      }
      pre {
        white-space: pre-wrap;
        margin: 0.25rem 0 0;
        padding: 0.5rem;
        background: var(--bg-raised);
        border-radius: var(--radius);
      }
    `,
  ];

  @property({ attribute: false }) record: ApprovalRecord | undefined;
  @property({ attribute: false }) store: MemoryStore | undefined;
  @state() private undone = false;
  @state() private message = "";

  override updated(changed: PropertyValues<this>): void {
    if (changed.has("record") || changed.has("store")) void this.#readUndone();
  }

  /** Undone in an earlier visit, or from the Memory view: the line says so after a reload too. */
  async #readUndone(): Promise<void> {
    const revisionId = this.#revisionId();
    if (revisionId === undefined || !this.store) return;
    this.undone = (await this.store.getRevision(revisionId))?.undoneAt !== undefined;
  }

  override render() {
    const record = this.record;
    if (!record) return nothing;
    const result = record.result;
    const failed = record.status === "failed" ? (record.error?.message ?? "it failed") : undefined;
    return html`<div class="line muted">
        <span data-testid="memory-step">${describe(record)}</span>
        ${this.undone ? html`<em>(undone)</em>` : nothing}
        ${
          this.#revisionId() !== undefined && !this.undone
            ? html`<button @click=${() => void this.#undo()}>Undo</button>`
            : nothing
        }
      </div>
      ${failed ? html`<p class="error">Failed: ${failed}</p>` : nothing}
      ${
        result && record.action.tool !== "memory_save"
          ? html`<details>
              <summary>
                What it found${result.trusted ? "" : ` (includes text from ${result.source ?? "outside"})`}
              </summary>
              <pre>${result.content}</pre>
            </details>`
          : nothing
      }
      <p role="status" class="muted">${this.message}</p>`;
  }

  #revisionId(): string | undefined {
    const ref = this.record?.result?.ref;
    return ref?.startsWith(REVISION_REF) ? ref.slice(REVISION_REF.length) : undefined;
  }

  async #undo(): Promise<void> {
    const revisionId = this.#revisionId();
    if (revisionId === undefined || !this.store) return;
    const outcome = await this.store.undoRevision(revisionId, Date.now());
    if (outcome.ok) {
      this.undone = true;
      this.message = "Forgotten again: the fact is no longer in memory.";
      announceMemoryChanged();
      return;
    }
    this.undone = outcome.reason === "already_undone";
    this.message =
      outcome.reason === "conflict"
        ? "Not undone: the fact was changed since. Edit or delete it in the Memory view."
        : outcome.reason === "already_undone"
          ? "It was already undone."
          : "Not undone: this save is no longer on record.";
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-memory-step": MemoryStep;
  }
}
