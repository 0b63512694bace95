import { deleteModelAllInfoInCache, hasModelInCache, type AppConfig, type ModelRecord } from "@mlc-ai/web-llm";
import { vi } from "vitest";
import type { CatalogRecord } from "../../../src/core/model-catalog";
import type { MemoryCacheStorage } from "../../fakes/memory-cache-storage";

/**
 * Runs web-llm's own cache helpers against the fake storage, so tests check our keys against the
 * code that will read them rather than against our own idea of it. web-llm reads the global `caches`.
 */
async function withCaches<T>(storage: MemoryCacheStorage, run: () => Promise<T>): Promise<T> {
  vi.stubGlobal("caches", storage);
  try {
    return await run();
  } finally {
    vi.unstubAllGlobals();
  }
}

/** Only the fields web-llm's cache helpers read. */
function appConfig(record: CatalogRecord): AppConfig {
  const modelRecord: ModelRecord = { model: record.model, model_id: record.model_id, model_lib: record.model_lib };
  return { model_list: [modelRecord] };
}

/** web-llm's `hasModelInCache`: tensor-cache.json and every shard it lists in "webllm/model". */
export function webLlmHasModel(storage: MemoryCacheStorage, record: CatalogRecord): Promise<boolean> {
  return withCaches(storage, () => hasModelInCache(record.model_id, appConfig(record)));
}

/** web-llm's `deleteModelAllInfoInCache`: deletes the keys web-llm itself would have written. */
export function webLlmDeleteModel(storage: MemoryCacheStorage, record: CatalogRecord): Promise<void> {
  return withCaches(storage, () => deleteModelAllInfoInCache(record.model_id, appConfig(record)));
}
