import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { html as staticHtml, unsafeStatic } from "lit/static-html.js";
import {
  argumentOrigins,
  describeAnswer,
  describeDecider,
  describeOrigin,
  EFFECT_LABELS,
  INTERRUPTED_EXPLANATION,
  STATUS_LABELS,
} from "../app/approval-text";
import type { DecisionAnswer } from "../app/approvals-controller";
import {
  argumentFields,
  draftArguments,
  fieldOfViolation,
  readDraft,
  type ArgumentDraft,
  type ArgumentField,
} from "../app/argument-form";
import type { ObjectSchema } from "../core/agent/json-schema";
import { describeTaint } from "../core/agent/taint";
import { argumentsToRun, isInterrupted, type ApprovalRecord } from "../store/approval-record";
import { sharedStyles } from "./shared-styles";

export interface ApproveEventDetail {
  id: string;
  /** Set when the user edited the arguments: these run instead of the proposal's. */
  editedArguments?: Record<string, unknown>;
}

export interface RejectEventDetail {
  id: string;
  note?: string;
}

type Mode = "view" | "edit" | "reject";

const WAITING = new Set(["pending", "frozen"]);

/** The Gate's sentence is why it asked, or why it ran without asking. */
function whyLabel(record: ApprovalRecord): string {
  if (WAITING.has(record.status)) return "Why it waits";
  return record.decidedBy === "user" ? "Why it asked" : "Why it ran without asking";
}

/**
 * One action the agent proposed, as the user decides on it: exactly what will go out, the effect,
 * connector and scope, the model's reason (labelled as such), the Gate's reason, a warning when
 * untrusted content was involved, and where each argument came from. Approve, edit then approve,
 * or reject with an optional note. The card never calls the Gate: it fires events and shows the
 * answer its parent passes back.
 *
 * @property record - the approval record to show
 * @property schema - the tool's argument schema, for the Edit form (without it, Edit offers the arguments as JSON)
 * @property answer - the Gate's answer to the last decision on this record; its message is shown
 * @property busy - a decision is on its way: the buttons do nothing until it returns
 * @property headingLevel - level of the card's heading (2–6, default 3)
 * @fires approve - `{id, editedArguments?}`: the user approved (with an edit, if any)
 * @fires reject - `{id, note?}`: the user rejected
 */
@customElement("tabclaw-approval-card")
export class ApprovalCard extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      article {
        border: 1px solid var(--border);
        border-radius: var(--radius);
        padding: 0.75rem 1rem;
        background: var(--bg);
        max-width: 48rem;
      }
      article.tainted {
        border-left: 6px solid var(--danger);
      }
      .title {
        margin: 0 0 0.25rem;
        font-size: 1.1rem;
      }
      .meta {
        margin: 0;
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 0.75rem;
        font-size: 0.9rem;
      }
      .effect {
        font-weight: 700;
      }
      .effect[data-effect="send"] {
        color: var(--danger);
      }
      .state {
        font-weight: 600;
      }
      code {
        font-size: 0.85rem;
        overflow-wrap: anywhere;
      }
      .warning {
        margin: 0.75rem 0;
        padding: 0.5rem 0.75rem;
        border: 2px solid var(--danger);
        border-radius: var(--radius);
        background: var(--bg-raised);
      }
      .warning strong {
        color: var(--danger);
      }
      .warning p {
        margin: 0.25rem 0;
      }
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.25rem 0.75rem;
        margin: 0.75rem 0;
      }
      dt {
        font-weight: 600;
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
      pre {
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        font: inherit;
        margin: 0;
        padding: 0.5rem;
        background: var(--bg-raised);
        border: 1px solid var(--border);
        border-radius: var(--radius);
        max-height: 20rem;
        overflow-y: auto;
      }
      .model-words {
        font-style: italic;
      }
      ul.origins {
        margin: 0.25rem 0;
        padding-left: 1.25rem;
      }
      li[data-origin="untrusted"] {
        color: var(--danger);
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        margin-top: 0.75rem;
      }
      button[aria-disabled="true"] {
        opacity: 0.55;
        cursor: progress;
      }
      form {
        margin-top: 0.75rem;
        padding-top: 0.5rem;
        border-top: 1px solid var(--border);
      }
      fieldset {
        border: none;
        padding: 0;
        margin: 0;
      }
      legend {
        font-weight: 700;
        padding: 0;
      }
      .field {
        display: flex;
        flex-direction: column;
        gap: 0.15rem;
        margin: 0.5rem 0;
      }
      .field.checkbox {
        flex-direction: row;
        align-items: center;
        gap: 0.5rem;
      }
      input:not([type="checkbox"]),
      textarea,
      select {
        padding: 0.4rem 0.5rem;
        border: 1px solid var(--border);
        border-radius: var(--radius);
        background: var(--bg);
        max-width: 100%;
        box-sizing: border-box;
      }
      textarea {
        min-height: 4rem;
        resize: vertical;
      }
      [aria-invalid="true"] {
        border-color: var(--danger);
      }
      .hint {
        font-size: 0.85rem;
      }
      .answer:empty {
        display: none;
      }
      .answer {
        font-weight: 600;
        margin: 0.5rem 0 0;
      }
    `,
  ];

  @property({ attribute: false }) record: ApprovalRecord | undefined;
  @property({ attribute: false }) schema: ObjectSchema | undefined;
  @property({ attribute: false }) answer: DecisionAnswer | undefined;
  @property({ type: Boolean }) busy = false;
  @property({ type: Number, attribute: "heading-level" }) headingLevel = 3;

  @state() private mode: Mode = "view";
  @state() private draft: ArgumentDraft = {};
  /** What the form could not read (a number that is not one, broken JSON), per argument. */
  @state() private readErrors: Record<string, string> = {};
  @state() private note = "";
  #shownId: string | undefined;
  #focusAfterRender: string | undefined;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has("record")) return;
    const record = this.record;
    // Another action in this element: start afresh. The same action refreshed: keep the draft.
    if (record?.id !== this.#shownId) {
      this.#shownId = record?.id;
      this.mode = "view";
      this.draft = {};
      this.readErrors = {};
      this.note = "";
    } else if (record && !WAITING.has(record.status)) {
      this.mode = "view";
    }
  }

  protected override updated(): void {
    if (this.#focusAfterRender === undefined) return;
    const target = this.renderRoot.querySelector<HTMLElement>(this.#focusAfterRender);
    this.#focusAfterRender = undefined;
    target?.focus();
  }

  override render() {
    const record = this.record;
    if (!record) return nothing;
    const { action } = record;
    const taint = action.taint;
    return html`<article
      class=${taint.tainted ? "tainted" : ""}
      aria-labelledby="title"
      data-status=${record.status}
      data-tainted=${taint.tainted ? "true" : "false"}
    >
      ${this.#heading(action.preview.title)}
      <p class="meta">
        <span class="effect" data-effect=${action.effect}>${EFFECT_LABELS[action.effect]}</span>
        <span>Tool <code>${action.tool}</code></span>
        ${action.connector !== undefined ? html`<span>via ${action.connector}</span>` : nothing}
        ${action.scope !== undefined ? html`<span>permission <code>${action.scope}</code></span>` : nothing}
        <span class="state" data-testid="approval-state">${STATUS_LABELS[record.status]}</span>
        <time class="muted" datetime=${new Date(action.proposedAt).toISOString()}
          >proposed ${new Date(action.proposedAt).toLocaleString()}</time
        >
      </p>
      ${taint.tainted ? this.#taintWarning(record) : nothing} ${this.#whatGoesOut(record)} ${this.#reasons(record)}
      ${this.#origins(record)} ${this.#outcome(record)} ${this.#controls(record)}
      <p class="answer ${this.answer && !this.answer.ok ? "error" : ""}" role="status" data-testid="approval-answer">
        ${this.answer ? describeAnswer(this.answer) : ""}
      </p>
    </article>`;
  }

  #heading(title: string) {
    const level = Math.min(6, Math.max(2, Math.round(this.headingLevel)));
    const tag = unsafeStatic(`h${level}`);
    return staticHtml`<${tag} class="title" id="title">${title}</${tag}>`;
  }

  #taintWarning(record: ApprovalRecord) {
    const { taint } = record.action;
    return html`<div class="warning" data-testid="taint-warning">
      <p><strong>Caution: untrusted content was involved.</strong></p>
      <p>${describeTaint(taint)}</p>
      <p>
        Untrusted sources: ${taint.sources.length > 0 ? taint.sources.join(", ") : "not named"}.
        ${
          WAITING.has(record.status)
            ? "Text written by someone else can try to make Tabclaw act for them: check every detail before you approve."
            : nothing
        }
      </p>
    </div>`;
  }

  #whatGoesOut(record: ApprovalRecord) {
    const { preview } = record.action;
    const recipients = preview.recipients ?? [];
    return html`<dl data-testid="approval-preview">
        ${
          recipients.length > 0
            ? html`<dt>Recipients</dt>
                <dd>${recipients.join(", ")}</dd>`
            : nothing
        }
        ${
          preview.destination !== undefined
            ? html`<dt>Destination</dt>
                <dd>${preview.destination}</dd>`
            : nothing
        }
        ${preview.fields.map(
          (field) =>
            html`<dt>${field.label}</dt>
              <dd>${field.value}</dd>`,
        )}
      </dl>
      ${
        preview.body !== undefined
          ? html`<p id="body-label"><strong>Body</strong></p>
              <pre aria-labelledby="body-label" tabindex="0" data-testid="approval-body">${preview.body}</pre>`
          : nothing
      }
      ${
        record.editedArguments
          ? html`<p id="edited-label"><strong>Your edited arguments (these ran instead)</strong></p>
              <pre aria-labelledby="edited-label" tabindex="0">${JSON.stringify(record.editedArguments, null, 2)}</pre>`
          : nothing
      }`;
  }

  #reasons(record: ApprovalRecord) {
    const decider = describeDecider(record);
    return html`<dl>
      <dt>The agent's reason</dt>
      <dd>
        <span class="model-words">“${record.action.reason}”</span>
        <span class="muted">(written by the model: not evidence)</span>
      </dd>
      <dt>${whyLabel(record)}</dt>
      <dd>${record.why}</dd>
      ${
        decider
          ? html`<dt>Decided</dt>
              <dd>${decider}</dd>`
          : nothing
      }
    </dl>`;
  }

  #origins(record: ApprovalRecord) {
    const origins = argumentOrigins(record.action.taint);
    if (origins.length === 0) return nothing;
    return html`<p id="origins-label"><strong>Where each argument came from</strong></p>
      <ul class="origins" aria-labelledby="origins-label" data-testid="argument-origins">
        ${origins.map(
          (source) =>
            html`<li data-origin=${source.origin}><code>${source.path}</code>: ${describeOrigin(source)}</li>`,
        )}
      </ul>`;
  }

  #outcome(record: ApprovalRecord) {
    switch (record.status) {
      case "pending":
        return nothing;
      case "frozen":
        return html`<p id="frozen-reason" data-testid="frozen-reason">
          Tabclaw is paused (the kill switch is on), so this cannot be approved until you resume. You can still reject
          it.
        </p>`;
      case "executing":
        return html`<p>Running now. Its result will appear here.</p>`;
      case "rejected":
        return html`<p>
          Rejected${record.decidedBy === "user" ? " by you" : ""}: it will never run.
          ${record.note ? html`<br />Your note: <q>${record.note}</q>` : nothing}
        </p>`;
      case "failed":
        return isInterrupted(record)
          ? html`<p class="error">${INTERRUPTED_EXPLANATION}</p>`
          : html`<p class="error">
              It failed: ${record.error?.message ?? "no reason was given"}
              ${record.error ? html`<span class="muted">(${record.error.name})</span>` : nothing}
            </p>`;
      case "executed": {
        const result = record.result;
        if (!result || result.content === "") return html`<p>Done. It returned nothing.</p>`;
        const label = result.trusted
          ? "What it returned"
          : `What it returned, written by ${result.source ?? "someone else"} (untrusted: not your words or Tabclaw's)`;
        return html`<p id="result-label"><strong>${label}</strong></p>
          <pre aria-labelledby="result-label" tabindex="0" data-testid="approval-result">${result.content}</pre>`;
      }
    }
  }

  #controls(record: ApprovalRecord) {
    if (!WAITING.has(record.status)) return nothing;
    const frozen = record.status === "frozen";
    const busy = this.busy ? "true" : "false";
    if (this.mode === "edit") return this.#editForm(record, frozen);
    if (this.mode === "reject") return this.#rejectForm();
    return html`<div class="actions">
      <button
        class="primary"
        id="approve"
        ?disabled=${frozen}
        aria-disabled=${busy}
        aria-describedby=${frozen ? "frozen-reason" : nothing}
        @click=${() => this.#approve(record)}
      >
        Approve
      </button>
      <button id="edit" ?disabled=${frozen} aria-disabled=${busy} @click=${() => this.#openEdit(record)}>Edit</button>
      <button class="danger" id="reject" aria-disabled=${busy} @click=${this.#openReject}>Reject…</button>
    </div>`;
  }

  #fields(record: ApprovalRecord): ArgumentField[] {
    const args = argumentsToRun(record);
    if (this.schema) return argumentFields(this.schema, args);
    // Without the schema the arguments are edited as one JSON object.
    return [
      {
        name: "",
        kind: "json",
        required: true,
        initiallyPresent: true,
        options: [],
        schema: { type: "object", properties: {}, additionalProperties: false },
      },
    ];
  }

  #openEdit(record: ApprovalRecord): void {
    if (this.busy) return;
    const fields = this.#fields(record);
    const args = argumentsToRun(record);
    this.draft = this.schema ? draftArguments(fields, args) : { "": JSON.stringify(args, null, 2) };
    this.readErrors = {};
    this.mode = "edit";
    this.#focusAfterRender = "form [name]";
  }

  #openReject = (): void => {
    if (this.busy) return;
    this.mode = "reject";
    this.#focusAfterRender = "#note";
  };

  #cancel(returnTo: string): void {
    this.mode = "view";
    this.readErrors = {};
    this.#focusAfterRender = returnTo;
  }

  #approve(record: ApprovalRecord): void {
    if (this.busy || record.status !== "pending") return;
    this.#fire("approve", { id: record.id });
  }

  #submitEdit(event: Event, record: ApprovalRecord): void {
    event.preventDefault();
    if (this.busy || record.status !== "pending") return;
    const fields = this.#fields(record);
    const read = readDraft(fields, this.draft);
    if (!read.ok) {
      this.readErrors = read.errors;
      this.#focusAfterRender = `[name="${Object.keys(read.errors)[0] ?? ""}"]`;
      this.requestUpdate();
      return;
    }
    this.readErrors = {};
    const parsed = this.schema ? read.arguments : read.arguments[""];
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      this.readErrors = { "": "The arguments must be one JSON object." };
      return;
    }
    this.#fire("approve", { id: record.id, editedArguments: parsed as Record<string, unknown> });
  }

  #submitReject(event: Event): void {
    event.preventDefault();
    const record = this.record;
    if (!record || this.busy) return;
    const note = this.note.trim();
    this.#fire("reject", { id: record.id, ...(note ? { note } : {}) });
  }

  #fire<K extends "approve" | "reject">(type: K, detail: K extends "approve" ? ApproveEventDetail : RejectEventDetail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  /** Per argument: what the form could not read, else what the Gate said breaks the schema. */
  #problems(): Map<string, string> {
    const problems = new Map<string, string>(Object.entries(this.readErrors));
    const answer = this.answer;
    if (answer && !answer.ok) {
      for (const violation of answer.violations) {
        const field = this.schema ? (fieldOfViolation(violation) ?? "") : "";
        if (problems.has(field)) continue;
        problems.set(field, `${violation.path.replace(/^arguments\.?/, "") || "arguments"} ${violation.message}`);
      }
    }
    return problems;
  }

  #editForm(record: ApprovalRecord, frozen: boolean) {
    const fields = this.#fields(record);
    const problems = this.#problems();
    const busy = this.busy ? "true" : "false";
    const general = problems.get("") ?? undefined;
    return html`<form @submit=${(event: Event) => this.#submitEdit(event, record)} novalidate>
      <fieldset>
        <legend>Edit the arguments</legend>
        <p class="hint muted">What you change here runs instead of what the agent proposed, once you approve it.</p>
        ${fields.map((field) => this.#field(field, problems.get(field.name)))}
        ${
          general !== undefined && this.schema
            ? html`<p class="error" data-testid="edit-problem">${general}</p>`
            : nothing
        }
      </fieldset>
      ${frozen ? html`<p id="frozen-edit">Tabclaw is paused: resume to approve your edit.</p>` : nothing}
      <div class="actions">
        <button
          class="primary"
          type="submit"
          ?disabled=${frozen}
          aria-disabled=${busy}
          aria-describedby=${frozen ? "frozen-edit" : nothing}
        >
          Approve edited
        </button>
        <button type="button" @click=${() => this.#cancel("#edit")}>Cancel edit</button>
      </div>
    </form>`;
  }

  #field(field: ArgumentField, problem: string | undefined) {
    const id = `arg-${field.name || "json"}`;
    const name = field.name;
    const label = name === "" ? "Arguments (JSON)" : name;
    const hints: Record<string, string> = {
      lines: "one per line",
      json: "JSON",
    };
    const hint = [hints[field.kind], field.required ? undefined : "optional: leave empty to leave it out"]
      .filter((part) => part !== undefined)
      .join("; ");
    const describedBy = [hint ? `${id}-hint` : "", problem ? `${id}-problem` : ""].filter(Boolean).join(" ");
    const value = this.draft[name];
    const text = typeof value === "string" ? value : "";
    const invalid = problem ? "true" : "false";
    const onInput = (event: Event) => {
      const target = event.target as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
      const next: string | boolean =
        target instanceof HTMLInputElement && target.type === "checkbox" ? target.checked : target.value;
      this.draft = { ...this.draft, [name]: next };
    };
    let control;
    switch (field.kind) {
      case "boolean":
        control = html`<input
          type="checkbox"
          id=${id}
          name=${name}
          .checked=${value === true}
          aria-describedby=${describedBy || nothing}
          aria-invalid=${invalid}
          @change=${onInput}
        />`;
        break;
      case "select":
        control = html`<select
          id=${id}
          name=${name}
          aria-describedby=${describedBy || nothing}
          aria-invalid=${invalid}
          @change=${onInput}
        >
          ${field.required ? nothing : html`<option value="" ?selected=${text === ""}>(leave out)</option>`}
          ${field.options.map((option) => html`<option value=${option} ?selected=${option === text}>${option}</option>`)}
        </select>`;
        break;
      case "text":
      case "number":
        control = html`<input
          type="text"
          id=${id}
          name=${name}
          inputmode=${field.kind === "number" ? "decimal" : nothing}
          .value=${text}
          aria-describedby=${describedBy || nothing}
          aria-invalid=${invalid}
          @input=${onInput}
        />`;
        break;
      default:
        control = html`<textarea
          id=${id}
          name=${name}
          rows=${field.kind === "textarea" ? 6 : 4}
          .value=${text}
          aria-describedby=${describedBy || nothing}
          aria-invalid=${invalid}
          @input=${onInput}
        ></textarea>`;
    }
    const labelled = html`<label for=${id}>${label}${field.required ? "" : " (optional)"}</label>`;
    return html`<div class="field ${field.kind === "boolean" ? "checkbox" : ""}" data-field=${name}>
      ${field.kind === "boolean" ? html`${control} ${labelled}` : html`${labelled} ${control}`}
      ${hint ? html`<span class="hint muted" id="${id}-hint">${hint}</span>` : nothing}
      ${problem ? html`<span class="hint error" id="${id}-problem">${problem}</span>` : nothing}
    </div>`;
  }

  #rejectForm() {
    const busy = this.busy ? "true" : "false";
    return html`<form @submit=${(event: Event) => this.#submitReject(event)}>
      <div class="field">
        <label for="note">Note (optional)</label>
        <textarea
          id="note"
          name="note"
          rows="2"
          aria-describedby="note-hint"
          .value=${this.note}
          @input=${(event: Event) => (this.note = (event.target as HTMLTextAreaElement).value)}
        ></textarea>
        <span class="hint muted" id="note-hint">Kept with the decision; the agent reads it as your reason.</span>
      </div>
      <div class="actions">
        <button class="danger" type="submit" aria-disabled=${busy}>Reject</button>
        <button type="button" @click=${() => this.#cancel("#reject")}>Cancel</button>
      </div>
    </form>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-approval-card": ApprovalCard;
  }
  interface HTMLElementEventMap {
    approve: CustomEvent<ApproveEventDetail>;
    reject: CustomEvent<RejectEventDetail>;
  }
}
