import type { CatalogRecord } from "../core/model-catalog";
import { modelBaseUrl } from "../core/model-source";
import { defaultCacheStorage, entryBytes, keysUnder, openExisting } from "./cache-entries";
import {
  CHAT_CONFIG_FILE,
  TENSOR_CACHE_FILE,
  isLibraryCachedByWebLLM,
  parseChatConfig,
  parseTensorCache,
  planModelFiles,
  type DownloadableRecord,
} from "./model-files";

export interface ModelStorage {
  modelId: string;
  /** Every file web-llm reads for this model is stored: it loads without the network. */
  complete: boolean;
  bytes: number;
  files: number;
}

async function readJson(cache: Cache | undefined, url: string): Promise<unknown> {
  const response = await cache?.match(url);
  if (!response) return undefined;
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

/** Whether the stored config and manifest, and every file they name, are present. */
async function isComplete(
  record: DownloadableRecord,
  present: ReadonlySet<string>,
  configCache: Cache | undefined,
  modelCache: Cache | undefined,
): Promise<boolean> {
  const base = modelBaseUrl(record.model);
  const configJson = await readJson(configCache, new URL(CHAT_CONFIG_FILE, base).href);
  const manifestJson = await readJson(modelCache, new URL(TENSOR_CACHE_FILE, base).href);
  if (configJson === undefined || manifestJson === undefined) return false;
  try {
    const plan = planModelFiles(record, parseChatConfig(configJson), parseTensorCache(manifestJson));
    return plan.every((file) => present.has(file.url));
  } catch {
    // A stored config or manifest web-llm could not use either.
    return false;
  }
}

/**
 * What this model occupies in web-llm's caches. Files are counted under the model's base URL, plus its
 * model library, which several catalog records can share (so summing over models can count it twice).
 */
export async function getModelStorage(
  record: DownloadableRecord,
  caches: CacheStorage = defaultCacheStorage(),
): Promise<ModelStorage> {
  const base = modelBaseUrl(record.model);
  const configCache = await openExisting(caches, "webllm/config");
  const modelCache = await openExisting(caches, "webllm/model");
  const wasmCache = await openExisting(caches, "webllm/wasm");
  const present = new Set<string>();
  let bytes = 0;
  for (const cache of [configCache, modelCache]) {
    if (!cache) continue;
    for (const request of await keysUnder(cache, base)) {
      const response = await cache.match(request);
      if (!response) continue;
      present.add(request.url);
      bytes += await entryBytes(response);
    }
  }
  if (wasmCache && isLibraryCachedByWebLLM(record.model_lib)) {
    const library = await wasmCache.match(record.model_lib);
    if (library) {
      present.add(new URL(record.model_lib).href);
      bytes += await entryBytes(library);
    }
  }
  const complete = await isComplete(record, present, configCache, modelCache);
  return { modelId: record.model_id, complete, bytes, files: present.size };
}

export interface DeleteModelOptions {
  /**
   * Other records the app knows. A model library is shared by several catalog records (Llama-3.2-3B
   * and Hermes-3-Llama-3.2-3B, for instance); it is kept while another of them still has weights stored.
   */
  knownRecords?: readonly CatalogRecord[];
}

async function libraryStillNeeded(
  record: CatalogRecord,
  modelCache: Cache | undefined,
  knownRecords: readonly CatalogRecord[],
): Promise<boolean> {
  if (!modelCache) return false;
  const library = new URL(record.model_lib).href;
  const base = modelBaseUrl(record.model);
  for (const other of knownRecords) {
    if (other.model_id === record.model_id || !isLibraryCachedByWebLLM(other.model_lib)) continue;
    if (new URL(other.model_lib).href !== library) continue;
    const otherBase = modelBaseUrl(other.model);
    // Records that share the weights lose them with this deletion, so they no longer need the library.
    if (otherBase === base) continue;
    if ((await keysUnder(modelCache, otherBase)).length > 0) return true;
  }
  return false;
}

/**
 * Removes every stored file of this model from web-llm's three caches. tensor-cache.json goes first,
 * so neither web-llm nor `getModelStorage` sees a complete model while the rest is being removed.
 * Records pointing at the same weights URL (web-llm's "-1k" variants) share those files and lose them too.
 */
export async function deleteModel(
  record: CatalogRecord,
  caches: CacheStorage = defaultCacheStorage(),
  options: DeleteModelOptions = {},
): Promise<void> {
  const base = modelBaseUrl(record.model);
  const modelCache = await openExisting(caches, "webllm/model");
  const configCache = await openExisting(caches, "webllm/config");
  const wasmCache = await openExisting(caches, "webllm/wasm");
  if (modelCache) {
    await modelCache.delete(new URL(TENSOR_CACHE_FILE, base).href);
    for (const request of await keysUnder(modelCache, base)) await modelCache.delete(request);
  }
  if (configCache) {
    for (const request of await keysUnder(configCache, base)) await configCache.delete(request);
  }
  if (wasmCache && isLibraryCachedByWebLLM(record.model_lib)) {
    if (!(await libraryStillNeeded(record, modelCache, options.knownRecords ?? []))) {
      await wasmCache.delete(record.model_lib);
    }
  }
}
