import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { mailImportController, type MailImportController } from "../app/mail-import-controller";
import { ObserveController } from "../app/observable";
import { formatBytes } from "../core/format";
import { MAIL_IMPORT_MESSAGE_LIMIT, type MailImportProgress } from "../mail/mail-import-progress";
import { MAIL_HTML_LIMIT, MAIL_TEXT_LIMIT, type MailImportProblem, type MailImportRecord } from "../store/mail-record";
import { sharedStyles } from "./shared-styles";

/** Problems listed at once; the rest are counted. */
const PROBLEMS_SHOWN = 100;

const count = new Intl.NumberFormat();

/**
 * Importing .mbox and .eml files: a file picker (several at once) and a drop zone, the progress
 * of a running import with Cancel, and the latest import's summary with every message that had a
 * problem (file, position, subject, what went wrong, what to do).
 * @property controller - the import controller; without one, the page's own is used once it exists
 */
@customElement("tabclaw-mail-import-panel")
export class MailImportPanel extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        max-width: 48rem;
      }
      .drop {
        border: 2px dashed var(--border);
        border-radius: var(--radius);
        padding: 0.75rem 1rem;
        margin: 0.5rem 0;
      }
      .drop.over {
        border-color: var(--accent);
      }
      .drop label {
        font-weight: 600;
      }
      .line {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1rem;
        font-size: 0.9rem;
        margin: 0.25rem 0 0.5rem;
      }
      ol.problems {
        padding-left: 1.25rem;
      }
      ol.problems li {
        margin: 0.4rem 0;
      }
      .where {
        font-weight: 600;
      }
      .summary {
        margin: 0.5rem 0;
      }
    `,
  ];

  @property({ attribute: false }) controller: MailImportController | undefined;
  @state() private dragging = false;
  /** Set when the controller arrived after this panel connected (the observer missed it). */
  #unsubscribe: (() => void) | undefined;

  constructor() {
    super();
    new ObserveController(this, () => this.controller);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.controller) return;
    void mailImportController().then(async (controller) => {
      this.controller ??= controller;
      // The observer subscribes on connect; this controller arrived after that.
      this.#unsubscribe = controller.subscribe(() => this.requestUpdate());
      if (!controller.loaded) await controller.init();
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  override render() {
    const controller = this.controller;
    if (!controller) return html`<p class="muted">Starting…</p>`;
    return html`<div
        class="drop ${this.dragging ? "over" : ""}"
        data-testid="mail-import-drop"
        @dragover=${this.#dragOver}
        @dragleave=${() => (this.dragging = false)}
        @drop=${this.#drop}
      >
        <label for="mail-files">Choose .mbox or .eml files</label>
        <input
          id="mail-files"
          type="file"
          multiple
          accept=".mbox,.mbx,.eml,message/rfc822,application/mbox"
          ?disabled=${controller.running}
          aria-describedby="mail-import-limits"
          @change=${this.#picked}
        />
        <span class="muted">or drop them here.</span>
      </div>
      <p id="mail-import-limits" class="muted">
        Files are read on this device and never uploaded; a mail already imported is skipped. Attachments are listed
        with their name and size but not kept. Tabclaw keeps up to ${count.format(MAIL_TEXT_LIMIT)} characters of a
        mail's text and ${count.format(MAIL_HTML_LIMIT)} of its HTML, and reads a mail larger than
        ${formatBytes(MAIL_IMPORT_MESSAGE_LIMIT)} from its first ${formatBytes(MAIL_IMPORT_MESSAGE_LIMIT)}.
      </p>
      ${controller.error ? html`<p class="error" role="alert">${controller.error}</p>` : nothing}
      ${controller.running ? this.#progress(controller, controller.progress) : nothing}
      <div role="status" class="summary" data-testid="mail-import-summary">
        ${controller.latest && !controller.running ? this.#summary(controller.latest) : nothing}
      </div>
      ${controller.latest && !controller.running ? this.#problems(controller.latest) : nothing}
      ${this.#earlier(controller)}`;
  }

  #progress(controller: MailImportController, progress: MailImportProgress | undefined) {
    if (!progress) return nothing;
    const fraction = progress.bytesTotal > 0 ? progress.bytesRead / progress.bytesTotal : 0;
    const percent = Math.floor(fraction * 100);
    return html`<div data-testid="mail-import-progress">
      <progress
        max="1"
        .value=${fraction}
        aria-label="Importing mail"
        aria-valuetext="${percent}%, ${formatBytes(progress.bytesRead)} of ${formatBytes(progress.bytesTotal)}, ${count.format(
          progress.messages,
        )} messages saved"
      ></progress>
      <div class="line" data-testid="mail-import-figures">
        <span>${percent}%</span>
        <span>${formatBytes(progress.bytesRead)} of ${formatBytes(progress.bytesTotal)}</span>
        <span>${count.format(progress.messages)} messages saved</span>
        <span
          >${count.format(progress.stored)} new, ${count.format(progress.duplicates)} already there,
          ${count.format(progress.problems)} with problems</span
        >
        <span class="muted">file ${progress.fileIndex + 1} of ${progress.fileCount}: ${progress.file}</span>
      </div>
      <button class="danger" ?disabled=${controller.cancelling} @click=${() => void controller.cancel()}>
        ${controller.cancelling ? "Cancelling…" : "Cancel import"}
      </button>
    </div>`;
  }

  #summary(report: MailImportRecord) {
    const messageProblems = report.problems.filter((problem) => problem.index > 0).length;
    const fileProblems = report.problems.length - messageProblems;
    const figures =
      `${count.format(report.stored)} imported, ${count.format(report.duplicates)} already there, ` +
      `${count.format(messageProblems)} with problems` +
      (fileProblems > 0 ? `, ${fileProblems} ${fileProblems === 1 ? "file" : "files"} not read` : "");
    const heading = {
      running: "Importing",
      done: "Import finished",
      cancelled: "Import cancelled",
      failed: "Import stopped",
      interrupted: "Import interrupted",
    }[report.status];
    return html`<p>
        <strong>${heading}</strong> (${report.files.join(", ")}):
        <span data-testid="mail-import-figures">${figures}.</span>
      </p>
      ${report.error ? html`<p class="error" data-testid="mail-import-error">${report.error.message}</p>` : nothing}`;
  }

  #problems(report: MailImportRecord) {
    if (report.problems.length === 0) return nothing;
    const shown = report.problems.slice(0, PROBLEMS_SHOWN);
    return html`<h4 id="mail-import-problems-title">What could not be read completely</h4>
      <ol class="problems" aria-labelledby="mail-import-problems-title" data-testid="mail-import-problems">
        ${shown.map((problem) => this.#problem(problem))}
      </ol>
      ${
        report.problems.length > shown.length
          ? html`<p class="muted">…and ${count.format(report.problems.length - shown.length)} more.</p>`
          : nothing
      }`;
  }

  #problem(problem: MailImportProblem) {
    const where = problem.index > 0 ? `${problem.file}, message ${count.format(problem.index)}` : problem.file;
    return html`<li>
      <span class="where">${where}</span>${problem.label ? html`: “${problem.label}”` : nothing}
      <div>${problem.message}</div>
      ${
        problem.mailId
          ? html`<div class="muted">
              It is in your Inbox as far as it could be read. To see it whole, open it in the program it came from.
            </div>`
          : nothing
      }
    </li>`;
  }

  /** Earlier imports that ended with problems or early, newest first. */
  #earlier(controller: MailImportController) {
    const latest = controller.latest;
    const earlier = controller.reports.filter(
      (report) =>
        report !== latest && report.status !== "running" && (report.problems.length > 0 || report.status !== "done"),
    );
    if (earlier.length === 0) return nothing;
    return html`<details>
      <summary>Earlier imports with problems (${earlier.length})</summary>
      ${earlier.map((report) => html`${this.#summary(report)}${this.#problems(report)}`)}
    </details>`;
  }

  #picked = (event: Event): void => {
    const input = event.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    // Cleared so that choosing the same file again starts another import.
    input.value = "";
    void this.controller?.start(files);
  };

  #dragOver = (event: DragEvent): void => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    this.dragging = true;
  };

  #drop = (event: DragEvent): void => {
    event.preventDefault();
    this.dragging = false;
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length > 0 && !this.controller?.running) void this.controller?.start(files);
  };
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-mail-import-panel": MailImportPanel;
  }
}
