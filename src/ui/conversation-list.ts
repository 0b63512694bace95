import { LitElement, css, html } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { ChatController } from "../app/chat-controller";
import { ObserveController } from "../app/observable";
import { sharedStyles } from "./shared-styles";

/**
 * The saved conversations: open, rename (in place) and delete.
 * @property chat - the chat state
 */
@customElement("tabclaw-conversation-list")
export class ConversationList extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        justify-content: flex-end;
        gap: 0.25rem;
        align-items: center;
        margin: 0.2rem 0 0.5rem;
      }
      .open {
        /* The title gets the whole line; Rename and Delete sit under it. */
        flex: 1 1 100%;
        text-align: left;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        border-color: transparent;
        background: transparent;
      }
      .open[aria-current="true"] {
        background: var(--bg-raised);
        border-color: var(--border);
        font-weight: 600;
      }
      .small {
        padding: 0.2rem 0.45rem;
        font-size: 0.85rem;
      }
      input {
        flex: 1;
        min-width: 0;
        padding: 0.3rem;
        border: 1px solid var(--border);
        border-radius: 6px;
        background: var(--bg);
      }
      .new {
        width: 100%;
        margin-bottom: 0.5rem;
      }
    `,
  ];

  @property({ attribute: false }) chat: ChatController | undefined;
  @state() private editingId: string | undefined;

  constructor() {
    super();
    new ObserveController(this, () => this.chat);
  }

  override render() {
    const chat = this.chat;
    if (!chat) return html``;
    return html`<button class="new primary" @click=${() => chat.create()}>New conversation</button>
      <ul aria-label="Conversations">
        ${chat.conversations.map((conversation) =>
          this.editingId === conversation.id
            ? html`<li>
                <label class="visually-hidden" for="rename-${conversation.id}">New name</label>
                <input
                  id="rename-${conversation.id}"
                  .value=${conversation.title}
                  @keydown=${(event: KeyboardEvent) => this.#renameKey(event, conversation.id)}
                />
                <button class="small" @click=${(event: Event) => this.#commitRename(event, conversation.id)}>
                  Save
                </button>
              </li>`
            : html`<li>
                <button
                  class="open"
                  aria-current=${chat.activeId === conversation.id ? "true" : "false"}
                  @click=${() => chat.open(conversation.id)}
                >
                  ${conversation.title}
                </button>
                <button
                  class="small"
                  aria-label="Rename ${conversation.title}"
                  @click=${() => this.#startRename(conversation.id)}
                >
                  Rename
                </button>
                <button
                  class="small danger"
                  aria-label="Delete ${conversation.title}"
                  @click=${() => this.#delete(conversation.id, conversation.title)}
                >
                  Delete
                </button>
              </li>`,
        )}
      </ul>`;
  }

  async #startRename(id: string): Promise<void> {
    this.editingId = id;
    await this.updateComplete;
    const input = this.renderRoot.querySelector<HTMLInputElement>(`#rename-${CSS.escape(id)}`);
    input?.focus();
    input?.select();
  }

  #renameKey(event: KeyboardEvent, id: string): void {
    if (event.key === "Enter") void this.#commitRename(event, id);
    if (event.key === "Escape") this.editingId = undefined;
  }

  async #commitRename(event: Event, id: string): Promise<void> {
    const input = (event.target as HTMLElement).closest("li")?.querySelector("input");
    const title = input?.value ?? "";
    if (title.trim()) await this.chat?.rename(id, title);
    this.editingId = undefined;
  }

  async #delete(id: string, title: string): Promise<void> {
    if (!confirm(`Delete "${title}"? This cannot be undone.`)) return;
    await this.chat?.remove(id);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-conversation-list": ConversationList;
  }
}
