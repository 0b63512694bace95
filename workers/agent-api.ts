import type { AppConfig, ModelRecord } from "@mlc-ai/web-llm";
import type { ActionOutcome, ProposedAction } from "../src/core/agent/action";
import type { AgentEvent } from "../src/core/agent/agent-events";
import { serializeError, type SerializedError } from "../src/core/errors";
import type { CatalogRecord } from "../src/core/model-catalog";
import type { ModelLoadProgress } from "../src/engine/chat-engine";
import { runAgentTurn, type AgentRunRequest } from "../src/engine/agent-turn";
import type { DreamProgress, DreamRequest } from "../src/memory/dream-run";
import type { DreamJournalEntry } from "../src/memory/dream-journal-store";
import type { JobRunRecord } from "../src/store/job-record";
import { WebLlmChatEngine } from "../src/engine/webllm-chat-engine";
import type { DownloadProgress } from "../src/models/download-progress";
import { fetchDownloadSizes } from "../src/models/download-size";
import { importModelFolder, type LocalFile } from "../src/models/local-folder-import";
import { downloadModel } from "../src/models/model-downloader";
import { deleteModel, getModelStorage, type ModelStorage } from "../src/models/model-storage";
import { MemorySearchService, type MemorySearchResult } from "../src/memory/memory-search-service";
import { WorkerRoutines } from "../src/routines/worker-routines";
import { openDatabase } from "../src/store/database";
import type { LocalModelRecord } from "../src/store/schema";
import { chatToolRegistry } from "../src/tools/chat-tools";

let engine: WebLlmChatEngine | undefined;
let catalog: CatalogRecord[] = [];
const tools = chatToolRegistry();
/** Agent runs writing an answer now: background embedding waits for them. */
let activeRuns = 0;
// Opens its own connection per refresh: a schema upgrade in a newer tab must not break search.
const memorySearch = new MemorySearchService(() => openDatabase(), {
  embedder: () => engine,
  busy: () => activeRuns > 0,
});
const running = new Map<string, AbortController>();
/** The routines' scheduler (src/routines/scheduler.ts), made at the first `startScheduler` or `dream`. */
let routines: WorkerRoutines | undefined;

function routinesIn(timeZone: string): WorkerRoutines {
  routines ??= new WorkerRoutines({ openDb: () => openDatabase(), engine: () => engine, timeZone });
  return routines;
}

/** What `loadModel` loaded besides the chat model. */
export interface LoadResult {
  /** The embedding model loaded with it, if one was asked for and loaded. */
  embeddingModelId?: string;
  /** Why the embedding model asked for is not loaded (the chat model is). */
  embeddingError?: SerializedError;
}

/** Errors cross comlink as `{name, message}` so the page can rebuild the typed error. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: SerializedError };

async function attempt<T>(work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: serializeError(error) };
  }
}

function track(id: string): AbortSignal {
  running.get(id)?.abort();
  const controller = new AbortController();
  running.set(id, controller);
  return controller.signal;
}

function appConfigFor(records: CatalogRecord[]): AppConfig {
  // CatalogRecord keeps web-llm's own numeric ModelType values, so they pass through unchanged.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
  const modelList: ModelRecord[] = records.map((record) => ({ ...record, model_type: record.model_type }));
  return { model_list: modelList, cacheBackend: "cache" };
}

export const agentApi = {
  /** Receives the agent's end of the channel to the model worker. */
  async connectModel(port: MessagePort, records: CatalogRecord[]): Promise<void> {
    const { WebWorkerMLCEngine } = await import("@mlc-ai/web-llm");
    catalog = records;
    engine = new WebLlmChatEngine(new WebWorkerMLCEngine(port), appConfigFor(records));
  },

  /** web-llm's own model catalog (its `prebuiltAppConfig`). */
  async catalogRecords(): Promise<CatalogRecord[]> {
    const { prebuiltAppConfig } = await import("@mlc-ai/web-llm");
    return prebuiltAppConfig.model_list.map((record): CatalogRecord => ({ ...record }));
  },

  /** Download sizes read from the model hosts (bytes of weights per model id). */
  downloadSizes(records: CatalogRecord[]): Promise<Record<string, number>> {
    return fetchDownloadSizes(records);
  },

  /** The catalog changed (a mirror was set, a folder model was added). */
  setCatalog(records: CatalogRecord[]): void {
    catalog = records;
    engine?.setAppConfig(appConfigFor(records));
  },

  /**
   * Loads the chat model, and `embeddingModelId` beside it in the same web-llm engine when given.
   * Facts without a vector from the embedding model are then embedded in the background.
   */
  async loadModel(
    modelId: string,
    onProgress: (progress: ModelLoadProgress) => void,
    embeddingModelId?: string,
  ): Promise<Outcome<LoadResult>> {
    return attempt(async () => {
      if (!engine) throw new Error("The model worker is not connected yet.");
      await engine.load(modelId, onProgress, embeddingModelId !== undefined ? { embeddingModelId } : {});
      memorySearch.startEmbedding();
      // Routines skipped for want of a model run now.
      routines?.modelLoaded();
      const loaded = engine.loadedEmbeddingModelId;
      const failed = engine.embeddingLoadError;
      return {
        ...(loaded !== undefined ? { embeddingModelId: loaded } : {}),
        ...(failed ? { embeddingError: serializeError(failed) } : {}),
      };
    });
  },

  /**
   * Runs the agent over one user turn. Every event goes to `onEvent` (awaited, so the page sees
   * them in order); every tool call goes to the page's Gate through `proposeAction`. Usage and
   * budget are kept here, where the engine is called. Stop it with `stop(requestId)`.
   */
  async runAgent(
    requestId: string,
    request: AgentRunRequest,
    onEvent: (event: AgentEvent) => void | Promise<void>,
    proposeAction: (action: ProposedAction) => Promise<ActionOutcome>,
  ): Promise<Outcome<void>> {
    const signal = track(requestId);
    activeRuns += 1;
    const outcome = await attempt(async () => {
      if (!engine) throw Object.assign(new Error("No model is loaded."), { name: "ModelNotLoadedError" });
      const chatEngine = engine;
      // Opened per run: a newer tab upgrading the schema closes old connections, and a run must not fail on one.
      const db = await openDatabase();
      try {
        // The record's own window when it has one (web-llm's prebuilt records mostly do).
        const contextWindow = catalog.find((record) => record.model_id === chatEngine.loadedModelId)?.overrides
          ?.context_window_size;
        await runAgentTurn({
          engine: chatEngine,
          db,
          registry: tools,
          request,
          onEvent,
          proposeAction,
          signal,
          ...(contextWindow !== undefined ? { contextWindow } : {}),
        });
      } finally {
        db.close();
      }
    });
    activeRuns -= 1;
    running.delete(requestId);
    return outcome;
  },

  /** Ranked memory search (keywords, plus vectors once an embedding model is loaded) for the `memory` connector. */
  memorySearch(query: string, limit: number): Promise<MemorySearchResult> {
    return memorySearch.search(query, limit, Date.now());
  },

  stop(requestId: string): void {
    running.get(requestId)?.abort();
  },

  /**
   * Starts the routines' scheduler (idempotent): runs left running by a closed tab are marked
   * interrupted, the default jobs are added, due jobs catch up once, then it sleeps until the next.
   * `proposeAction` is the page's `gate.propose` (a comlink proxy): routines read connectors and
   * propose actions through it (mail triage's `gmail_sync`, labels and drafts). Without it they run
   * on what is stored.
   */
  startScheduler(timeZone: string, proposeAction?: (action: ProposedAction) => Promise<ActionOutcome>): Promise<void> {
    const scheduler = routinesIn(timeZone);
    if (proposeAction) scheduler.setProposeAction(proposeAction);
    return scheduler.start();
  },

  /**
   * Runs a job now through the scheduler (the Inbox's "Triage now" runs `mail-triage`) and returns
   * its run record; a job already running or not there is an error that says so.
   */
  async runJobNow(jobId: string): Promise<Outcome<JobRunRecord>> {
    return attempt(async () => {
      if (!routines)
        throw Object.assign(new Error("The routines have not started yet; try again in a moment."), {
          name: "SchedulerNotStartedError",
        });
      return routines.runJobNow(jobId);
    });
  },

  /**
   * "Dream now" (src/memory/dream-run.ts): the dreaming job run at once through the scheduler, which
   * holds the job's Web Lock (one tab runs it) and its watchdog, and records the run.
   */
  async dream(
    request: DreamRequest,
    onProgress?: (progress: DreamProgress) => void,
  ): Promise<Outcome<DreamJournalEntry>> {
    return attempt(() => routinesIn(request.timeZone).dream(request, onProgress));
  },

  async download(
    record: CatalogRecord,
    onProgress: (progress: DownloadProgress) => void,
  ): Promise<Outcome<ModelStorage>> {
    const signal = track(`download:${record.model_id}`);
    const outcome = await attempt(() => downloadModel(record, { signal, onProgress }));
    running.delete(`download:${record.model_id}`);
    return outcome;
  },

  cancelDownload(modelId: string): void {
    running.get(`download:${modelId}`)?.abort();
  },

  async storage(records: CatalogRecord[]): Promise<ModelStorage[]> {
    return Promise.all(records.map((record) => getModelStorage(record)));
  },

  async deleteModel(record: CatalogRecord): Promise<Outcome<void>> {
    return attempt(async () => {
      // The embedding model shares the engine with the chat model: deleting either unloads both.
      if (engine?.loadedModelId === record.model_id || engine?.loadedEmbeddingModelId === record.model_id)
        await engine.unload();
      // Libraries shared with another stored model stay.
      await deleteModel(record, undefined, { knownRecords: catalog });
    });
  },

  async importFolder(
    files: LocalFile[],
    onProgress: (progress: DownloadProgress) => void,
  ): Promise<Outcome<LocalModelRecord>> {
    const signal = track("import-folder");
    const outcome = await attempt(() => importModelFolder(files, { signal, onProgress }));
    running.delete("import-folder");
    return outcome;
  },
};

export type AgentApi = typeof agentApi;
