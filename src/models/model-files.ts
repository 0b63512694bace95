import { makeError } from "../core/errors";
import type { CatalogRecord } from "../core/model-catalog";
import { modelBaseUrl } from "../core/model-source";

/** The Cache API caches web-llm reads a model from (its `cacheBackend: "cache"`, the default). */
export type CacheScope = "webllm/config" | "webllm/wasm" | "webllm/model";

export const CACHE_SCOPES: readonly CacheScope[] = ["webllm/config", "webllm/wasm", "webllm/model"];

export const CHAT_CONFIG_FILE = "mlc-chat-config.json";
export const TENSOR_CACHE_FILE = "tensor-cache.json";

export interface ModelFile {
  /** The cache key: exactly the URL web-llm will `cache.match`. */
  url: string;
  scope: CacheScope;
  /** Short name for progress and error messages. */
  name: string;
  kind: "config" | "library" | "tokenizer" | "manifest" | "weights";
  /** Known before download for shards (and for files already held in memory). */
  bytes?: number;
  md5?: string;
}

export interface TensorCacheManifest {
  records: { dataPath: string; nbytes: number; md5sum?: string }[];
}

/** The fields of mlc-chat-config.json that decide which files web-llm reads. */
export interface ChatConfigFiles {
  tokenizer_files: string[];
  quantization?: string;
}

/**
 * web-llm 0.2.86 (`reloadInternal`) loads `model_manifest` into "webllm/config" when a record names
 * one (the Gemma-4 records do); CatalogRecord does not declare it, but records taken from web-llm carry it.
 */
export type DownloadableRecord = CatalogRecord & { model_manifest?: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function malformed(file: string, detail: string): Error {
  return makeError("DownloadIntegrityError", `${file} is malformed: ${detail}.`);
}

export function parseTensorCache(json: unknown): TensorCacheManifest {
  if (!isObject(json)) throw malformed(TENSOR_CACHE_FILE, "expected a JSON object");
  const records = json.records;
  if (!Array.isArray(records)) throw malformed(TENSOR_CACHE_FILE, "`records` is not a list");
  const seen = new Set<string>();
  return {
    records: records.map((entry: unknown, index) => {
      const where = `records[${index}]`;
      if (!isObject(entry)) throw malformed(TENSOR_CACHE_FILE, `${where} is not an object`);
      const { dataPath, nbytes, md5sum } = entry;
      if (typeof dataPath !== "string" || dataPath === "") {
        throw malformed(TENSOR_CACHE_FILE, `${where}.dataPath is not a file name`);
      }
      if (seen.has(dataPath)) throw malformed(TENSOR_CACHE_FILE, `${dataPath} is listed twice`);
      seen.add(dataPath);
      if (typeof nbytes !== "number" || !Number.isSafeInteger(nbytes) || nbytes < 0) {
        throw malformed(TENSOR_CACHE_FILE, `${where}.nbytes is not a byte count`);
      }
      if (md5sum === undefined) return { dataPath, nbytes };
      if (typeof md5sum !== "string" || !/^[0-9a-f]{32}$/i.test(md5sum)) {
        throw malformed(TENSOR_CACHE_FILE, `${where}.md5sum is not an MD5 digest`);
      }
      return { dataPath, nbytes, md5sum: md5sum.toLowerCase() };
    }),
  };
}

export function parseChatConfig(json: unknown): ChatConfigFiles {
  if (!isObject(json)) throw malformed(CHAT_CONFIG_FILE, "expected a JSON object");
  const files = json.tokenizer_files;
  if (!Array.isArray(files) || !files.every((file): file is string => typeof file === "string")) {
    throw malformed(CHAT_CONFIG_FILE, "`tokenizer_files` is not a list of file names");
  }
  const quantization = typeof json.quantization === "string" ? json.quantization : undefined;
  return quantization === undefined ? { tokenizer_files: files } : { tokenizer_files: files, quantization };
}

/** The one tokenizer file web-llm's `asyncLoadTokenizer` reads; the others in the list are never fetched. */
export function tokenizerFileFor(chatConfig: { tokenizer_files: string[] }): string {
  if (chatConfig.tokenizer_files.includes("tokenizer.json")) return "tokenizer.json";
  if (chatConfig.tokenizer_files.includes("tokenizer.model")) return "tokenizer.model";
  throw malformed(CHAT_CONFIG_FILE, "`tokenizer_files` names neither tokenizer.json nor tokenizer.model");
}

/** web-llm fetches a localhost or relative model library itself on every load and never caches it. */
export function isLibraryCachedByWebLLM(modelLib: string): boolean {
  return modelLib.startsWith("http") && !modelLib.includes("localhost");
}

export function fileName(url: string): string {
  const path = new URL(url).pathname;
  return decodeURIComponent(path.slice(path.lastIndexOf("/") + 1));
}

/** Every file web-llm will read for this model, in download order, tensor-cache.json last. */
export function planModelFiles(
  record: DownloadableRecord,
  chatConfig: { tokenizer_files: string[] },
  tensorCache: TensorCacheManifest,
): ModelFile[] {
  const base = modelBaseUrl(record.model);
  const under = (path: string, listedIn = TENSOR_CACHE_FILE): string => {
    const url = new URL(path, base).href;
    // A manifest must not point web-llm (or our delete) at files outside the model's own folder.
    if (!url.startsWith(base)) throw malformed(listedIn, `${path} lies outside the model folder`);
    return url;
  };
  const files: ModelFile[] = [];
  if (isLibraryCachedByWebLLM(record.model_lib)) {
    const url = new URL(record.model_lib).href;
    files.push({ url, scope: "webllm/wasm", name: fileName(url), kind: "library" });
  }
  const tokenizer = tokenizerFileFor(chatConfig);
  files.push({ url: under(tokenizer), scope: "webllm/model", name: tokenizer, kind: "tokenizer" });
  for (const shard of tensorCache.records) {
    const file: ModelFile = {
      url: under(shard.dataPath),
      scope: "webllm/model",
      name: shard.dataPath,
      kind: "weights",
      bytes: shard.nbytes,
    };
    if (shard.md5sum !== undefined) file.md5 = shard.md5sum;
    files.push(file);
  }
  files.push({ url: under(CHAT_CONFIG_FILE), scope: "webllm/config", name: CHAT_CONFIG_FILE, kind: "config" });
  if (record.model_manifest !== undefined) {
    const url = under(record.model_manifest, `the record of ${record.model_id}`);
    files.push({ url, scope: "webllm/config", name: record.model_manifest, kind: "config" });
  }
  files.push({ url: under(TENSOR_CACHE_FILE), scope: "webllm/model", name: TENSOR_CACHE_FILE, kind: "manifest" });
  return files;
}
