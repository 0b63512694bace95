import type { CatalogRecord } from "./model-catalog";

/**
 * Where model files come from. By default, the hosts web-llm's catalog names. A mirror serves
 * the same files under `<mirror>/<org>/<repo>/resolve/main/<file>` and model libraries under
 * `<mirror>/model-libs/<file>.wasm`, for users behind a firewall or hosting models themselves.
 */
export interface ModelSource {
  /** Absolute URL of a mirror, or undefined for the catalog's own hosts. */
  mirror?: string;
}

export function repoPath(modelUrl: string): string {
  const url = new URL(modelUrl);
  return url.pathname
    .replace(/^\/+/, "")
    .replace(/\/resolve\/.*$/, "")
    .replace(/\/+$/, "");
}

/** The absolute base URL (ending in `/resolve/<rev>/`) that web-llm will read files from. */
export function modelBaseUrl(modelUrl: string): string {
  let url = modelUrl.endsWith("/") ? modelUrl : `${modelUrl}/`;
  if (!/\/resolve\/[^/]+\/$/.test(url) && !/\/resolve\/.+\//.test(url)) url += "resolve/main/";
  return new URL(url).href;
}

export function applyModelSource<T extends CatalogRecord>(record: T, source: ModelSource): T {
  if (!source.mirror) return record;
  const mirror = source.mirror.endsWith("/") ? source.mirror : `${source.mirror}/`;
  const libName = record.model_lib.split("/").pop() ?? record.model_lib;
  return {
    ...record,
    model: new URL(`${repoPath(record.model)}/resolve/main/`, mirror).href,
    model_lib: new URL(`model-libs/${libName}`, mirror).href,
  };
}
