import { LitElement, css, html, nothing } from "lit";
import { customElement, property } from "lit/decorators.js";
import { unsafeHTML } from "lit/directives/unsafe-html.js";
import type { ChatMessageRecord } from "../store/schema";
import { splitFinishedBlocks } from "../core/markdown-blocks";
import { loadMarkdown, markdownRenderer } from "./markdown-loader";
import { sharedStyles } from "./shared-styles";

/**
 * One chat message. Assistant text is Markdown, sanitised before it reaches the DOM.
 * @property message - the message to show
 * @property streaming - true while the answer is still arriving
 */
@customElement("tabclaw-chat-message")
export class ChatMessage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        /* A growing answer re-lays out only itself, not the whole log. */
        contain: content;
      }
      article {
        padding: 0.5rem 0.9rem;
        border-radius: var(--radius);
        margin: 0.4rem 0;
        max-width: 52rem;
        overflow-wrap: anywhere;
      }
      article.user {
        background: var(--bg-raised);
        margin-left: auto;
        width: fit-content;
        white-space: pre-wrap;
      }
      article.assistant {
        border: 1px solid var(--border);
      }
      .plain {
        white-space: pre-wrap;
      }
      .meta {
        font-size: 0.8rem;
        color: var(--fg-muted);
      }
      pre {
        overflow-x: auto;
        background: var(--bg-raised);
        padding: 0.5rem;
        border-radius: 6px;
      }
      code {
        font-family: ui-monospace, "SFMono-Regular", Menlo, monospace;
      }
      a {
        color: var(--accent);
      }
    `,
  ];

  @property({ attribute: false }) message: ChatMessageRecord | undefined;
  @property({ type: Boolean }) streaming = false;
  /** The last finished part of a streaming answer and its HTML, so it is not parsed again. */
  #finishedSource = "";
  #finishedHtml = "";
  #awaitingRenderer = false;

  override render() {
    const message = this.message;
    if (!message) return nothing;
    if (message.role === "user") {
      return html`<article class="user" aria-label="You said">${message.content}</article>`;
    }
    return html`<article class="assistant" aria-label="Tabclaw answered" aria-busy=${this.streaming ? "true" : "false"}>
      ${this.#body(message.content)}
      ${message.error ? html`<p class="error" role="alert">${message.error.message}</p>` : nothing}
      ${this.#meta(message)}
    </article>`;
  }

  #body(text: string) {
    const renderMarkdown = markdownRenderer();
    if (!renderMarkdown) {
      void this.#renderWhenLoaded();
      // Only for the moment the renderer takes to load: the words as they are, never as HTML.
      return html`<div class="body plain">${text}</div>`;
    }
    if (!this.streaming) return html`<div class="body">${unsafeHTML(renderMarkdown(text))}</div>`;
    const { finished, tail } = splitFinishedBlocks(text);
    if (finished !== this.#finishedSource) {
      this.#finishedSource = finished;
      this.#finishedHtml = renderMarkdown(finished);
    }
    return html`<div class="body">${unsafeHTML(this.#finishedHtml)}${unsafeHTML(renderMarkdown(tail))}</div>`;
  }

  async #renderWhenLoaded(): Promise<void> {
    if (this.#awaitingRenderer) return;
    this.#awaitingRenderer = true;
    try {
      await loadMarkdown();
      this.requestUpdate();
    } catch (error) {
      // The answer stays plain text; the next update tries again.
      console.warn("The Markdown renderer did not load:", error);
    } finally {
      this.#awaitingRenderer = false;
    }
  }

  #meta(message: ChatMessageRecord) {
    // No words yet: the agent is still choosing what to do (a tool or an answer).
    if (this.streaming) return html`<p class="meta">${message.content === "" ? "Thinking…" : "Writing…"}</p>`;
    const parts: string[] = [];
    if (message.finishReason === "abort") parts.push("Stopped");
    if (message.finishReason === "length") parts.push("Cut off at the length limit");
    const usage = message.usage;
    if (usage?.timeToFirstTokenS !== undefined) parts.push(`first token ${usage.timeToFirstTokenS.toFixed(2)} s`);
    if (usage?.decodeTokensPerS !== undefined) parts.push(`${usage.decodeTokensPerS.toFixed(1)} tokens/s`);
    if (usage) parts.push(`${usage.completionTokens} tokens`);
    if (message.modelId) parts.push(message.modelId);
    return parts.length ? html`<p class="meta" data-testid="answer-stats">${parts.join(" · ")}</p>` : nothing;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-chat-message": ChatMessage;
  }
}
