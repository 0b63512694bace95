import { LitElement, css, html, nothing } from "lit";
import { customElement, property, query, state } from "lit/decorators.js";
import type { GitHubController, GitHubStatus, RepositoryAccess } from "../app/github-controller";
import { ObserveController } from "../app/observable";
import { GITHUB_PERMISSIONS } from "../connectors/github/github-permissions";
import { settingsFormStyles } from "./connection-settings-parts";
import { sharedStyles } from "./shared-styles";

const STATUS_TEXT: Record<GitHubStatus, string> = {
  disconnected: "No token. The deployment watch is off until you add one.",
  connected: "Connected",
  needs_reconnect:
    "GitHub no longer accepts this token (it expired or was deleted). The watch is paused and keeps its place: paste a new token.",
};

function mark(value: boolean | undefined): string {
  return value === true ? "Yes" : value === false ? "Missing" : "Unknown";
}

/**
 * Settings → GitHub: paste a fine-grained token (a password field; the token is never shown
 * again), choose the repositories to watch, see what the token can do in each one and which
 * permissions are missing, and remove it.
 * @property github - the GitHub controller
 */
@customElement("tabclaw-github-settings")
export class GitHubSettings extends LitElement {
  static override styles = [
    sharedStyles,
    settingsFormStyles,
    css`
      input,
      textarea {
        padding: 0.4rem 0.5rem;
        border: 1px solid var(--border);
        border-radius: var(--radius);
        background: var(--bg);
        font: inherit;
        max-width: 36rem;
      }
      textarea {
        font-family: var(--mono, monospace);
      }
      table {
        border-collapse: collapse;
        margin: 0.5rem 0;
      }
      th,
      td {
        text-align: left;
        padding: 0.25rem 0.75rem 0.25rem 0;
        border-bottom: 1px solid var(--border);
      }
      ul {
        margin: 0.25rem 0;
        padding-left: 1.25rem;
      }
    `,
  ];

  @property({ attribute: false }) github: GitHubController | undefined;
  /** Replacing: the token field shows although a token is kept. */
  @state() private replacing = false;
  @query("#github-token") private tokenInput: HTMLInputElement | undefined;
  @query("#github-repositories") private repositoriesInput: HTMLTextAreaElement | undefined;

  constructor() {
    super();
    new ObserveController(this, () => this.github);
  }

  override render() {
    const github = this.github;
    if (!github) return nothing;
    const busy = github.busy !== undefined;
    return html`<p>
        Tabclaw watches your GitHub Actions runs and deployments with a fine-grained personal access token limited to
        the repositories you choose. It only reads, unless you approve a re-run or a workflow start on its card.
      </p>
      ${this.#tokenSection(github, busy)} ${this.#repositoriesSection(github, busy)}
      ${this.#accessSection(github, busy)}
      <p role="status" data-testid="github-notice" class=${github.notice?.kind === "error" ? "error" : ""}>
        ${github.notice?.text ?? ""}
      </p>`;
  }

  #tokenSection(github: GitHubController, busy: boolean) {
    const showField = github.token === undefined || this.replacing || github.status === "needs_reconnect";
    return html`<fieldset>
      <legend>Token</legend>
      <p data-testid="github-status" class=${github.status === "needs_reconnect" ? "error" : ""}>
        ${github.status === "connected" ? `Connected as @${github.account ?? "unknown"}.` : STATUS_TEXT[github.status]}
      </p>
      ${
        showField
          ? html`<form class="field" @submit=${(event: Event) => this.#saveToken(event)}>
              <label for="github-token">Fine-grained personal access token</label>
              <input
                id="github-token"
                type="password"
                autocomplete="off"
                spellcheck="false"
                aria-describedby="github-token-hint"
                placeholder="github_pat_…"
              />
              <span class="hint muted" id="github-token-hint">
                Needs, for the repositories below: ${GITHUB_PERMISSIONS.map((entry) => entry.title).join(", ")} (write
                only for re-runs and workflow starts you approve). Kept in this tab's memory, and encrypted on this
                device only if you keep sign-ins across reloads.
              </span>
              <div class="row">
                <button class="primary" type="submit" aria-disabled=${busy ? "true" : "false"}>
                  ${github.busy === "token" ? "Checking…" : "Check and save token"}
                </button>
                ${
                  this.replacing
                    ? html`<button type="button" @click=${() => (this.replacing = false)}>
                        Keep the current token
                      </button>`
                    : nothing
                }
              </div>
            </form>`
          : html`<div class="row">
              <button type="button" @click=${() => (this.replacing = true)}>Replace token</button>
              <button type="button" aria-disabled=${busy ? "true" : "false"} @click=${() => this.#remove()}>
                Remove token
              </button>
            </div>`
      }
    </fieldset>`;
  }

  #repositoriesSection(github: GitHubController, busy: boolean) {
    return html`<fieldset>
      <legend>Repositories to watch</legend>
      <form class="field" @submit=${(event: Event) => this.#saveRepositories(event)}>
        <label for="github-repositories">One per line, as owner/name</label>
        <textarea
          id="github-repositories"
          rows="4"
          spellcheck="false"
          .value=${github.repositories.join("\n")}
        ></textarea>
        <div class="row">
          <button type="submit" aria-disabled=${busy ? "true" : "false"}>Save repositories</button>
        </div>
      </form>
    </fieldset>`;
  }

  #accessSection(github: GitHubController, busy: boolean) {
    if (github.token === undefined || github.repositories.length === 0) return nothing;
    const missing = github.missing;
    return html`<fieldset>
      <legend>What the token can do</legend>
      ${
        github.access.length === 0
          ? html`<p class="muted">Not checked yet.</p>`
          : html`<table data-testid="github-access">
              <thead>
                <tr>
                  <th scope="col">Repository</th>
                  <th scope="col">Visible</th>
                  <th scope="col">Actions (read)</th>
                  <th scope="col">Deployments (read)</th>
                </tr>
              </thead>
              <tbody>
                ${github.access.map(
                  (access: RepositoryAccess) =>
                    html`<tr>
                      <th scope="row">${access.repository}</th>
                      <td>${access.visible ? "Yes" : "No"}</td>
                      <td>${access.visible ? mark(access.actionsRead) : "—"}</td>
                      <td>${access.visible ? mark(access.deploymentsRead) : "—"}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
      ${
        missing.length > 0
          ? html`<p>
                Missing — edit the token on GitHub (Settings → Developer settings → Fine-grained tokens) and add:
              </p>
              <ul data-testid="github-missing">
                ${missing.map((line) => html`<li>${line}</li>`)}
              </ul>`
          : github.access.length > 0
            ? html`<p>The token can read everything the watch needs.</p>`
            : nothing
      }
      <p class="hint muted">
        GitHub does not tell whether a token may write: "Actions: Read and write" shows when you approve the first
        re-run.
      </p>
      <div class="row">
        <button type="button" aria-disabled=${busy ? "true" : "false"} @click=${() => void github.recheck()}>
          ${github.busy === "check" ? "Checking…" : "Check again"}
        </button>
        ${
          github.checkedAt !== undefined
            ? html`<span class="muted">Checked at ${new Date(github.checkedAt).toLocaleTimeString()}</span>`
            : nothing
        }
      </div>
    </fieldset>`;
  }

  async #saveToken(event: Event): Promise<void> {
    event.preventDefault();
    const github = this.github;
    const input = this.tokenInput;
    if (!github || !input || github.busy !== undefined) return;
    const value = input.value;
    // The token leaves the field at once: it is never shown again, whether it is kept or not.
    input.value = "";
    if (await github.setToken(value)) this.replacing = false;
  }

  async #saveRepositories(event: Event): Promise<void> {
    event.preventDefault();
    const github = this.github;
    const input = this.repositoriesInput;
    if (!github || !input || github.busy !== undefined) return;
    await github.setRepositories(input.value);
  }

  async #remove(): Promise<void> {
    const github = this.github;
    if (!github || github.busy !== undefined) return;
    await github.removeToken();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-github-settings": GitHubSettings;
  }
}
