import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join, resolve } from "node:path";
import { generatedMd5s, shardBody, type TensorCacheManifest, type TensorCacheShard } from "./generated-shards";
import { PROJECT_ROOT } from "./paths";
import { sendBody, sendNotFound } from "./static-dist";

/** The published SmolLM2-135M q0f16 files (config, tokenizer, tensor-cache.json), without weights. */
export const FIXTURE_DIR = resolve(PROJECT_ROOT, "..", "shared", "fixtures", "mlc-model-SmolLM2-135M-Instruct-q0f16");

/**
 * The fixture is served as its q0f32 sibling: SwiftShader has no shader-f16, so the app's catalog
 * hides every *f16* model there and only the q0f32 record can be picked. The bytes are the q0f16
 * files (mlc-chat-config.json still says "q0f16"; shard sizes are q0f16's); nothing that reads them
 * in the tests depends on the difference.
 */
export const FIXTURE_REPO = "mlc-ai/SmolLM2-135M-Instruct-q0f32-MLC";
export const FIXTURE_MODEL_ID = "SmolLM2-135M-Instruct-q0f32-MLC";

export const HUB_PREFIX = "/hub/";

/** The smallest valid wasm module: magic number and version. It compiles; it is no model library. */
export const TINY_WASM = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);

const FIXTURE_FILES = ["mlc-chat-config.json", "tokenizer.json", "tokenizer_config.json"];

/**
 * An embedding model as web-llm's catalog names it (snowflake-arctic-embed-s, q0f32), served with
 * made-up files: an mlc-chat-config.json with the fields web-llm's EmbeddingPipeline checks, the chat
 * fixture's tokenizer, and two generated weight shards. The scripted engine never reads the weights.
 */
export const EMBEDDING_REPO = "mlc-ai/snowflake-arctic-embed-s-q0f32-MLC";
export const EMBEDDING_MODEL_ID = "snowflake-arctic-embed-s-q0f32-MLC-b4";

const EMBEDDING_CONFIG = {
  model_type: "bert",
  quantization: "q0f32",
  context_window_size: 512,
  prefill_chunk_size: 512,
  sliding_window_size: -1,
  attention_sink_size: -1,
  tokenizer_files: ["tokenizer.json", "tokenizer_config.json"],
  version: "0.1.0",
};

const EMBEDDING_SHARD_BYTES = [3 * 2 ** 20, 2 ** 20 + 4096];

/** tensor-cache.json of the embedding model, before its md5sums are filled in. */
function embeddingManifest(): TensorCacheManifest {
  return {
    metadata: { ParamSize: EMBEDDING_SHARD_BYTES.length, BitsPerParam: 32 },
    records: EMBEDDING_SHARD_BYTES.map((nbytes, index) => ({
      dataPath: `params_shard_${index}.bin`,
      format: "raw-shard",
      nbytes,
      records: [
        { name: `param_${index}`, shape: [nbytes / 4], dtype: "float32", format: "raw", nbytes, byteOffset: 0 },
      ],
    })),
  };
}

/** What the hub serves for one repository. */
interface HubRepo {
  manifest: TensorCacheManifest;
  manifestBytes: Buffer;
  files: Map<string, Buffer>;
}

async function withMd5s(published: TensorCacheManifest, cacheDir: string): Promise<TensorCacheManifest> {
  const md5s = await generatedMd5s(JSON.stringify(published), cacheDir);
  return {
    ...published,
    records: published.records.map((shard) => ({ ...shard, md5sum: md5s.get(shard.dataPath) ?? "" })),
  };
}

function hubRepo(manifest: TensorCacheManifest, files: Map<string, Buffer>): HubRepo {
  return { manifest, manifestBytes: Buffer.from(JSON.stringify(manifest, null, 4)), files };
}

export interface HubOptions {
  /** `present`: any `<mirror>/model-libs/*.wasm` is {@link TINY_WASM}; `missing`: 404. */
  modelLibrary: "present" | "missing";
  /** Index into tensor-cache.json's records: that shard is served with one byte flipped. */
  corruptShard?: number;
  /** Shared by all shard responses, like one network link. */
  throttleBytesPerSecond?: number;
  /**
   * Cut the connection once this many shard bytes have been sent (counted from when the option
   * was set). Once tripped, every later shard request is cut before its headers, like a dead
   * network, until the option is changed.
   */
  failAfterBytes?: number;
  /** Repositories (org/name) serving the fixture. Default: {@link FIXTURE_REPO}. */
  repos: string[];
}

export const DEFAULT_HUB_OPTIONS: HubOptions = { modelLibrary: "present", repos: [FIXTURE_REPO] };

type Range = { start: number; end: number } | "unsatisfiable" | undefined;

/** `bytes=a-b`, `bytes=a-` or `bytes=-n`; a multi-range header is treated as absent, as HTTP allows. */
function parseRange(header: string | undefined, size: number): Range {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, from = "", to = ""] = match;
  if (from === "" && to === "") return undefined;
  if (from === "") {
    const suffix = Math.min(Number(to), size);
    return suffix === 0 ? "unsatisfiable" : { start: size - suffix, end: size };
  }
  const start = Number(from);
  const end = to === "" ? size : Math.min(Number(to) + 1, size);
  return start >= size || end <= start ? "unsatisfiable" : { start, end };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off("drain", done);
      response.off("close", done);
      resolve();
    };
    response.once("drain", done);
    response.once("close", done);
  });
}

/**
 * A model hub in the mirror layout the app uses: `/hub/<org>/<repo>/resolve/main/<file>` and
 * `/hub/model-libs/<file>.wasm`. Weight shards are generated; tensor-cache.json is served with each
 * md5sum replaced by the md5 of the generated shard, so integrity checks pass unless a test corrupts one.
 */
export class FakeHub {
  options: HubOptions;
  /** tensor-cache.json as served (md5sums of the generated shards). */
  readonly manifest: TensorCacheManifest;
  readonly #fixture: HubRepo;
  /** {@link EMBEDDING_REPO}, always served. */
  readonly #embedding: HubRepo;
  #faultBytes = 0;
  #tripped = false;
  #throttleClock = 0;

  private constructor(options: HubOptions, fixture: HubRepo, embedding: HubRepo) {
    this.options = options;
    this.manifest = fixture.manifest;
    this.#fixture = fixture;
    this.#embedding = embedding;
  }

  static async create(options: Partial<HubOptions>, cacheDir: string, fixtureDir = FIXTURE_DIR): Promise<FakeHub> {
    const manifestText = await readFile(join(fixtureDir, "tensor-cache.json"), "utf8");
    const md5s = await generatedMd5s(manifestText, cacheDir);
    const published = JSON.parse(manifestText) as TensorCacheManifest;
    const manifest: TensorCacheManifest = {
      ...published,
      records: published.records.map((shard) => ({ ...shard, md5sum: md5s.get(shard.dataPath) ?? "" })),
    };
    const files = new Map<string, Buffer>();
    for (const name of FIXTURE_FILES) files.set(name, await readFile(join(fixtureDir, name)));
    const embeddingFiles = new Map<string, Buffer>([
      ["mlc-chat-config.json", Buffer.from(JSON.stringify(EMBEDDING_CONFIG, null, 2))],
      ["tokenizer.json", files.get("tokenizer.json") ?? Buffer.alloc(0)],
      ["tokenizer_config.json", files.get("tokenizer_config.json") ?? Buffer.alloc(0)],
    ]);
    const embedding = hubRepo(await withMd5s(embeddingManifest(), cacheDir), embeddingFiles);
    return new FakeHub({ ...DEFAULT_HUB_OPTIONS, ...options }, hubRepo(manifest, files), embedding);
  }

  /** Changes options at run time; a new fault or throttle setting starts counting afresh. */
  set(options: Partial<HubOptions>): void {
    this.options = { ...this.options, ...options };
    if ("failAfterBytes" in options) {
      this.#faultBytes = 0;
      this.#tripped = false;
    }
    if ("throttleBytesPerSecond" in options) this.#throttleClock = 0;
  }

  shard(index: number): TensorCacheShard {
    const shard = this.manifest.records[index];
    if (!shard) throw new Error(`tensor-cache.json has no record ${index}`);
    return shard;
  }

  async handle(pathname: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const rest = pathname.slice(HUB_PREFIX.length);
    if (rest.startsWith("model-libs/")) {
      if (this.options.modelLibrary === "present" && rest.endsWith(".wasm")) {
        sendBody(request, response, 200, "application/wasm", TINY_WASM);
      } else {
        sendNotFound(request, response);
      }
      return;
    }
    const match = /^([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(rest);
    if (!match?.[1] || !match[2]) return sendNotFound(request, response);
    const repo =
      match[1] === EMBEDDING_REPO ? this.#embedding : this.options.repos.includes(match[1]) ? this.#fixture : undefined;
    if (!repo) return sendNotFound(request, response);
    const file = decodeURIComponent(match[2]);
    if (file === "tensor-cache.json") {
      return sendBody(request, response, 200, "application/json; charset=utf-8", repo.manifestBytes);
    }
    const fixture = repo.files.get(file);
    if (fixture) return sendBody(request, response, 200, "application/json; charset=utf-8", fixture);
    const index = repo.manifest.records.findIndex((shard) => shard.dataPath === file);
    const shard = repo.manifest.records[index];
    if (!shard) return sendNotFound(request, response);
    // Faults (corruptShard) are the chat fixture's; throttling and cut connections apply to every shard.
    await this.#sendShard(shard, repo === this.#fixture && this.options.corruptShard === index, request, response);
  }

  async #sendShard(
    shard: TensorCacheShard,
    corrupt: boolean,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    if (this.#tripped) {
      response.destroy();
      return;
    }
    const etag = `"${shard.md5sum ?? ""}${corrupt ? "-corrupt" : ""}"`;
    const common = { "accept-ranges": "bytes", etag, "cache-control": "no-cache" };
    if (request.headers["if-none-match"] === etag) {
      response.writeHead(304, common);
      response.end();
      return;
    }
    const range = parseRange(request.headers.range, shard.nbytes);
    if (range === "unsatisfiable") {
      response.writeHead(416, { ...common, "content-range": `bytes */${shard.nbytes}` });
      response.end();
      return;
    }
    const { start, end } = range ?? { start: 0, end: shard.nbytes };
    response.writeHead(range ? 206 : 200, {
      ...common,
      "content-type": "application/octet-stream",
      "content-length": String(end - start),
      ...(range ? { "content-range": `bytes ${start}-${end - 1}/${shard.nbytes}` } : {}),
    });
    if (request.method === "HEAD") {
      response.end();
      return;
    }
    for (const chunk of shardBody(shard, start, end, corrupt)) {
      for (let offset = 0; offset < chunk.length;) {
        if (response.destroyed) return;
        let slice = chunk.subarray(offset, offset + this.#sliceSize());
        const limit = this.options.failAfterBytes;
        if (limit !== undefined) {
          const allowed = limit - this.#faultBytes;
          if (allowed <= 0) {
            this.#tripped = true;
            response.destroy();
            return;
          }
          slice = slice.subarray(0, allowed);
        }
        await this.#pace(slice.length);
        this.#faultBytes += slice.length;
        if (!response.write(slice)) await drained(response);
        offset += slice.length;
      }
    }
    response.end();
  }

  /** Small writes when throttled, so progress moves smoothly; large ones otherwise. */
  #sliceSize(): number {
    const rate = this.options.throttleBytesPerSecond;
    return rate ? Math.max(1, Math.min(16 * 1024, Math.floor(rate / 20))) : 64 * 1024;
  }

  /** One clock for all shard responses: concurrent downloads share the throttled bandwidth. */
  async #pace(bytes: number): Promise<void> {
    const rate = this.options.throttleBytesPerSecond;
    if (!rate) return;
    const now = Date.now();
    this.#throttleClock = Math.max(this.#throttleClock, now) + (bytes / rate) * 1000;
    const wait = this.#throttleClock - now;
    if (wait > 0) await sleep(wait);
  }
}
