import type { AppConfig, InitProgressCallback, ModelRecord } from "@mlc-ai/web-llm";

/**
 * The file traffic of web-llm 0.2.86's `reload`, reproduced for the scripted engine so a test that
 * forgot to download a model sees the same requests (and the same failures) as with the real engine.
 * Order and cache use follow `MLCEngine.reloadInternal` and tvmjs `fetchTensorCache`:
 * mlc-chat-config.json ("webllm/config") → model library ("webllm/wasm", not cached for localhost
 * or relative URLs) → tokenizer.json ("webllm/model") → tensor-cache.json and every shard
 * ("webllm/model"), downloaded 4 at a time when any is missing, then read back one by one.
 * Nothing here checks md5sums: web-llm does not either.
 */
export interface ModelArtifacts {
  /** mlc-chat-config.json merged with the record's overrides, as web-llm does. */
  chatConfig(record: ModelRecord, signal: AbortSignal): Promise<ChatConfigSubset>;
  /** Fetches and compiles the model library (web-llm instantiates it; a test double can only compile). */
  modelLibrary(record: ModelRecord, signal: AbortSignal): Promise<void>;
  tokenizer(record: ModelRecord, config: ChatConfigSubset, signal: AbortSignal): Promise<void>;
  weights(record: ModelRecord, signal: AbortSignal, report: InitProgressCallback): Promise<void>;
}

/** The mlc-chat-config.json fields the scripted engine reads. */
export interface ChatConfigSubset {
  tokenizer_files?: string[];
  context_window_size?: number;
}

interface TensorCacheShard {
  dataPath: string;
  nbytes: number;
  records: { byteOffset: number; nbytes: number }[];
}

/** web-llm's `cleanModelUrl`: the base URL that files are resolved against. */
export function webLlmModelBaseUrl(model: string): string {
  let url = model.endsWith("/") ? model : `${model}/`;
  if (!/.+\/resolve\/.+\//.test(url)) url += "resolve/main/";
  return new URL(url).href;
}

function baseUrl(): string {
  return typeof document !== "undefined" ? document.URL : globalThis.location.origin;
}

/** tvmjs `ArtifactCache` for the "cache" backend: the URL is the key, `cache.add` fetches. */
class ArtifactCache {
  #cache: Promise<Cache> | undefined;
  constructor(private readonly scope: string) {}

  #open(): Promise<Cache> {
    this.#cache ??= caches.open(this.scope);
    return this.#cache;
  }

  async addToCache(url: string, signal?: AbortSignal): Promise<void> {
    const request = new Request(url, signal ? { signal } : undefined);
    const cache = await this.#open();
    if ((await cache.match(request)) === undefined) await cache.add(request);
  }

  async fetchWithCache(url: string, signal?: AbortSignal): Promise<Response> {
    await this.addToCache(url, signal);
    const result = await (await this.#open()).match(new Request(url));
    if (result === undefined) throw Error(`Cannot fetch ${url}`);
    return result;
  }

  async hasAllKeys(urls: string[]): Promise<boolean> {
    const keys = new Set((await (await this.#open()).keys()).map((request) => request.url));
    return urls.every((url) => keys.has(url));
  }
}

function requireCacheBackend(appConfig: AppConfig): void {
  const backend = appConfig.cacheBackend ?? "cache";
  // Only the default backend is reproduced; failing loudly beats a test double that silently differs.
  if (backend !== "cache") throw new Error(`ScriptedEngine reproduces only cacheBackend "cache", not "${backend}".`);
}

/** web-llm's file traffic through the Cache API, for the scripted engine in a browser worker. */
export class CacheApiArtifacts implements ModelArtifacts {
  constructor(private readonly appConfig: () => AppConfig) {}

  async chatConfig(record: ModelRecord, signal: AbortSignal): Promise<ChatConfigSubset> {
    requireCacheBackend(this.appConfig());
    const url = new URL("mlc-chat-config.json", this.#modelUrl(record)).href;
    const response = await new ArtifactCache("webllm/config").fetchWithCache(url, signal);
    const config = (await response.json()) as ChatConfigSubset;
    return { ...config, ...record.overrides };
  }

  async modelLibrary(record: ModelRecord, signal: AbortSignal): Promise<void> {
    const wasmUrl = record.model_lib;
    let bytes: ArrayBuffer;
    if (wasmUrl.includes("localhost")) {
      bytes = await (await fetch(wasmUrl)).arrayBuffer();
    } else if (!wasmUrl.startsWith("http")) {
      bytes = await (await fetch(new URL(wasmUrl, baseUrl()).href)).arrayBuffer();
    } else {
      bytes = await (await new ArtifactCache("webllm/wasm").fetchWithCache(wasmUrl, signal)).arrayBuffer();
    }
    await WebAssembly.compile(bytes);
  }

  async tokenizer(record: ModelRecord, config: ChatConfigSubset, signal: AbortSignal): Promise<void> {
    const files = config.tokenizer_files ?? [];
    const file = files.includes("tokenizer.json")
      ? "tokenizer.json"
      : files.includes("tokenizer.model")
        ? "tokenizer.model"
        : undefined;
    if (file === undefined) {
      const error = new Error(`Cannot handle tokenizer files ${files.join(",")}`);
      error.name = "UnsupportedTokenizerFilesError";
      throw error;
    }
    const url = new URL(file, this.#modelUrl(record)).href;
    await new ArtifactCache("webllm/model").fetchWithCache(url, signal);
  }

  async weights(record: ModelRecord, signal: AbortSignal, report: InitProgressCallback): Promise<void> {
    const base = this.#modelUrl(record);
    const cache = new ArtifactCache("webllm/model");
    const manifest = (await (await cache.fetchWithCache(new URL("tensor-cache.json", base).href, signal)).json()) as {
      records: TensorCacheShard[];
    };
    const shards = manifest.records;
    const urls = shards.map((shard) => new URL(shard.dataPath, base).href);
    const totalBytes = shards.reduce((sum, shard) => sum + shard.nbytes, 0);
    const started = performance.now();
    const elapsed = (): number => Math.ceil((performance.now() - started) / 1000);
    const percent = (bytes: number): number => Math.floor((bytes * 100) / totalBytes);
    report({ progress: 0, timeElapsed: 0, text: "Start to fetch params" });

    if (!(await cache.hasAllKeys(urls))) {
      let fetchedBytes = 0;
      let fetchedShards = 0;
      const download = async (start: number, end: number): Promise<void> => {
        for (let i = start; i < end; i++) {
          await cache.addToCache(urls[i] ?? "", signal);
          fetchedBytes += shards[i]?.nbytes ?? 0;
          report({
            progress: fetchedBytes / totalBytes,
            timeElapsed: elapsed(),
            text:
              `Fetching param cache[${++fetchedShards}/${shards.length}]: ${Math.ceil(fetchedBytes / 2 ** 20)}MB ` +
              `fetched. ${percent(fetchedBytes)}% completed, ${elapsed()} secs elapsed. It can take a while when ` +
              "we first visit this page to populate the cache. Later refreshes will become faster.",
          });
        }
      };
      const quarter = Math.floor(shards.length / 4);
      await Promise.all([
        download(0, quarter),
        download(quarter, 2 * quarter),
        download(2 * quarter, 3 * quarter),
        download(3 * quarter, shards.length),
      ]);
    }

    let loadedBytes = 0;
    for (const [i, shard] of shards.entries()) {
      const size = (await (await cache.fetchWithCache(urls[i] ?? "", signal)).blob()).size;
      for (const rec of shard.records) {
        const end = rec.byteOffset + rec.nbytes;
        // tvmjs getTensorCacheRecordBytes: the only size check web-llm makes on a shard.
        if (end > size)
          throw new Error(`Tensor-cache record range [${rec.byteOffset}, ${end}) exceeds shard size ${size}`);
      }
      loadedBytes += shard.nbytes;
      report({
        progress: loadedBytes / totalBytes,
        timeElapsed: elapsed(),
        text:
          `Loading model from cache[${i + 1}/${shards.length}]: ${Math.ceil(loadedBytes / 2 ** 20)}MB loaded. ` +
          `${percent(loadedBytes)}% completed, ${elapsed()} secs elapsed.`,
      });
    }
  }

  #modelUrl(record: ModelRecord): string {
    // As in web-llm, a relative `model` throws here (cleanModelUrl parses it as an absolute URL).
    return webLlmModelBaseUrl(record.model);
  }
}

/** For the scripted engine in Node, where there is no Cache API: no file traffic at all. */
export const NO_ARTIFACTS: ModelArtifacts = {
  chatConfig: (record) => Promise.resolve({ ...record.overrides }),
  modelLibrary: () => Promise.resolve(),
  tokenizer: () => Promise.resolve(),
  weights: (_record, _signal, report) => {
    report({ progress: 1, timeElapsed: 0, text: "No weights (Node)" });
    return Promise.resolve();
  },
};
