import { LitElement, css, html, nothing } from "lit";
import { customElement, state } from "lit/decorators.js";
import { createServices, type Services } from "../app/services";
import type { ProposedAction } from "../core/agent/action";
import "./approvals-view";
import "./briefing-panel";
import "./chat-view";
import "./kill-switch";
import { warmUpMarkdown } from "./markdown-loader";
import "./model-panel";
import { sharedStyles } from "./shared-styles";
import "./update-banner";
import "./webgpu-notice";

type View =
  | "chat"
  | "inbox"
  | "deployments"
  | "slack"
  | "approvals"
  | "memory"
  | "models"
  | "storage"
  | "activity"
  | "routines"
  | "usage"
  | "dreams"
  | "settings";
const VIEWS: { id: View; label: string }[] = [
  { id: "chat", label: "Chat" },
  { id: "inbox", label: "Inbox" },
  { id: "deployments", label: "Deployments" },
  { id: "slack", label: "Slack" },
  { id: "approvals", label: "Approvals" },
  { id: "routines", label: "Routines" },
  { id: "memory", label: "Memory" },
  { id: "models", label: "Models" },
  { id: "storage", label: "Storage" },
  { id: "activity", label: "Activity" },
  { id: "usage", label: "Usage" },
  { id: "dreams", label: "Dreams" },
  { id: "settings", label: "Settings" },
];

/**
 * Views loaded when first opened, to keep the first load small. The chat, Models and Approvals are
 * always there (the chat leads to both). The view renders once its module has defined its element.
 */
const VIEW_MODULES: Partial<Record<View, () => Promise<unknown>>> = {
  routines: () => import("./routines-view"),
  memory: () => import("./memory-view"),
  storage: () => import("./storage-panel"),
  activity: () => import("./activity-view"),
  usage: () => import("./usage-view"),
  dreams: () => import("./dream-journal"),
  settings: () => import("./settings-view"),
};

const waitingText = (count: number): string =>
  count === 1 ? "1 action waits for your approval." : `${count} actions wait for your approval.`;

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
      nav {
        flex-wrap: wrap;
      }
      .badge {
        display: inline-block;
        min-width: 1.2rem;
        margin-left: 0.35rem;
        padding: 0 0.35rem;
        border-radius: 999px;
        background: var(--danger);
        color: var(--bg);
        font-size: 0.8rem;
        font-weight: 700;
        text-align: center;
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
  /** Views from VIEW_MODULES whose elements are defined. */
  @state() private loadedViews: ReadonlySet<View> = new Set();
  @state() private viewLoadError: { view: View; message: string } | undefined;
  readonly #requestedViews = new Set<View>();

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#start();
  }

  async #start(): Promise<void> {
    try {
      const services = await createServices();
      this.services = services;
      // The badge follows the Gate from the start, whichever view is open.
      services.approvals.subscribe(() => this.requestUpdate());
      await services.approvals.refresh();
      services.approvals.subscribe(() => services.briefing.updatePending());
      // Reads the runs since the last visit; then the Routines view's poll notices runs that finish.
      await services.briefing.load();
      services.routines.start();
      await services.chat.init();
      if (services.models.device.webgpu) await services.models.init();
      // The Dream journal; the nightly run itself is the scheduler's dreaming job.
      void services.dreams.init();
      // The routines' scheduler lives in the agent worker: start it (and the worker) now, so due
      // and missed jobs run at open rather than when the page first needs a model.
      void services.bridge
        .api()
        // Routines read connectors and propose actions through this page's Gate (contract 4).
        .then((api) =>
          api.startScheduler(
            services.dreams.timeZone,
            services.bridge.callback((action: ProposedAction) => services.gate.propose(action)),
          ),
        )
        .catch((error: unknown) => console.warn("The routines' scheduler did not start:", error));
      await this.updateComplete;
      // Tests and `npm run bench` read this mark: the app is interactive from here on.
      performance.mark("tabclaw:ready");
      document.documentElement.dataset.ready = "true";
      requestIdleCallback(() => {
        warmUpMarkdown().catch((error: unknown) => console.warn("The Markdown renderer did not load:", error));
      });
    } catch (error) {
      this.startError = error instanceof Error ? error.message : String(error);
    }
  }

  override render() {
    const services = this.services;
    const waiting = services?.approvals.pendingCount ?? 0;
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
                ${view.label}${view.id === "approvals" ? this.#badge(waiting) : nothing}
              </button>`,
          )}
        </nav>
        <span class="visually-hidden" role="status" data-testid="approvals-announcement"
          >${waiting > 0 ? waitingText(waiting) : ""}</span
        >
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
      ${
        services
          ? html`<tabclaw-briefing-panel
              .briefing=${services.briefing}
              @open-approvals=${() => (this.view = "approvals")}
            ></tabclaw-briefing-panel>`
          : nothing
      }
      <main
        @open-models=${() => (this.view = "models")}
        @open-approvals=${(event: CustomEvent<{ actionId?: unknown } | null>) => void this.#openApprovals(event.detail)}
        @open-settings=${() => (this.view = "settings")}
      >
        ${services ? this.#view(services) : html`<p class="fatal muted">Starting…</p>`}
      </main>`;
  }

  #view(services: Services) {
    const load = VIEW_MODULES[this.view];
    if (load && !this.loadedViews.has(this.view)) return this.#loadView(this.view, load);
    switch (this.view) {
      case "chat":
        return html`<tabclaw-chat-view
          .chat=${services.chat}
          .models=${services.models}
          .pause=${services.pause}
          .approvals=${services.approvals}
          .memory=${services.memoryStore}
        ></tabclaw-chat-view>`;
      case "inbox":
        // Loaded when first opened, to keep the first load small; Lit keeps the property set before the upgrade.
        void import("./inbox-view");
        return html`<tabclaw-inbox-view .inbox=${services.inbox}></tabclaw-inbox-view>`;
      case "deployments":
        void import("./deployments-view");
        return html`<tabclaw-deployments-view .deployments=${services.deployments}></tabclaw-deployments-view>`;
      case "slack":
        void import("./slack-digest-view");
        return html`<tabclaw-slack-digest-view .digest=${services.slackDigest}></tabclaw-slack-digest-view>`;
      case "models":
        return html`<tabclaw-model-panel .models=${services.models}></tabclaw-model-panel>`;
      case "storage":
        return html`<tabclaw-storage-panel .models=${services.models}></tabclaw-storage-panel>`;
      case "activity":
        return html`<tabclaw-activity-view .gate=${services.gate}></tabclaw-activity-view>`;
      case "routines":
        return html`<tabclaw-routines-view .routines=${services.routines}></tabclaw-routines-view>`;
      case "usage":
        return html`<tabclaw-usage-view .usage=${services.usage}></tabclaw-usage-view>`;
      case "approvals":
        return html`<tabclaw-approvals-view .approvals=${services.approvals}></tabclaw-approvals-view>`;
      case "memory":
        return html`<tabclaw-memory-view .memory=${services.memory}></tabclaw-memory-view>`;
      case "dreams":
        return html`<tabclaw-dream-journal .dreams=${services.dreams}></tabclaw-dream-journal>`;
      case "settings":
        return html`<tabclaw-settings-view
          .budgets=${services.budgets}
          .permissions=${services.permissions}
          .github=${services.github}
        ></tabclaw-settings-view>`;
    }
  }

  /**
   * Loads a view's module once; until it is there the view is empty. Rendering only a defined element
   * means it has its controller before it connects, as if it had been loaded with the page.
   */
  #loadView(view: View, load: () => Promise<unknown>) {
    if (!this.#requestedViews.has(view)) {
      this.#requestedViews.add(view);
      load().then(
        () => (this.loadedViews = new Set([...this.loadedViews, view])),
        (error: unknown) =>
          (this.viewLoadError = { view, message: error instanceof Error ? error.message : String(error) }),
      );
    }
    const failed = this.viewLoadError?.view === view ? this.viewLoadError : undefined;
    if (!failed) return nothing;
    const label = VIEWS.find((entry) => entry.id === view)?.label ?? view;
    return html`<p class="fatal error" role="alert">
      The ${label} view could not be loaded (${failed.message}). Reload the page to try again.
    </p>`;
  }

  /** Shows Approvals; given an action's id (a board's "Review … in Approvals"), brings its card into view and focus. */
  async #openApprovals(detail: { actionId?: unknown } | null): Promise<void> {
    this.view = "approvals";
    const id = detail?.actionId;
    if (typeof id !== "string") return;
    await this.updateComplete;
    // The view reads the Gate when it connects: wait a few frames for the card to render.
    for (let frame = 0; frame < 60; frame += 1) {
      const view = this.renderRoot.querySelector("tabclaw-approvals-view");
      const card = view?.shadowRoot?.querySelector<HTMLElement>(`tabclaw-approval-card[data-id="${CSS.escape(id)}"]`);
      if (card) {
        card.tabIndex = -1;
        card.scrollIntoView({ block: "center" });
        card.focus();
        return;
      }
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
  }

  /** The count is part of the button's name too, so "Approvals 2 waiting" is what a screen reader says. */
  #badge(waiting: number) {
    if (waiting === 0) return nothing;
    return html` <span class="badge" data-testid="approvals-badge">${waiting}</span
      ><span class="visually-hidden"> waiting</span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-app": TabclawApp;
  }
}
