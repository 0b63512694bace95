import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { ModelController } from "../app/model-controller";
import { ObserveController } from "../app/observable";
import { formatBytes } from "../core/format";
import { panelStyles, sharedStyles } from "./shared-styles";

/**
 * What Tabclaw keeps on this device: each model's size, the browser's storage estimate, and
 * whether storage is persistent (so the browser will not evict models under pressure).
 * @property models - the model state
 */
@customElement("tabclaw-storage-panel")
export class StoragePanel extends LitElement {
  static override styles = [
    sharedStyles,
    panelStyles,
    css`
      table {
        border-collapse: collapse;
        width: 100%;
        max-width: 48rem;
      }
      th,
      td {
        text-align: left;
        padding: 0.35rem 0.5rem;
        border-bottom: 1px solid var(--border);
      }
      td.num {
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
    `,
  ];

  @property({ attribute: false }) models: ModelController | undefined;
  @state() private estimate: StorageEstimate | undefined;
  @state() private persisted: boolean | undefined;
  @state() private persistAnswer = "";

  constructor() {
    super();
    new ObserveController(this, () => this.models);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
  }

  async refresh(): Promise<void> {
    this.estimate = await navigator.storage?.estimate();
    this.persisted = await navigator.storage?.persisted();
    await this.models?.refreshStorage();
    this.estimate = await navigator.storage?.estimate();
  }

  override render() {
    const models = this.models;
    const stored = [...(models?.storage.values() ?? [])];
    const modelBytes = stored.reduce((sum, item) => sum + item.bytes, 0);
    return html`<h2>Storage</h2>
      <section aria-labelledby="estimate-title">
        <h3 id="estimate-title">This device</h3>
        ${
          this.estimate
            ? html`<p data-testid="storage-estimate">
                Tabclaw uses ${formatBytes(this.estimate.usage ?? 0)} of the ${formatBytes(this.estimate.quota ?? 0)}
                the browser allows this site. Models account for ${formatBytes(modelBytes)}.
              </p>`
            : html`<p class="muted">This browser does not report storage use.</p>`
        }
        <p>
          ${
            this.persisted
              ? html`Storage is <strong>persistent</strong>: the browser will not clear models to make room.`
              : html`Storage is <strong>not persistent</strong>: under pressure the browser may clear downloaded models.
                  <button @click=${this.#persist}>Keep my data</button>`
          }
          <span role="status">${this.persistAnswer}</span>
        </p>
        <button @click=${() => this.refresh()}>Refresh</button>
      </section>
      <section aria-labelledby="models-title">
        <h3 id="models-title">Models on this device</h3>
        ${
          stored.length === 0
            ? html`<p class="muted">No model is stored yet.</p>`
            : html`<table>
                <thead>
                  <tr>
                    <th scope="col">Model</th>
                    <th scope="col">Size</th>
                    <th scope="col">Files</th>
                    <th scope="col">State</th>
                    <th scope="col"><span class="visually-hidden">Actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  ${stored.map(
                    (item) =>
                      html`<tr data-model-id=${item.modelId}>
                        <th scope="row">${item.modelId}</th>
                        <td class="num" data-testid="model-bytes">${formatBytes(item.bytes)}</td>
                        <td class="num">${item.files}</td>
                        <td>${item.complete ? "Complete" : "Incomplete (resume it in Models)"}</td>
                        <td>
                          <button
                            class="danger"
                            aria-label="Delete ${item.modelId}"
                            @click=${() => this.#delete(item.modelId)}
                          >
                            Delete
                          </button>
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
        }
      </section>
      ${nothing}`;
  }

  async #persist(): Promise<void> {
    const granted = (await navigator.storage?.persist()) ?? false;
    this.persisted = granted;
    this.persistAnswer = granted
      ? ""
      : "The browser said no. Installing Tabclaw as an app, or bookmarking it, usually makes the browser agree.";
  }

  async #delete(modelId: string): Promise<void> {
    if (!confirm(`Delete ${modelId} from this device?`)) return;
    await this.models?.deleteModel(modelId);
    await this.refresh();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-storage-panel": StoragePanel;
  }
}
