/**
 * An in-memory CacheStorage that behaves like the browser's where the model code depends on it:
 * keys are normalised request URLs, `put` reads the whole body before storing (so a body stream that
 * errors stores nothing), every `match` returns a fresh Response, and an optional quota makes `put`
 * throw a "QuotaExceededError" DOMException. Options the fake does not implement throw instead of
 * being silently ignored.
 */

interface StoredEntry {
  url: string;
  bytes: Uint8Array<ArrayBuffer>;
  status: number;
  statusText: string;
  headers: [string, string][];
}

function normalisedUrl(request: RequestInfo | URL): string {
  if (request instanceof Request) return request.url;
  return new Request(request).url;
}

function isGet(request: RequestInfo | URL): boolean {
  return !(request instanceof Request) || request.method === "GET";
}

function rejectUnsupported(options: CacheQueryOptions | undefined): void {
  if (options?.ignoreSearch || options?.ignoreMethod || options?.ignoreVary) {
    throw new Error("MemoryCache does not implement ignoreSearch, ignoreMethod or ignoreVary.");
  }
}

/** Runs `compute` and settles a promise with its result, turning a throw into a rejection like the real API. */
function settle<T>(compute: () => T): Promise<T> {
  return new Promise((resolve) => resolve(compute()));
}

export interface CacheOperation {
  cacheName: string;
  url: string;
}

export class MemoryCache implements Cache {
  private readonly entries = new Map<string, StoredEntry>();
  private readonly storage: MemoryCacheStorage;
  readonly name: string;

  constructor(storage: MemoryCacheStorage, name: string) {
    this.storage = storage;
    this.name = name;
  }

  get storedBytes(): number {
    let total = 0;
    for (const entry of this.entries.values()) total += entry.bytes.byteLength;
    return total;
  }

  match(request: RequestInfo | URL, options?: CacheQueryOptions): Promise<Response | undefined> {
    return settle(() => {
      rejectUnsupported(options);
      if (!isGet(request)) return undefined;
      const entry = this.entries.get(normalisedUrl(request));
      if (!entry) return undefined;
      return new Response(entry.bytes.slice(), {
        status: entry.status,
        statusText: entry.statusText,
        headers: entry.headers,
      });
    });
  }

  async matchAll(request?: RequestInfo | URL, options?: CacheQueryOptions): Promise<readonly Response[]> {
    if (request === undefined) {
      const all = await Promise.all([...this.entries.keys()].map((url) => this.match(url)));
      return all.filter((response): response is Response => response !== undefined);
    }
    const one = await this.match(request, options);
    return one ? [one] : [];
  }

  async put(request: RequestInfo | URL, response: Response): Promise<void> {
    if (!isGet(request)) throw new TypeError("Cache.put only stores GET requests.");
    const url = normalisedUrl(request);
    if (!/^https?:/.test(url)) throw new TypeError(`Cache.put needs an http(s) URL, not ${url}.`);
    if (response.status === 206) throw new TypeError("Cache.put refuses partial (206) responses.");
    if (response.bodyUsed) throw new TypeError("Cache.put was given a response whose body was already read.");
    // Like the browser: the whole body is read first; a body that errors rejects and stores nothing.
    const bytes = new Uint8Array(await response.arrayBuffer());
    const replaced = this.entries.get(url)?.bytes.byteLength ?? 0;
    this.storage.reserve(bytes.byteLength - replaced);
    this.entries.set(url, {
      url,
      bytes,
      status: response.status,
      statusText: response.statusText,
      headers: [...response.headers.entries()],
    });
    this.storage.writes.push({ cacheName: this.name, url });
  }

  async add(request: RequestInfo | URL): Promise<void> {
    const response = await this.storage.fetch(request);
    if (!response.ok) throw new TypeError(`Cache.add got HTTP ${response.status} for ${normalisedUrl(request)}.`);
    await this.put(request, response);
  }

  async addAll(requests: Iterable<RequestInfo>): Promise<void> {
    for (const request of requests) await this.add(request);
  }

  delete(request: RequestInfo | URL, options?: CacheQueryOptions): Promise<boolean> {
    return settle(() => {
      rejectUnsupported(options);
      if (!isGet(request)) return false;
      const url = normalisedUrl(request);
      const deleted = this.entries.delete(url);
      if (deleted) this.storage.deletions.push({ cacheName: this.name, url });
      return deleted;
    });
  }

  keys(request?: RequestInfo | URL, options?: CacheQueryOptions): Promise<readonly Request[]> {
    return settle(() => {
      rejectUnsupported(options);
      const urls = [...this.entries.keys()];
      const selected = request === undefined ? urls : urls.filter((url) => url === normalisedUrl(request));
      return selected.map((url) => new Request(url));
    });
  }

  /** Test helper: the stored URLs, in insertion order. */
  urls(): string[] {
    return [...this.entries.keys()];
  }
}

export interface MemoryCacheStorageOptions {
  /** Total bytes all caches may hold, like an origin's quota. */
  quotaBytes?: number;
  /** Used by `Cache.add`; the model code never calls it. */
  fetch?: typeof fetch;
}

export class MemoryCacheStorage implements CacheStorage {
  private readonly caches = new Map<string, MemoryCache>();
  private readonly quotaBytes: number;
  readonly fetch: typeof fetch;
  /** Every successful `put` and `delete`, in order, so tests can check what was written when. */
  readonly writes: CacheOperation[] = [];
  readonly deletions: CacheOperation[] = [];

  constructor(options: MemoryCacheStorageOptions = {}) {
    this.quotaBytes = options.quotaBytes ?? Infinity;
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  get usedBytes(): number {
    let total = 0;
    for (const cache of this.caches.values()) total += cache.storedBytes;
    return total;
  }

  /** Throws the browser's quota error when `extraBytes` more would not fit. */
  reserve(extraBytes: number): void {
    if (this.usedBytes + extraBytes > this.quotaBytes) {
      throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    }
  }

  open(cacheName: string): Promise<MemoryCache> {
    return settle(() => {
      let cache = this.caches.get(cacheName);
      if (!cache) {
        cache = new MemoryCache(this, cacheName);
        this.caches.set(cacheName, cache);
      }
      return cache;
    });
  }

  has(cacheName: string): Promise<boolean> {
    return settle(() => this.caches.has(cacheName));
  }

  delete(cacheName: string): Promise<boolean> {
    return settle(() => this.caches.delete(cacheName));
  }

  keys(): Promise<string[]> {
    return settle(() => [...this.caches.keys()]);
  }

  async match(request: RequestInfo | URL, options?: MultiCacheQueryOptions): Promise<Response | undefined> {
    if (options?.cacheName !== undefined) return await this.caches.get(options.cacheName)?.match(request, options);
    for (const cache of this.caches.values()) {
      const response = await cache.match(request, options);
      if (response) return response;
    }
    return undefined;
  }

  /** Test helper: the stored URLs of one cache (empty if it does not exist). */
  urls(cacheName: string): string[] {
    return this.caches.get(cacheName)?.urls() ?? [];
  }
}
