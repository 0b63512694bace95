import { LitElement, css, html, nothing } from "lit";
import { customElement, state } from "lit/decorators.js";
import { createServices, type Services } from "../app/services";
import "./activity-view";
import "./chat-view";
import "./kill-switch";
import { warmUpMarkdown } from "./markdown";
import "./model-panel";
import { sharedStyles } from "./shared-styles";
import "./storage-panel";
import "./update-banner";
import "./webgpu-notice";

type View = "chat" | "models" | "storage" | "activity";
const VIEWS: { id: View; label: string }[] = [
  { id: "chat", label: "Chat" },
  { id: "models", label: "Models" },
  { id: "storage", label: "Storage" },
  { id: "activity", label: "Activity" },
];

/** The application shell: header, navigation, and the current view. */
@customElement("tabclaw-app")
export class TabclawApp extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        height: 100%;
      }
      header {
        display: flex;
        align-items: center;
        gap: 1rem;
        padding: 0.5rem 1rem;
        border-bottom: 1px solid var(--border);
        flex-wrap: wrap;
      }
      h1 {
        font-size: 1.2rem;
        margin: 0;
      }
      nav {
        display: flex;
        gap: 0.25rem;
      }
      nav button[aria-current="page"] {
        background: var(--accent);
        color: var(--accent-fg);
        border-color: var(--accent);
      }
      tabclaw-kill-switch {
        margin-left: auto;
      }
      .tagline {
        font-size: 0.85rem;
      }
      main {
        flex: 1;
        min-height: 0;
        display: flex;
        flex-direction: column;
      }
      main > * {
        flex: 1;
        min-height: 0;
      }
      .fatal {
        padding: 1rem;
      }
    `,
  ];

  @state() private view: View = "chat";
  @state() private services: Services | undefined;
  @state() private startError: string | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#start();
  }

  async #start(): Promise<void> {
    try {
      const services = await createServices();
      this.services = services;
      await services.chat.init();
      if (services.models.device.webgpu) await services.models.init();
      await this.updateComplete;
      // Tests and `npm run bench` read this mark: the app is interactive from here on.
      performance.mark("tabclaw:ready");
      document.documentElement.dataset.ready = "true";
      requestIdleCallback(() => warmUpMarkdown());
    } catch (error) {
      this.startError = error instanceof Error ? error.message : String(error);
    }
  }

  override render() {
    const services = this.services;
    return html`<header>
        <h1>Tabclaw</h1>
        <span class="tagline muted">Private: the model runs on this device.</span>
        <nav aria-label="Views">
          ${VIEWS.map(
            (view) =>
              html`<button
                aria-current=${this.view === view.id ? "page" : "false"}
                @click=${() => (this.view = view.id)}
              >
                ${view.label}
              </button>`,
          )}
        </nav>
        ${services ? html`<tabclaw-kill-switch .pause=${services.pause}></tabclaw-kill-switch>` : nothing}
      </header>
      <tabclaw-update-banner></tabclaw-update-banner>
      ${
        services && !services.models.device.webgpu
          ? html`<tabclaw-webgpu-notice .reason=${services.models.device.reason ?? ""}></tabclaw-webgpu-notice>`
          : nothing
      }
      ${
        this.startError
          ? html`<p class="fatal error" role="alert">
              Tabclaw could not start: ${this.startError}. Private browsing windows may block local storage; try a
              normal window.
            </p>`
          : nothing
      }
      <main @open-models=${() => (this.view = "models")}>
        ${services ? this.#view(services) : html`<p class="fatal muted">Starting…</p>`}
      </main>`;
  }

  #view(services: Services) {
    switch (this.view) {
      case "chat":
        return html`<tabclaw-chat-view
          .chat=${services.chat}
          .models=${services.models}
          .pause=${services.pause}
        ></tabclaw-chat-view>`;
      case "models":
        return html`<tabclaw-model-panel .models=${services.models}></tabclaw-model-panel>`;
      case "storage":
        return html`<tabclaw-storage-panel .models=${services.models}></tabclaw-storage-panel>`;
      case "activity":
        return html`<tabclaw-activity-view .gate=${services.gate}></tabclaw-activity-view>`;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-app": TabclawApp;
  }
}
