import { makeError, type TabclawError } from "../core/errors";
import type { CatalogRecord } from "../core/model-catalog";
import type { LocalModelRecord } from "../store/schema";
import { defaultCacheStorage } from "./cache-entries";
import { abortedError, isTabclawError, throwIfAborted } from "./download-errors";
import type { DownloadProgress } from "./download-progress";
import {
  CHAT_CONFIG_FILE,
  TENSOR_CACHE_FILE,
  parseChatConfig,
  parseTensorCache,
  planModelFiles,
  tokenizerFileFor,
  type ChatConfigFiles,
  type ModelFile,
  type TensorCacheManifest,
} from "./model-files";
import { deleteModel } from "./model-storage";
import { ProgressTracker } from "./progress-tracker";
import { putVerified } from "./verified-cache-put";

export interface LocalFile {
  /** Relative to the picked folder, e.g. "MyModel/params_shard_0.bin" (a `webkitRelativePath`). */
  path: string;
  file: Blob;
}

export interface ImportOptions {
  caches?: CacheStorage;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  now?: () => number;
  /** Names the model when the paths carry no folder (a directory handle's own name, for instance). */
  folderName?: string;
}

/**
 * Cache keys must be http(s) URLs. web-llm matches the cache before it fetches anything, so these
 * URLs are never requested; `.invalid` guarantees they could not resolve if they were.
 */
export const LOCAL_MODEL_ORIGIN = "https://local-models.tabclaw.invalid/";

/** How many missing shards an error lists by name before it summarises. */
const LISTED_SHARDS = 5;

function folderError(message: string): TabclawError {
  return makeError("LocalFolderError", message);
}

export function slugify(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    // web-llm fetches (and never caches) any model library whose URL contains "localhost".
    .replace(/localhost/g, "local-host")
    .replace(/-{2,}/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "");
  return slug === "" ? "model" : slug;
}

function normalisePath(path: string): string {
  return path.replace(/\\/g, "/").replace(/^(\.\/|\/)+/, "");
}

function directoryOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/") + 1);
}

/** The longest directory prefix ("a/b/") shared by every path. */
function commonDirectory(paths: readonly string[]): string {
  let common = directoryOf(paths[0] ?? "");
  for (const path of paths) {
    while (common !== "" && !path.startsWith(common)) common = directoryOf(common.slice(0, -1));
  }
  return common;
}

/** The model's own folder: where mlc-chat-config.json is, which tolerates any prefix above it. */
function findModelRoot(paths: readonly string[]): string {
  const configs = paths.filter((path) => path === CHAT_CONFIG_FILE || path.endsWith(`/${CHAT_CONFIG_FILE}`));
  if (configs.length > 1) {
    const folders = configs.map((path) => directoryOf(path) || "./").join(", ");
    throw folderError(`The folder holds several models (${folders}); pick the folder of one of them.`);
  }
  const config = configs[0];
  return config === undefined ? commonDirectory(paths) : directoryOf(config);
}

async function readJson(file: Blob, name: string): Promise<unknown> {
  try {
    return JSON.parse(await file.text());
  } catch {
    throw folderError(`${name} in the folder is not valid JSON.`);
  }
}

/** Rewords a malformed-file error: in a local folder it is the folder that is wrong. */
function asFolderError<T>(compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    if (isTabclawError(error)) throw folderError(error.message);
    throw error;
  }
}

async function parseFile<T>(file: Blob | undefined, name: string, parse: (json: unknown) => T): Promise<T | undefined> {
  if (!file) return undefined;
  const json = await readJson(file, name);
  return asFolderError(() => parse(json));
}

interface FolderContents {
  chatConfig: ChatConfigFiles;
  tensorCache: TensorCacheManifest;
  libraryName: string;
}

/** Checks that everything web-llm will read is present; the error lists every missing piece at once. */
async function inspectFolder(folderName: string, files: ReadonlyMap<string, Blob>): Promise<FolderContents> {
  const missing: string[] = [];
  const wrongSize: string[] = [];
  const chatConfig = await parseFile(files.get(CHAT_CONFIG_FILE), CHAT_CONFIG_FILE, parseChatConfig);
  const tensorCache = await parseFile(files.get(TENSOR_CACHE_FILE), TENSOR_CACHE_FILE, parseTensorCache);
  if (!chatConfig) missing.push(CHAT_CONFIG_FILE);
  else {
    const tokenizer = asFolderError(() => tokenizerFileFor(chatConfig));
    if (!files.has(tokenizer)) missing.push(tokenizer);
  }
  if (!tensorCache) missing.push(TENSOR_CACHE_FILE);
  else {
    const missingShards: string[] = [];
    for (const shard of tensorCache.records) {
      const file = files.get(shard.dataPath);
      if (!file) missingShards.push(shard.dataPath);
      else if (file.size !== shard.nbytes) {
        wrongSize.push(`${shard.dataPath} has ${file.size} bytes, ${TENSOR_CACHE_FILE} lists ${shard.nbytes}`);
      }
    }
    missing.push(...missingShards.slice(0, LISTED_SHARDS));
    if (missingShards.length > LISTED_SHARDS) {
      missing.push(`${missingShards.length - LISTED_SHARDS} more weight shards`);
    }
  }
  const libraries = [...files.keys()].filter((path) => path.toLowerCase().endsWith(".wasm"));
  if (libraries.length === 0) missing.push("the model library (a .wasm file)");
  if (libraries.length > 1) {
    throw folderError(`"${folderName}" holds ${libraries.length} model libraries (${libraries.join(", ")}); keep one.`);
  }
  const problems = [
    ...(missing.length > 0 ? [`missing ${missing.join(", ")}`] : []),
    ...(wrongSize.length > 0 ? [wrongSize.join("; ")] : []),
  ];
  const libraryName = libraries[0];
  if (problems.length > 0 || !chatConfig || !tensorCache || libraryName === undefined) {
    throw folderError(`"${folderName}" cannot be loaded: ${problems.join("; ")}.`);
  }
  return { chatConfig, tensorCache, libraryName };
}

function localRecord(folderName: string, contents: FolderContents): CatalogRecord {
  const slug = slugify(folderName);
  const base = new URL(`${slug}/resolve/main/`, LOCAL_MODEL_ORIGIN).href;
  const libraryFile = contents.libraryName.slice(contents.libraryName.lastIndexOf("/") + 1);
  // As for catalog models, any f16 quantisation needs shader-f16 even where nothing declares it.
  const f16 = /f16/i.test(contents.chatConfig.quantization ?? "") || /f16/i.test(folderName);
  return {
    model: base,
    model_id: `local-${slug}`,
    model_lib: new URL(encodeURIComponent(libraryFile), base).href,
    vram_required_MB: undefined,
    ...(f16 ? { required_features: ["shader-f16"] } : {}),
  };
}

async function storeLocalFile(
  storage: CacheStorage,
  file: ModelFile,
  source: Blob,
  tracker: ProgressTracker,
  modelId: string,
  signal: AbortSignal | undefined,
): Promise<number> {
  tracker.startFile(file.name, source.size);
  const expected = { name: file.name, bytes: source.size, ...(file.md5 === undefined ? {} : { md5: file.md5 }) };
  const stored = await putVerified(await storage.open(file.scope), file.url, source.stream(), expected, {
    onChunk: (bytes) => tracker.received(bytes, true),
    signal,
    describeSourceError: (error) =>
      signal?.aborted
        ? abortedError(modelId, "import")
        : folderError(`${file.name} could not be read (${error instanceof Error ? error.message : String(error)}).`),
  });
  tracker.finishFile();
  return stored;
}

/**
 * Adds a model from a folder the user picked: checks it holds everything web-llm reads, then stores
 * each file in web-llm's caches under a synthetic URL, exactly as a download would, tensor-cache.json
 * last. Importing the same folder name again replaces the earlier import.
 */
export async function importModelFolder(files: LocalFile[], options: ImportOptions = {}): Promise<LocalModelRecord> {
  const storage = options.caches ?? defaultCacheStorage();
  const now = options.now ?? Date.now;
  const normalised = files.map((entry) => ({ path: normalisePath(entry.path), file: entry.file }));
  const root = findModelRoot(normalised.map((entry) => entry.path));
  const byPath = new Map<string, Blob>();
  for (const entry of normalised) {
    if (entry.path.startsWith(root)) byPath.set(entry.path.slice(root.length), entry.file);
  }
  const folderName = root.split("/").filter(Boolean).pop() ?? options.folderName ?? "local-model";

  const contents = await inspectFolder(folderName, byPath);
  const record = localRecord(folderName, contents);
  throwIfAborted(options.signal, record.model_id, "import");
  const tracker = new ProgressTracker(record.model_id, now, options.onProgress);
  tracker.setPhase("preparing");
  const plan = planModelFiles(record, contents.chatConfig, contents.tensorCache);
  // Every file sits under its own name except the library, which may be called anything.
  const sourceOf = (file: ModelFile): Blob | undefined =>
    byPath.get(file.kind === "library" ? contents.libraryName : file.name);
  tracker.plan(
    plan.reduce((sum, file) => sum + (sourceOf(file)?.size ?? 0), 0),
    plan.length,
  );
  // Whatever an earlier import of this folder name left must not mix with the new files.
  await deleteModel(record, storage);

  tracker.setPhase("downloading");
  let totalBytes = 0;
  try {
    for (const file of plan) {
      throwIfAborted(options.signal, record.model_id, "import");
      if (file.kind === "config" || file.kind === "manifest") tracker.setPhase("finishing");
      const source = sourceOf(file);
      if (!source) throw folderError(`"${folderName}" has no ${file.name}.`);
      totalBytes += await storeLocalFile(storage, file, source, tracker, record.model_id, options.signal);
    }
  } catch (error) {
    // Unlike a download, an import has nothing to resume from: leave no unreachable files behind.
    await deleteModel(record, storage);
    throw error;
  }
  tracker.setPhase("done");
  return { ...record, addedAt: now(), folderName, totalBytes };
}
