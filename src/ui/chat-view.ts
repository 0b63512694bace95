import { LitElement, css, html, nothing } from "lit";
import { customElement, property, query } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import type { ChatController } from "../app/chat-controller";
import type { ModelController } from "../app/model-controller";
import { ObserveController } from "../app/observable";
import type { PauseController } from "../app/pause-controller";
import type { ApprovalsController } from "../app/approvals-controller";
import type { MemoryStore } from "../memory/memory-store";
import type { ChatMessageRecord } from "../store/schema";
import type { ApproveEventDetail, RejectEventDetail } from "./approval-card";
import { renderEntry, type EntryContext } from "./chat-entry";
import "./chat-message";
import "./conversation-list";
import { sharedStyles } from "./shared-styles";

/**
 * The chat: conversations on the side, messages, and a composer with Send and Stop.
 * @property chat - conversations and the streaming answer
 * @property models - which model is loaded
 * @property pause - the kill switch: while on, Send is disabled and a notice says why
 * @fires open-models - the user asked to pick or load a model
 */
@customElement("tabclaw-chat-view")
export class ChatView extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        grid-template-columns: minmax(12rem, 16rem) 1fr;
        height: 100%;
        min-height: 0;
      }
      aside {
        border-right: 1px solid var(--border);
        padding: 0.75rem;
        overflow-y: auto;
      }
      section {
        display: flex;
        flex-direction: column;
        min-height: 0;
      }
      .log {
        flex: 1;
        overflow-y: auto;
        padding: 0.75rem 1rem;
      }
      form {
        display: flex;
        gap: 0.5rem;
        padding: 0.75rem;
        border-top: 1px solid var(--border);
        align-items: flex-end;
      }
      textarea {
        flex: 1;
        resize: vertical;
        min-height: 2.5rem;
        max-height: 12rem;
        padding: 0.5rem;
        border: 1px solid var(--border);
        border-radius: var(--radius);
        background: var(--bg);
      }
      .question {
        margin: 0.5rem 0;
        padding: 0.6rem 0.8rem;
        border-left: 4px solid var(--accent);
        border-radius: var(--radius);
        background: var(--bg-raised);
      }
      .action-note {
        margin: 0.25rem 0 0.75rem;
        font-size: 0.9rem;
      }
      tabclaw-approval-card {
        display: block;
        margin: 0.5rem 0;
      }
      .status {
        padding: 0.4rem 1rem;
        font-size: 0.9rem;
      }
      .paused {
        margin: 0;
        border-top: 1px solid var(--border);
        font-weight: 600;
      }
      @media (max-width: 640px) {
        :host {
          grid-template-columns: 1fr;
        }
        aside {
          border-right: none;
          border-bottom: 1px solid var(--border);
          max-height: 30vh;
        }
      }
    `,
  ];

  @property({ attribute: false }) chat: ChatController | undefined;
  @property({ attribute: false }) models: ModelController | undefined;
  @property({ attribute: false }) pause: PauseController | undefined;
  /** Approving and rejecting the cards of this conversation's actions. */
  @property({ attribute: false }) approvals: ApprovalsController | undefined;
  /** Where Undo on a memory save goes. */
  @property({ attribute: false }) memory: MemoryStore | undefined;
  @query("textarea") private input!: HTMLTextAreaElement;
  @query(".log") private log!: HTMLElement;

  constructor() {
    super();
    new ObserveController(this, () => this.chat);
    new ObserveController(this, () => this.models);
    new ObserveController(this, () => this.pause);
    new ObserveController(this, () => this.approvals);
  }

  override render() {
    const chat = this.chat;
    const load = this.models?.load;
    const ready = load?.kind === "ready";
    const streaming = chat?.streaming;
    const paused = this.pause?.paused ?? false;
    const question = chat?.questions.current;
    return html`<aside aria-label="Saved conversations">
        <tabclaw-conversation-list .chat=${chat}></tabclaw-conversation-list>
      </aside>
      <section aria-label="Chat">
        ${this.#status()}
        <div
          class="log"
          role="log"
          aria-live="polite"
          aria-label="Messages"
          @approve=${this.#approve}
          @reject=${this.#reject}
        >
          ${
            chat && chat.messages.length === 0 && !streaming
              ? html`<p class="muted">
                  Ask anything. The model runs on this device; nothing you type is sent anywhere.
                </p>`
              : nothing
          }
          ${repeat(
            chat?.messages ?? [],
            (message) => message.id,
            (message) => renderEntry(message, this.#entryContext(message)),
          )}
          ${
            streaming
              ? html`<tabclaw-chat-message .message=${{ ...streaming.message }} streaming></tabclaw-chat-message>`
              : nothing
          }
        </div>
        ${
          paused
            ? html`<p class="status paused" role="status" data-testid="paused-notice">
                Tabclaw is paused. Nothing runs until you resume.
              </p>`
            : nothing
        }
        <form @submit=${this.#submit}>
          <label class="visually-hidden" for="composer">${question ? "Your answer" : "Message"}</label>
          <textarea
            id="composer"
            placeholder=${
              question
                ? "Answer Tabclaw's question (Enter to send)"
                : ready
                  ? "Message Tabclaw (Enter to send, Shift+Enter for a new line)"
                  : "Load a model to chat"
            }
            @keydown=${this.#keydown}
          ></textarea>
          ${question ? html`<button type="submit" class="primary" ?disabled=${paused}>Answer</button>` : nothing}
          ${
            streaming
              ? html`<button type="button" class="danger" @click=${() => chat?.stop()}>Stop</button>`
              : html`<button type="submit" class="primary" ?disabled=${!ready || paused}>Send</button>`
          }
        </form>
      </section>`;
  }

  #entryContext(message: ChatMessageRecord): EntryContext {
    const id = message.actionId;
    const record = id !== undefined ? this.chat?.actions.get(id) : undefined;
    const approvals = this.approvals;
    return {
      record,
      answer: id !== undefined ? approvals?.answerFor(id) : undefined,
      schema: record ? approvals?.schemaFor(record) : undefined,
      busy: id !== undefined && (approvals?.isBusy(id) ?? false),
      memory: this.memory,
    };
  }

  #approve(event: CustomEvent<ApproveEventDetail>): void {
    void this.approvals?.approve(event.detail.id, event.detail.editedArguments);
  }

  #reject(event: CustomEvent<RejectEventDetail>): void {
    void this.approvals?.reject(event.detail.id, event.detail.note);
  }

  #status() {
    const models = this.models;
    const load = models?.load;
    if (!models || !load) return nothing;
    switch (load.kind) {
      case "ready":
        return html`<p class="status muted" role="status">Model: ${load.modelId}</p>`;
      case "loading":
        return html`<div class="status" role="status">
          Loading ${load.modelId}… ${Math.round(load.progress.progress * 100)}%
          <progress max="1" .value=${load.progress.progress} aria-label="Model loading"></progress>
        </div>`;
      case "failed":
        // A crash can come after the model loaded and answered: then "could not be loaded" would be untrue.
        return html`<p class="status error" role="alert">
          ${load.modelId}${load.error.name === "WorkerCrashedError" ? "" : " could not be loaded"}:
          ${load.error.message} ${load.error.hint}
        </p>`;
      case "idle": {
        const selected = models.selectedModelId;
        const downloaded = models.isDownloaded(selected);
        if (!models.device.webgpu) return nothing;
        return html`<p class="status" role="status">
          ${
            downloaded
              ? html`<button class="primary" @click=${() => models.loadModel()}>Load ${selected}</button>`
              : html`No model is loaded.
                  <button
                    @click=${() => this.dispatchEvent(new CustomEvent("open-models", { bubbles: true, composed: true }))}
                  >
                    Choose a model
                  </button>`
          }
        </p>`;
      }
    }
  }

  override updated(): void {
    // Keep the newest text in view while an answer streams in.
    if (this.chat?.streaming && this.log) this.log.scrollTop = this.log.scrollHeight;
  }

  #keydown(event: KeyboardEvent): void {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.#send();
    }
  }

  #submit(event: Event): void {
    event.preventDefault();
    this.#send();
  }

  #send(): void {
    const models = this.models;
    const chat = this.chat;
    if (!chat || models?.load.kind !== "ready" || this.pause?.paused) return;
    // While an answer streams, the composer only answers a question the agent asked.
    if (chat.streaming && !chat.questions.current) return;
    const text = this.input.value;
    if (!text.trim()) return;
    this.input.value = "";
    void chat.send(text, models.load.modelId);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-chat-view": ChatView;
  }
}
