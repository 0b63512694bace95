import type { DeviceCapabilities } from "../core/device-capabilities";
import { reviveError, type TabclawError } from "../core/errors";
import {
  buildCatalog,
  buildEmbeddingCatalog,
  DEFAULT_EMBEDDING_MODEL,
  pickDefaultModel,
  type CatalogEntry,
  type CatalogRecord,
} from "../core/model-catalog";
import { applyModelSource } from "../core/model-source";
import type { AgentBridge } from "../engine/agent-bridge";
import type { ModelLoadProgress } from "../engine/chat-engine";
import type { DownloadProgress } from "../models/download-progress";
import type { LocalFile } from "../models/local-folder-import";
import type { ModelStorage } from "../models/model-storage";
import type { Database } from "../store/database";
import type { SettingsStore } from "../store/settings-store";
import { Observable } from "./observable";

export type LoadState =
  | { kind: "idle" }
  | { kind: "loading"; modelId: string; progress: ModelLoadProgress }
  | {
      kind: "ready";
      modelId: string;
      /** The embedding model loaded beside it, for memory search. */
      embeddingModelId?: string;
      /** Why the embedding model asked for did not load (the chat model did). */
      embeddingError?: TabclawError;
    }
  | { kind: "failed"; modelId: string; error: TabclawError };

/**
 * Everything about models the UI shows: the catalog for this device, what is stored, what is
 * downloading, and which model is loaded. One instance per page.
 */
export class ModelController extends Observable {
  entries: CatalogEntry[] = [];
  /** web-llm's embedding models (snowflake-arctic-embed), for memory search. */
  embeddingEntries: CatalogEntry[] = [];
  /** The embedding model chosen for memory search (persisted); `undefined`: keyword search only. */
  embeddingModelId: string | undefined;
  readonly defaultEmbeddingModelId = DEFAULT_EMBEDDING_MODEL;
  localModels: CatalogRecord[] = [];
  selectedModelId: string | undefined;
  defaultModelId: string | undefined;
  storage = new Map<string, ModelStorage>();
  sizes = new Map<string, number>();
  mirror: string | undefined;
  downloads = new Map<string, DownloadProgress>();
  downloadErrors = new Map<string, TabclawError>();
  load: LoadState = { kind: "idle" };
  importProgress: DownloadProgress | undefined;
  importError: TabclawError | undefined;

  constructor(
    readonly device: DeviceCapabilities,
    private readonly bridge: AgentBridge,
    private readonly settings: SettingsStore,
    private readonly db: Database,
  ) {
    super();
  }

  async init(): Promise<void> {
    const mirror = await this.settings.get("modelMirror");
    this.sizes = new Map(Object.entries(await this.settings.get("modelSizes")));
    this.localModels = await this.db.getAll("localModels");
    const api = await this.bridge.api();
    // web-llm's catalog is read in the worker: importing web-llm here would put it in the page's bundle.
    const prebuilt = await api.catalogRecords();
    const records = prebuilt.map((record) => applyModelSource(record, { mirror }));
    this.entries = buildCatalog([...this.localModels, ...records], this.device);
    this.embeddingEntries = buildEmbeddingCatalog(records, this.device);
    const embedding = await this.settings.get("embeddingModelId");
    this.embeddingModelId = this.embeddingEntries.some((entry) => entry.record.model_id === embedding)
      ? embedding
      : undefined;
    this.defaultModelId = pickDefaultModel(this.entries, this.device);
    const saved = await this.settings.get("selectedModelId");
    this.selectedModelId = this.entries.some((entry) => entry.record.model_id === saved) ? saved : this.defaultModelId;
    this.bridge.setCatalog(this.records());
    // Set with the catalog, so the panel confirms a mirror only once downloads would use it.
    this.mirror = mirror;
    this.changed();
    await this.refreshStorage();
  }

  /**
   * Reads the download size of each runnable model not measured yet (one small JSON file per
   * model, once), and remembers it. Called when the user opens the Models view, not at start-up.
   */
  async refreshSizes(): Promise<void> {
    const missing = [...this.entries, ...this.embeddingEntries]
      .filter((entry) => entry.runnable.ok && !this.sizes.has(entry.record.model_id))
      .filter((entry) => !entry.record.model_id.startsWith("local-"))
      .map((entry) => entry.record);
    if (missing.length === 0) return;
    const api = await this.bridge.api();
    const found = await api.downloadSizes(missing);
    for (const [id, bytes] of Object.entries(found)) this.sizes.set(id, bytes);
    await this.settings.set("modelSizes", Object.fromEntries(this.sizes));
    this.changed();
  }

  /** Every record web-llm may load: chat models and embedding models. */
  records(): CatalogRecord[] {
    return [...this.entries, ...this.embeddingEntries].map((entry) => entry.record);
  }

  entry(modelId: string | undefined): CatalogEntry | undefined {
    return [...this.entries, ...this.embeddingEntries].find((entry) => entry.record.model_id === modelId);
  }

  /** Chooses the embedding model for memory search (`undefined`: none); it loads with the chat model. */
  async selectEmbeddingModel(modelId: string | undefined): Promise<void> {
    this.embeddingModelId = modelId;
    await this.settings.set("embeddingModelId", modelId);
    this.changed();
  }

  /** The embedding model the next load takes: the chosen one, once it is downloaded and can run here. */
  usableEmbeddingModel(): string | undefined {
    const id = this.embeddingModelId;
    return id !== undefined && this.isDownloaded(id) && this.entry(id)?.runnable.ok === true ? id : undefined;
  }

  /** The embedding model loaded now, if any. */
  loadedEmbeddingModel(): string | undefined {
    return this.load.kind === "ready" ? this.load.embeddingModelId : undefined;
  }

  async setMirror(mirror: string | undefined): Promise<void> {
    await this.settings.set("modelMirror", mirror?.trim() || undefined);
    await this.init();
  }

  async select(modelId: string): Promise<void> {
    this.selectedModelId = modelId;
    await this.settings.set("selectedModelId", modelId);
    this.changed();
  }

  /** Storage of every model that has anything stored (plus the selected one). */
  async refreshStorage(): Promise<void> {
    if (!this.device.webgpu && this.localModels.length === 0) return;
    const api = await this.bridge.api();
    const measured = await api.storage(this.records());
    this.storage = new Map(measured.filter((item) => item.files > 0).map((item) => [item.modelId, item]));
    this.changed();
  }

  isDownloaded(modelId: string | undefined): boolean {
    return modelId !== undefined && this.storage.get(modelId)?.complete === true;
  }

  async download(modelId: string): Promise<void> {
    const entry = this.entry(modelId);
    if (!entry || this.downloads.has(modelId)) return;
    this.downloadErrors.delete(modelId);
    this.downloads.set(modelId, {
      modelId,
      phase: "preparing",
      bytesDone: 0,
      bytesTotal: 0,
      filesDone: 0,
      filesTotal: 0,
      bytesPerSecond: 0,
    });
    this.changed();
    const api = await this.bridge.api();
    let running = true;
    const outcome = await api.download(
      entry.record,
      this.bridge.callback((progress: DownloadProgress) => {
        // Reports travel on the callback's own port and can land after the outcome: a late one must
        // not bring back a progress bar (and a Cancel button) for a download that has ended.
        if (!running) return;
        this.downloads.set(modelId, progress);
        this.changed();
      }),
    );
    running = false;
    this.downloads.delete(modelId);
    if (!outcome.ok) this.downloadErrors.set(modelId, reviveError(outcome.error));
    // A model worth hundreds of MB should not be evicted under storage pressure: ask once it is here.
    else void navigator.storage?.persist?.();
    await this.refreshStorage();
  }

  async cancelDownload(modelId: string): Promise<void> {
    const api = await this.bridge.api();
    await api.cancelDownload(modelId);
  }

  async deleteModel(modelId: string): Promise<void> {
    const entry = this.entry(modelId);
    if (!entry) return;
    const api = await this.bridge.api();
    const outcome = await api.deleteModel(entry.record);
    if (!outcome.ok) this.downloadErrors.set(modelId, reviveError(outcome.error));
    // Deleting the embedding model unloads the engine it shares with the chat model.
    if (
      (this.load.kind !== "idle" && "modelId" in this.load && this.load.modelId === modelId) ||
      this.loadedEmbeddingModel() === modelId
    )
      this.load = { kind: "idle" };
    if (modelId.startsWith("local-")) {
      await this.db.delete("localModels", modelId);
      await this.init();
    }
    await this.refreshStorage();
  }

  async loadModel(modelId = this.selectedModelId): Promise<void> {
    if (!modelId) return;
    this.load = { kind: "loading", modelId, progress: { progress: 0, text: "Starting…", timeElapsedS: 0 } };
    this.changed();
    const api = await this.bridge.api();
    const outcome = await api.loadModel(
      modelId,
      this.bridge.callback((progress: ModelLoadProgress) => {
        // A late report must not turn a finished load back into "Loading…".
        if (this.load.kind !== "loading" || this.load.modelId !== modelId) return;
        this.load = { kind: "loading", modelId, progress };
        this.changed();
      }),
      this.usableEmbeddingModel(),
    );
    if (outcome.ok) {
      const { embeddingModelId, embeddingError } = outcome.value;
      this.load = {
        kind: "ready",
        modelId,
        ...(embeddingModelId !== undefined ? { embeddingModelId } : {}),
        ...(embeddingError ? { embeddingError: reviveError(embeddingError) } : {}),
      };
    } else {
      this.load = { kind: "failed", modelId, error: reviveError(outcome.error) };
    }
    this.changed();
  }

  /** The workers died: the loaded model and running downloads are gone; say so where they were shown. */
  workerCrashed(message: string): void {
    const error = reviveError({ name: "WorkerCrashedError", message: `The model worker stopped (${message}).` });
    if (this.load.kind === "ready" || this.load.kind === "loading") {
      this.load = { kind: "failed", modelId: this.load.modelId, error };
    }
    for (const modelId of this.downloads.keys()) this.downloadErrors.set(modelId, error);
    this.downloads.clear();
    this.changed();
  }

  async importFolder(files: LocalFile[]): Promise<void> {
    this.importError = undefined;
    this.importProgress = {
      modelId: "local",
      phase: "preparing",
      bytesDone: 0,
      bytesTotal: 0,
      filesDone: 0,
      filesTotal: files.length,
      bytesPerSecond: 0,
    };
    this.changed();
    const api = await this.bridge.api();
    let running = true;
    const outcome = await api.importFolder(
      files,
      this.bridge.callback((progress: DownloadProgress) => {
        // As for downloads: the last report can land after the outcome and would freeze the bar at 100 %.
        if (!running) return;
        this.importProgress = progress;
        this.changed();
      }),
    );
    running = false;
    this.importProgress = undefined;
    if (!outcome.ok) {
      this.importError = reviveError(outcome.error);
      this.changed();
      return;
    }
    await this.db.put("localModels", outcome.value);
    await this.init();
    await this.select(outcome.value.model_id);
  }
}
