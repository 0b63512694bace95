import type { CatalogRecord } from "../core/model-catalog";
import { modelBaseUrl } from "../core/model-source";
import { parseTensorCache } from "./model-files";

/**
 * What a model will download: the weight shards listed in its tensor-cache.json (the library,
 * config and tokenizer add a few MB). Read from the host once and remembered by the caller.
 */
export async function fetchDownloadSize(record: CatalogRecord, fetcher: typeof fetch = fetch): Promise<number> {
  const response = await fetcher(new URL("tensor-cache.json", modelBaseUrl(record.model)).href);
  if (!response.ok) throw new Error(`tensor-cache.json: HTTP ${response.status}`);
  const manifest = parseTensorCache(await response.json());
  return manifest.records.reduce((sum, shard) => sum + shard.nbytes, 0);
}

/** Sizes for many models, a few requests at a time; a model whose size cannot be read is left out. */
export async function fetchDownloadSizes(
  records: CatalogRecord[],
  fetcher: typeof fetch = fetch,
  concurrency = 4,
): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  const queue = [...records];
  const workers = Array.from({ length: concurrency }, async () => {
    for (let record = queue.shift(); record; record = queue.shift()) {
      try {
        sizes[record.model_id] = await fetchDownloadSize(record, fetcher);
      } catch {
        // Offline or the host refused: the size stays unknown and the UI says nothing about it.
      }
    }
  });
  await Promise.all(workers);
  return sizes;
}
