import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { ModelController } from "../app/model-controller";
import { ObserveController } from "../app/observable";
import { formatBytes, formatMegabytes } from "../core/format";
import type { CatalogEntry } from "../core/model-catalog";
import type { LocalFile } from "../models/local-folder-import";
import "./download-progress-bar";
import { panelStyles, sharedStyles } from "./shared-styles";

/**
 * The model catalog for this device: pick, download (with progress, cancel), load, delete,
 * or add a model from a local folder.
 * @property models - the model state
 */
@customElement("tabclaw-model-panel")
export class ModelPanel extends LitElement {
  static override styles = [
    sharedStyles,
    panelStyles,
    css`
      h2 {
        margin-top: 0;
      }
      .selected,
      .embedding {
        border: 1px solid var(--border);
        border-radius: var(--radius);
        padding: 0.75rem 1rem;
        margin-bottom: 1rem;
        background: var(--bg-raised);
      }
      .actions {
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
        margin: 0.5rem 0;
      }
      fieldset {
        border: 1px solid var(--border);
        border-radius: var(--radius);
      }
      .row {
        display: grid;
        grid-template-columns: auto 1fr auto;
        gap: 0.5rem;
        align-items: baseline;
        padding: 0.3rem 0;
        border-bottom: 1px solid var(--border);
      }
      .row[data-runnable="false"] label {
        color: var(--fg-muted);
      }
      .facts {
        font-size: 0.85rem;
        color: var(--fg-muted);
      }
      .badge {
        font-size: 0.75rem;
        border: 1px solid var(--border);
        border-radius: 999px;
        padding: 0 0.4rem;
        margin-left: 0.3rem;
      }
      .badge.ok {
        color: var(--ok);
        border-color: var(--ok);
      }
      .filters {
        display: flex;
        gap: 1rem;
        flex-wrap: wrap;
        align-items: center;
        margin-bottom: 0.5rem;
      }
      input[type="search"],
      input[type="url"] {
        padding: 0.35rem;
        border: 1px solid var(--border);
        border-radius: 6px;
        background: var(--bg);
        min-width: 16rem;
      }
    `,
  ];

  @property({ attribute: false }) models: ModelController | undefined;
  @state() private showAll = false;
  @state() private filter = "";

  constructor() {
    super();
    new ObserveController(this, () => this.models);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.models?.refreshSizes();
  }

  override render() {
    const models = this.models;
    if (!models) return nothing;
    const runnable = models.entries.filter((entry) => entry.runnable.ok);
    const hidden = models.entries.length - runnable.length;
    // The recommended model and models already on this device first; the rest in web-llm's order.
    const rank = (entry: CatalogEntry): number =>
      (entry.record.model_id === models.defaultModelId ? 0 : 2) + (models.isDownloaded(entry.record.model_id) ? 0 : 1);
    const visible = (this.showAll ? models.entries : runnable)
      .filter((entry) => entry.record.model_id.toLowerCase().includes(this.filter.toLowerCase()))
      .map((entry, index) => ({ entry, index }))
      .sort((a, b) => rank(a.entry) - rank(b.entry) || a.index - b.index)
      .map(({ entry }) => entry);
    return html`<h2>Models</h2>
      <p class="muted">
        ${
          models.device.webgpu
            ? html`GPU: ${models.device.adapterName}. 16-bit float shaders: ${models.device.shaderF16 ? "yes" : "no"}.
              Largest GPU buffer: ${formatBytes(models.device.maxBufferSize)}.`
            : html`No WebGPU in this browser: models can be downloaded for later, but not run here.`
        }
      </p>
      ${this.#selected(models)}
      <div class="filters">
        <label
          >Find
          <input
            type="search"
            .value=${this.filter}
            @input=${(e: Event) => (this.filter = (e.target as HTMLInputElement).value)}
        /></label>
        <label>
          <input
            type="checkbox"
            .checked=${this.showAll}
            @change=${(e: Event) => (this.showAll = (e.target as HTMLInputElement).checked)}
          />
          Show ${hidden} models this device cannot run
        </label>
      </div>
      <fieldset>
        <legend>Models this device can run (${runnable.length})</legend>
        ${visible.map((entry) => this.#row(models, entry))}
      </fieldset>
      ${this.#embedding(models)} ${this.#localFolder(models)} ${this.#mirror(models)}`;
  }

  #selected(models: ModelController) {
    const entry = models.entry(models.selectedModelId);
    if (!entry) return html`<p>No model this device can run was found.</p>`;
    const id = entry.record.model_id;
    const progress = models.downloads.get(id);
    const stored = models.storage.get(id);
    const error = models.downloadErrors.get(id);
    const loaded = models.load.kind === "ready" && models.load.modelId === id;
    const loading = models.load.kind === "loading" && models.load.modelId === id;
    return html`<section class="selected" aria-labelledby="selected-title">
      <h3 id="selected-title">
        ${id}${id === models.defaultModelId ? html`<span class="badge">Recommended for this device</span>` : nothing}
      </h3>
      <p class="facts">
        Needs ${formatMegabytes(entry.gpuMemoryMB)} of GPU memory
        ${entry.contextWindow ? html`· remembers ${entry.contextWindow} tokens of conversation` : nothing}
        ${models.sizes.get(id) !== undefined ? html`· download ${formatBytes(models.sizes.get(id) ?? 0)}` : nothing}
        ${stored ? html`· ${formatBytes(stored.bytes)} stored${stored.complete ? "" : " (incomplete)"}` : nothing}
      </p>
      ${entry.runnable.ok ? nothing : html`<p class="error">${entry.runnable.reason}</p>`}
      ${
        progress
          ? html`<tabclaw-download-progress
              .progress=${progress}
              label="Downloading ${id}"
            ></tabclaw-download-progress>`
          : nothing
      }
      ${error ? html`<p class="error" role="alert">${error.message} ${error.hint}</p>` : nothing}
      ${
        models.load.kind === "failed" && models.load.modelId === id
          ? html`<p class="error" role="alert">
              ${models.load.error.name === "WorkerCrashedError" ? "" : "Loading failed: "}${models.load.error.message}
              ${models.load.error.hint}
            </p>`
          : nothing
      }
      <div class="actions">
        ${
          progress
            ? html`<button @click=${() => models.cancelDownload(id)}>Cancel download</button>`
            : stored?.complete
              ? nothing
              : html`<button class="primary" ?disabled=${!entry.runnable.ok} @click=${() => models.download(id)}>
                  ${stored ? "Resume download" : "Download"}
                </button>`
        }
        ${
          stored?.complete
            ? html`<button
                class="primary"
                ?disabled=${loaded || loading || !entry.runnable.ok}
                @click=${() => models.loadModel(id)}
              >
                ${loaded ? "Loaded" : loading ? "Loading…" : "Load"}
              </button>`
            : nothing
        }
        ${
          stored && !progress
            ? html`<button class="danger" @click=${() => this.#delete(models, id)}>Delete from this device</button>`
            : nothing
        }
      </div>
    </section>`;
  }

  #row(models: ModelController, entry: CatalogEntry) {
    const id = entry.record.model_id;
    const stored = models.storage.get(id);
    const size = models.sizes.get(id);
    return html`<div class="row" data-runnable=${entry.runnable.ok ? "true" : "false"} data-model-id=${id}>
      <input
        type="radio"
        name="model"
        id="model-${id}"
        .checked=${models.selectedModelId === id}
        ?disabled=${!entry.runnable.ok}
        @change=${() => models.select(id)}
      />
      <label for="model-${id}">
        ${id} ${id === models.defaultModelId ? html`<span class="badge">Recommended</span>` : nothing}
        ${stored?.complete ? html`<span class="badge ok">Downloaded</span>` : nothing}
        <span class="facts"
          >· GPU ${formatMegabytes(entry.gpuMemoryMB)}${size !== undefined ? ` · download ${formatBytes(size)}` : ""}
          ${entry.runnable.ok ? "" : ` · ${entry.runnable.reason}`}</span
        >
      </label>
      <span></span>
    </div>`;
  }

  /** The embedding model for memory search: choose, download, delete; it loads with the chat model. */
  #embedding(models: ModelController) {
    const choices = models.embeddingEntries.filter(
      (entry) => entry.runnable.ok || entry.record.model_id === models.embeddingModelId,
    );
    const id = models.embeddingModelId;
    const entry = models.entry(id);
    const progress = id !== undefined ? models.downloads.get(id) : undefined;
    const stored = id !== undefined ? models.storage.get(id) : undefined;
    const error = id !== undefined ? models.downloadErrors.get(id) : undefined;
    const loaded = models.loadedEmbeddingModel();
    const chat = models.load.kind === "ready" ? models.load.modelId : undefined;
    const embeddingError = models.load.kind === "ready" ? models.load.embeddingError : undefined;
    let status: string;
    if (id === undefined) {
      status = loaded
        ? `Memory search still uses ${loaded} until the chat model loads again.`
        : "Memory search matches keywords only: similar wording is missed.";
    } else if (loaded === id) {
      status = `Loaded with ${chat ?? "the chat model"}: memory search matches meaning as well as keywords.`;
    } else if (stored?.complete) {
      status = chat
        ? `Downloaded. It loads with the chat model: load ${chat} again to use it.`
        : "Downloaded. It loads with the chat model.";
    } else {
      status = "Download it to use it; it loads with the chat model.";
    }
    const reload = chat !== undefined && models.usableEmbeddingModel() !== loaded;
    return html`<section class="embedding" aria-labelledby="embedding-title" data-testid="embedding-model">
      <h3 id="embedding-title">Embedding model for memory search</h3>
      <p class="muted">
        A small model that turns text into vectors, so a search for “automobile” finds a fact about a car. It runs on
        this device beside the chat model.
      </p>
      <label
        >Embedding model
        <select
          @change=${(event: Event) => {
            const value = (event.target as HTMLSelectElement).value;
            void models.selectEmbeddingModel(value === "" ? undefined : value);
          }}
        >
          <option value="" ?selected=${id === undefined}>None (keyword search only)</option>
          ${choices.map(
            (choice) =>
              html`<option value=${choice.record.model_id} ?selected=${choice.record.model_id === id}>
                ${choice.record.model_id} · GPU
                ${formatMegabytes(choice.gpuMemoryMB)}${
                  choice.record.model_id === models.defaultEmbeddingModelId ? " · recommended" : ""
                }${models.isDownloaded(choice.record.model_id) ? " · downloaded" : ""}
              </option>`,
          )}
        </select></label
      >
      ${entry && !entry.runnable.ok ? html`<p class="error">${entry.runnable.reason}</p>` : nothing}
      <p class="facts" role="status" data-testid="embedding-status">${status}</p>
      ${
        progress && id !== undefined
          ? html`<tabclaw-download-progress
              .progress=${progress}
              label="Downloading ${id}"
            ></tabclaw-download-progress>`
          : nothing
      }
      ${error ? html`<p class="error" role="alert">${error.message} ${error.hint}</p>` : nothing}
      ${
        embeddingError
          ? html`<p class="error" role="alert">
              The embedding model did not load: ${embeddingError.message} ${embeddingError.hint}
            </p>`
          : nothing
      }
      <div class="actions">
        ${
          id === undefined
            ? nothing
            : progress
              ? html`<button @click=${() => models.cancelDownload(id)}>Cancel download</button>`
              : stored?.complete
                ? nothing
                : html`<button class="primary" ?disabled=${!entry?.runnable.ok} @click=${() => models.download(id)}>
                    ${stored ? "Resume download" : "Download"}
                  </button>`
        }
        ${
          reload && chat !== undefined
            ? html`<button @click=${() => models.loadModel(chat)}>Load ${chat} again</button>`
            : nothing
        }
        ${
          id !== undefined && stored && !progress
            ? html`<button class="danger" @click=${() => this.#delete(models, id)}>Delete from this device</button>`
            : nothing
        }
      </div>
    </section>`;
  }

  #localFolder(models: ModelController) {
    return html`<section aria-labelledby="folder-title">
      <h3 id="folder-title">Add a model from a folder</h3>
      <p class="muted">
        For offline machines or networks that block model hosts: pick a folder in the MLC layout (mlc-chat-config.json,
        tokenizer files, tensor-cache.json, the weight shards and the model library .wasm).
      </p>
      <label>Model folder <input type="file" webkitdirectory multiple @change=${this.#pickFolder} /></label>
      ${
        models.importProgress
          ? html`<tabclaw-download-progress
              .progress=${models.importProgress}
              label="Adding model from folder"
            ></tabclaw-download-progress>`
          : nothing
      }
      ${models.importError ? html`<p class="error" role="alert">${models.importError.message} ${models.importError.hint}</p>` : nothing}
    </section>`;
  }

  #mirror(models: ModelController) {
    return html`<details>
      <summary>Model source</summary>
      <p class="muted">
        Models come from the hosts in web-llm's catalog. A mirror on this site (a path such as /models/) serves the same
        files as &lt;mirror&gt;/&lt;org&gt;/&lt;model&gt;/resolve/main/&lt;file&gt; and libraries as
        &lt;mirror&gt;/model-libs/&lt;file&gt;.wasm.
      </p>
      <form @submit=${(event: Event) => this.#saveMirror(event, models)}>
        <label
          >Mirror URL
          <input type="url" name="mirror" .value=${models.mirror ?? ""} placeholder="https://models.example.org/"
        /></label>
        <button type="submit">Save</button>
      </form>
      <p class="muted" role="status">
        ${models.mirror ? `Model files come from ${models.mirror}` : "Model files come from the catalog's own hosts."}
      </p>
    </details>`;
  }

  async #saveMirror(event: Event, models: ModelController): Promise<void> {
    event.preventDefault();
    const input = (event.target as HTMLFormElement).elements.namedItem("mirror") as HTMLInputElement;
    await models.setMirror(input.value ? new URL(input.value, location.href).href : undefined);
  }

  async #pickFolder(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const files: LocalFile[] = [...(input.files ?? [])].map((file) => ({
      path: file.webkitRelativePath || file.name,
      file,
    }));
    input.value = "";
    if (files.length) await this.models?.importFolder(files);
  }

  async #delete(models: ModelController, id: string): Promise<void> {
    if (!confirm(`Delete ${id} from this device? You can download it again later.`)) return;
    await models.deleteModel(id);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "tabclaw-model-panel": ModelPanel;
  }
}
