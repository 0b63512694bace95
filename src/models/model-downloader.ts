import { makeError } from "../core/errors";
import { modelBaseUrl } from "../core/model-source";
import { defaultCacheStorage, entryBytes } from "./cache-entries";
import { abortedError, networkError, throwIfAborted } from "./download-errors";
import type { DownloadProgress } from "./download-progress";
import {
  CACHE_SCOPES,
  CHAT_CONFIG_FILE,
  TENSOR_CACHE_FILE,
  parseChatConfig,
  parseTensorCache,
  planModelFiles,
  type CacheScope,
  type DownloadableRecord,
  type ModelFile,
} from "./model-files";
import { getModelStorage, type ModelStorage } from "./model-storage";
import { ProgressTracker } from "./progress-tracker";
import { putVerified } from "./verified-cache-put";

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  fetch?: typeof fetch;
  caches?: CacheStorage;
  /** Milliseconds; injectable for tests. */
  now?: () => number;
}

type ScopedCaches = Record<CacheScope, Cache>;

/** Everything one download needs, passed around instead of a dozen parameters. */
interface DownloadContext {
  modelId: string;
  caches: ScopedCaches;
  fetch: typeof fetch;
  signal: AbortSignal | undefined;
  tracker: ProgressTracker;
}

async function openScopes(storage: CacheStorage): Promise<ScopedCaches> {
  const entries = await Promise.all(CACHE_SCOPES.map(async (scope) => [scope, await storage.open(scope)] as const));
  return Object.fromEntries(entries) as ScopedCaches;
}

async function request(
  context: DownloadContext,
  url: string,
  name: string,
  kind: ModelFile["kind"],
): Promise<Response> {
  let response: Response;
  try {
    // no-store: the file goes into the Cache API; a second copy in the HTTP cache would only eat quota.
    response = await context.fetch(url, { signal: context.signal, cache: "no-store" });
  } catch (error) {
    throw context.signal?.aborted ? abortedError(context.modelId) : networkError(name, error);
  }
  if (response.ok) return response;
  await response.body?.cancel().catch(() => undefined);
  if (kind === "library" && response.status >= 400 && response.status < 500) {
    throw makeError(
      "ModelLibraryMissingError",
      `The model library ${name} is not available: ${url} answered HTTP ${response.status}.`,
    );
  }
  throw makeError("DownloadHttpError", `Fetching ${name} failed: the server answered HTTP ${response.status}.`);
}

function parseJson(bytes: Uint8Array, name: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw makeError("DownloadIntegrityError", `${name} is not valid JSON.`);
  }
}

/** The small JSON files that decide the plan: web-llm's stored copy if it has one, else the network's. */
async function storedOrFetched(
  context: DownloadContext,
  scope: CacheScope,
  url: string,
  name: string,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; stored: boolean }> {
  const cached = await context.caches[scope].match(url);
  if (cached) return { bytes: new Uint8Array(await cached.arrayBuffer()), stored: true };
  const response = await request(context, url, name, "config");
  try {
    return { bytes: new Uint8Array(await response.arrayBuffer()), stored: false };
  } catch (error) {
    throw context.signal?.aborted ? abortedError(context.modelId) : networkError(name, error);
  }
}

/** Size of the stored copy, or undefined when the file still has to be fetched. */
async function storedBytes(context: DownloadContext, file: ModelFile): Promise<number | undefined> {
  const cache = context.caches[file.scope];
  const response = await cache.match(file.url);
  if (!response) return undefined;
  const bytes = await entryBytes(response);
  if (file.bytes !== undefined && bytes !== file.bytes) {
    // Left over from another revision of the model: fetch it again.
    await cache.delete(file.url);
    return undefined;
  }
  return bytes;
}

function describeSourceError(context: DownloadContext, name: string): (error: unknown) => Error {
  return (error) => (context.signal?.aborted ? abortedError(context.modelId) : networkError(name, error));
}

async function fetchIntoCache(context: DownloadContext, file: ModelFile): Promise<void> {
  const response = await request(context, file.url, file.name, file.kind);
  if (file.bytes === undefined) {
    const announced = Number(response.headers.get("content-length") ?? "");
    if (Number.isSafeInteger(announced) && announced > 0) context.tracker.announceSize(announced);
  }
  const body = response.body ?? new Blob([]).stream();
  await putVerified(context.caches[file.scope], file.url, body, file, {
    onChunk: (bytes) => context.tracker.received(bytes, true),
    signal: context.signal,
    describeSourceError: describeSourceError(context, file.name),
  });
}

async function storeFromMemory(
  context: DownloadContext,
  file: ModelFile,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<void> {
  await putVerified(
    context.caches[file.scope],
    file.url,
    new Blob([bytes]).stream(),
    { name: file.name, bytes: bytes.byteLength },
    {
      onChunk: (chunk) => context.tracker.received(chunk, false),
      signal: context.signal,
      describeSourceError: describeSourceError(context, file.name),
    },
  );
}

/**
 * Fetches every file web-llm will read for `record` into web-llm's own caches, under the keys it
 * matches, so a later `engine.reload` finds them all and fetches nothing. Files already stored are
 * skipped (resume); each file is stored whole and checked, or not at all; tensor-cache.json, which
 * makes web-llm consider the model present, is written last.
 */
export async function downloadModel(record: DownloadableRecord, options: DownloadOptions = {}): Promise<ModelStorage> {
  const storage = options.caches ?? defaultCacheStorage();
  const fetchFile = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const tracker = new ProgressTracker(record.model_id, options.now ?? Date.now, options.onProgress);
  throwIfAborted(options.signal, record.model_id);
  tracker.setPhase("preparing");
  const context: DownloadContext = {
    modelId: record.model_id,
    caches: await openScopes(storage),
    fetch: fetchFile,
    signal: options.signal,
    tracker,
  };

  const base = modelBaseUrl(record.model);
  const configUrl = new URL(CHAT_CONFIG_FILE, base).href;
  const manifestUrl = new URL(TENSOR_CACHE_FILE, base).href;
  const config = await storedOrFetched(context, "webllm/config", configUrl, CHAT_CONFIG_FILE);
  const manifest = await storedOrFetched(context, "webllm/model", manifestUrl, TENSOR_CACHE_FILE);
  const plan = planModelFiles(
    record,
    parseChatConfig(parseJson(config.bytes, CHAT_CONFIG_FILE)),
    parseTensorCache(parseJson(manifest.bytes, TENSOR_CACHE_FILE)),
  );
  const inMemory = new Map<string, Uint8Array<ArrayBuffer>>();
  if (!config.stored) inMemory.set(configUrl, config.bytes);
  if (!manifest.stored) inMemory.set(manifestUrl, manifest.bytes);

  const pending: ModelFile[] = [];
  const alreadyStored: number[] = [];
  let plannedBytes = 0;
  for (const planned of plan) {
    const memory = inMemory.get(planned.url);
    const file = memory ? { ...planned, bytes: memory.byteLength } : planned;
    const stored = memory ? undefined : await storedBytes(context, file);
    if (stored === undefined) pending.push(file);
    else alreadyStored.push(stored);
    plannedBytes += stored ?? file.bytes ?? 0;
  }
  tracker.plan(plannedBytes, plan.length);
  for (const bytes of alreadyStored) tracker.skipFile(bytes);

  tracker.setPhase("downloading");
  for (const file of pending) {
    throwIfAborted(options.signal, record.model_id);
    if (file.kind === "config" || file.kind === "manifest") tracker.setPhase("finishing");
    tracker.startFile(file.name, file.bytes ?? 0);
    const memory = inMemory.get(file.url);
    if (memory) await storeFromMemory(context, file, memory);
    else await fetchIntoCache(context, file);
    tracker.finishFile();
  }
  tracker.setPhase("done");
  return getModelStorage(record, storage);
}
