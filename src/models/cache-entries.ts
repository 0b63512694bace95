import type { CacheScope } from "./model-files";

/** Set on every entry we store, so sizes can be read back without reading bodies. */
export const STORED_BYTES_HEADER = "x-tabclaw-bytes";

export function storedResponse(body: BodyInit, bytes: number, contentType: string): Response {
  return new Response(body, {
    status: 200,
    headers: { "content-type": contentType, [STORED_BYTES_HEADER]: String(bytes) },
  });
}

export function contentTypeFor(name: string): string {
  if (name.endsWith(".json")) return "application/json";
  if (name.endsWith(".wasm")) return "application/wasm";
  return "application/octet-stream";
}

function headerBytes(response: Response, header: string): number | undefined {
  const value = response.headers.get(header);
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

/** Our own header first; then what the host said (web-llm stores responses as fetched); then the body. */
export async function entryBytes(response: Response): Promise<number> {
  const known = headerBytes(response, STORED_BYTES_HEADER) ?? headerBytes(response, "content-length");
  if (known !== undefined) return known;
  return (await response.blob()).size;
}

/**
 * Opens a cache only if it exists: `caches.open` would create an empty one, and reading storage
 * should not leave traces.
 */
export async function openExisting(storage: CacheStorage, scope: CacheScope): Promise<Cache | undefined> {
  return (await storage.has(scope)) ? storage.open(scope) : undefined;
}

/** Keys of every entry whose URL lies under `base` (which ends with "/"). */
export async function keysUnder(cache: Cache, base: string): Promise<Request[]> {
  const keys = await cache.keys();
  return keys.filter((request) => request.url.startsWith(base));
}

export function defaultCacheStorage(): CacheStorage {
  if (typeof caches === "undefined") throw new Error("This context has no Cache Storage (it needs a secure origin).");
  return caches;
}
