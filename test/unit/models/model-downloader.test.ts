import { describe, expect, it } from "vitest";
import type { DownloadProgress } from "../../../src/models/download-progress";
import { downloadModel } from "../../../src/models/model-downloader";
import { getModelStorage } from "../../../src/models/model-storage";
import { MemoryCacheStorage } from "../../fakes/memory-cache-storage";
import { buildSmallModel, hostFor, md5Hex, shardBytes, sumOfSizes, type SmallModel } from "./small-model";
import { webLlmHasModel } from "./webllm-view";

function ticking(stepMs = 7): () => number {
  let time = 0;
  return () => (time += stepMs);
}

function setup(model: SmallModel = buildSmallModel()) {
  const host = hostFor(model);
  const storage = new MemoryCacheStorage();
  const events: DownloadProgress[] = [];
  const run = (options: { signal?: AbortSignal } = {}) =>
    downloadModel(model.record, {
      ...options,
      fetch: host.fetch,
      caches: storage,
      now: ticking(),
      onProgress: (progress) => events.push(progress),
    });
  return { model, host, storage, events, run };
}

const sorted = (values: string[]): string[] => [...values].sort();
const url = (model: SmallModel, file: string): string => new URL(file, model.base).href;

async function storedBytes(storage: MemoryCacheStorage, cacheName: string, key: string): Promise<Uint8Array> {
  const response = await (await storage.open(cacheName)).match(key);
  if (!response) throw new Error(`${key} is not stored`);
  return new Uint8Array(await response.arrayBuffer());
}

describe("downloadModel", () => {
  it("stores exactly the keys web-llm reads, per cache, with the served bytes", async () => {
    const { model, host, storage, run } = setup();
    const result = await run();

    expect(storage.urls("webllm/config")).toEqual([url(model, "mlc-chat-config.json")]);
    expect(storage.urls("webllm/wasm")).toEqual([model.record.model_lib]);
    expect(sorted(storage.urls("webllm/model"))).toEqual(
      sorted([url(model, "tokenizer.json"), url(model, "tensor-cache.json"), ...model.shards.map((s) => s.url)]),
    );
    for (const shard of model.shards) {
      expect(await storedBytes(storage, "webllm/model", shard.url)).toEqual(shard.bytes);
    }
    // Compared by digest: a deep equality over 2 MB of tokenizer is needlessly slow.
    expect(md5Hex(await storedBytes(storage, "webllm/model", url(model, "tokenizer.json")))).toBe(
      md5Hex(model.tokenizer),
    );
    expect(await storedBytes(storage, "webllm/wasm", model.record.model_lib)).toEqual(model.library);
    // The tokenizer files web-llm never reads are not fetched.
    expect(host.requestCount(url(model, "vocab.json"))).toBe(0);
    expect(host.requestCount(url(model, "tokenizer_config.json"))).toBe(0);
    expect(result).toEqual({ modelId: model.record.model_id, complete: true, bytes: sumOfSizes(model), files: 12 });
    expect(await webLlmHasModel(storage, model.record)).toBe(true);
  });

  it("fetches the library before the tokenizer and any shard, and stores tensor-cache.json last", async () => {
    const { model, host, storage, run } = setup();
    await run();
    expect(host.requests).toEqual([
      url(model, "mlc-chat-config.json"),
      url(model, "tensor-cache.json"),
      model.record.model_lib,
      url(model, "tokenizer.json"),
      ...model.shards.map((shard) => shard.url),
    ]);
    expect(storage.writes.map((write) => write.url)).toEqual([
      model.record.model_lib,
      url(model, "tokenizer.json"),
      ...model.shards.map((shard) => shard.url),
      url(model, "mlc-chat-config.json"),
      url(model, "tensor-cache.json"),
    ]);
  });

  it("reports monotonic progress that ends with bytesTotal equal to the sum of all files", async () => {
    const { model, events, run } = setup();
    await run();
    const total = sumOfSizes(model);
    for (let i = 1; i < events.length; i++) {
      const [before, after] = [events[i - 1], events[i]];
      expect(after?.bytesDone).toBeGreaterThanOrEqual(before?.bytesDone ?? 0);
      expect(after?.filesDone).toBeGreaterThanOrEqual(before?.filesDone ?? 0);
    }
    for (const event of events) expect(event.bytesDone).toBeLessThanOrEqual(event.bytesTotal);
    const phases = events.map((event) => event.phase).filter((phase, i, all) => phase !== all[i - 1]);
    expect(phases).toEqual(["preparing", "downloading", "finishing", "done"]);
    expect(events.at(-1)).toMatchObject({ bytesDone: total, bytesTotal: total, filesDone: 12, filesTotal: 12 });
    const downloading = events.filter((event) => event.phase === "downloading");
    expect(downloading.some((event) => event.bytesPerSecond > 0 && event.secondsLeft !== undefined)).toBe(true);
    expect(downloading.some((event) => event.currentFile === model.shards[3]?.name)).toBe(true);
  });

  it("ends at the true total when the library is served without a content-length", async () => {
    const { model, host, events, run } = setup();
    host.serve(model.record.model_lib, model.library, { omitLength: true });
    await run();
    const total = sumOfSizes(model);
    expect(events.at(-1)).toMatchObject({ bytesDone: total, bytesTotal: total });
    for (const event of events) expect(event.bytesDone).toBeLessThanOrEqual(event.bytesTotal);
  });

  it("leaves no tensor-cache.json and no partial file when cancelled, then resumes without refetching", async () => {
    const { model, host, storage, events, run } = setup();
    const controller = new AbortController();
    const interrupted = model.shards[3];
    if (!interrupted) throw new Error("fixture has fewer than 4 shards");
    host.beforeChunk = (requested, sent) => {
      if (requested === interrupted.url && sent > 0) controller.abort();
    };
    await expect(run({ signal: controller.signal })).rejects.toMatchObject({ name: "DownloadAbortedError" });

    const stored = storage.urls("webllm/model");
    expect(stored).not.toContain(url(model, "tensor-cache.json"));
    expect(stored).not.toContain(interrupted.url);
    expect(storage.urls("webllm/config")).toEqual([]);
    for (const shard of model.shards.slice(0, 3)) {
      expect(await storedBytes(storage, "webllm/model", shard.url)).toEqual(shard.bytes);
    }
    expect(await webLlmHasModel(storage, model.record)).toBe(false);
    expect((await getModelStorage(model.record, storage)).complete).toBe(false);

    host.beforeChunk = undefined;
    events.length = 0;
    const result = await run();
    expect(result.complete).toBe(true);
    expect(host.requestCount(model.record.model_lib)).toBe(1);
    expect(host.requestCount(url(model, "tokenizer.json"))).toBe(1);
    for (const shard of model.shards.slice(0, 3)) expect(host.requestCount(shard.url)).toBe(1);
    expect(host.requestCount(interrupted.url)).toBe(2);
    for (const shard of model.shards.slice(4)) expect(host.requestCount(shard.url)).toBe(1);
    // The resumed run starts part-way and still ends at the full total.
    const firstDownloading = events.find((event) => event.phase === "downloading");
    expect(firstDownloading?.filesDone).toBe(5);
    expect(events.at(-1)).toMatchObject({ bytesDone: sumOfSizes(model), bytesTotal: sumOfSizes(model) });
    expect(await webLlmHasModel(storage, model.record)).toBe(true);
  });

  it("makes no request at all for a model that is already complete", async () => {
    const { host, run } = setup();
    await run();
    const before = host.requests.length;
    const again = await run();
    expect(again.complete).toBe(true);
    expect(host.requests.length).toBe(before);
  });

  it("does not start when the signal is already aborted", async () => {
    const { host, storage, run } = setup();
    await expect(run({ signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "DownloadAbortedError" });
    expect(host.requests).toEqual([]);
    expect(storage.writes).toEqual([]);
  });

  it("reuses shards web-llm itself left from a failed load (issue #289), and refetches one of the wrong size", async () => {
    const { model, host, storage, run } = setup();
    const cache = await storage.open("webllm/model");
    const [first, second] = model.shards;
    if (!first || !second) throw new Error("fixture has fewer than 2 shards");
    // As `cache.add` stores them: the host's response, content-length and all, no header of ours.
    await cache.put(first.url, await host.fetch(first.url));
    await cache.put(second.url, new Response(shardBytes(1, 10), { headers: { "content-length": "10" } }));
    const requestsBefore = host.requests.length;
    const result = await run();
    expect(result.complete).toBe(true);
    expect(host.requestCount(first.url)).toBe(1); // only the one made to seed the cache
    expect(host.requests.length - requestsBefore).toBe(2 + 2 + model.shards.length - 1);
    expect(await storedBytes(storage, "webllm/model", second.url)).toEqual(second.bytes);
  });

  it("throws ModelLibraryMissingError before fetching any shard when the library is not found", async () => {
    const { model, host, storage, run } = setup();
    host.serve(model.record.model_lib, new Uint8Array(), { status: 404 });
    const failure = run();
    await expect(failure).rejects.toMatchObject({ name: "ModelLibraryMissingError" });
    await expect(failure).rejects.toThrow(/SmolLM2-135M-Instruct-q0f16_cs1k-webgpu\.wasm/);
    for (const shard of model.shards) expect(host.requestCount(shard.url)).toBe(0);
    expect(host.requestCount(url(model, "tokenizer.json"))).toBe(0);
    expect(storage.writes).toEqual([]);
  });

  it.each([
    ["the same length but other bytes", (bytes: Uint8Array) => bytes.map((byte) => byte ^ 0xff)],
    ["fewer bytes", (bytes: Uint8Array) => bytes.slice(0, bytes.byteLength - 1)],
    ["more bytes", (bytes: Uint8Array) => new Uint8Array([...bytes, 0, 0, 0])],
  ])("rejects a shard with %s (DownloadIntegrityError) and does not store it", async (_case, corrupt) => {
    const { model, host, storage, run } = setup();
    const damaged = model.shards[2];
    if (!damaged) throw new Error("fixture has fewer than 3 shards");
    host.serve(damaged.url, corrupt(damaged.bytes));
    const failure = run();
    await expect(failure).rejects.toMatchObject({ name: "DownloadIntegrityError" });
    await expect(failure).rejects.toThrow(damaged.name);
    const stored = storage.urls("webllm/model");
    expect(stored).not.toContain(damaged.url);
    expect(stored).not.toContain(url(model, "tensor-cache.json"));
    expect(stored).toContain(model.shards[1]?.url);
  });

  it("still checks lengths when the manifest has no md5sums", async () => {
    const { model, host, storage, run } = setup(buildSmallModel({ withMd5: false }));
    const damaged = model.shards[0];
    if (!damaged) throw new Error("fixture has no shards");
    host.serve(damaged.url, damaged.bytes.slice(1));
    await expect(run()).rejects.toMatchObject({ name: "DownloadIntegrityError" });
    expect(storage.urls("webllm/model")).not.toContain(damaged.url);
  });

  it("turns a full quota into StorageFullError and stores no tensor-cache.json", async () => {
    const model = buildSmallModel();
    const host = hostFor(model);
    const fitting = model.library.byteLength + model.tokenizer.byteLength + (model.shards[0]?.bytes.byteLength ?? 0);
    const storage = new MemoryCacheStorage({ quotaBytes: fitting + 10 });
    const failure = downloadModel(model.record, { fetch: host.fetch, caches: storage });
    await expect(failure).rejects.toMatchObject({ name: "StorageFullError" });
    await expect(failure).rejects.toThrow(model.shards[1]?.name ?? "?");
    expect(storage.urls("webllm/model")).not.toContain(url(model, "tensor-cache.json"));
    expect(storage.urls("webllm/model")).not.toContain(model.shards[1]?.url);
  });

  it("names the file and the status on an HTTP error", async () => {
    const { model, host, storage, run } = setup();
    const failing = model.shards[4];
    if (!failing) throw new Error("fixture has fewer than 5 shards");
    host.serve(failing.url, new Uint8Array(), { status: 500 });
    const failure = run();
    await expect(failure).rejects.toMatchObject({ name: "DownloadHttpError" });
    await expect(failure).rejects.toThrow(/params_shard_4\.bin.*500/);
    expect(storage.urls("webllm/model")).not.toContain(url(model, "tensor-cache.json"));
  });

  it("reports a server error on the library as an HTTP error, not as a missing library", async () => {
    const { model, host, run } = setup();
    host.serve(model.record.model_lib, new Uint8Array(), { status: 503 });
    await expect(run()).rejects.toMatchObject({ name: "DownloadHttpError" });
  });

  it("reports a model whose manifest is not found as an HTTP error naming tensor-cache.json", async () => {
    const { model, host, run } = setup();
    host.serve(url(model, "tensor-cache.json"), new Uint8Array(), { status: 404 });
    await expect(run()).rejects.toThrow(/tensor-cache\.json.*404/);
  });

  it("turns a failed connection into NetworkError", async () => {
    const { host, storage, run } = setup();
    host.offline = true;
    await expect(run()).rejects.toMatchObject({ name: "NetworkError" });
    expect(storage.writes).toEqual([]);
  });

  it("turns a connection dropped mid-shard into NetworkError without storing the partial shard", async () => {
    const { model, host, storage, run } = setup();
    const dropped = model.shards[5];
    if (!dropped) throw new Error("fixture has fewer than 6 shards");
    host.serve(dropped.url, dropped.bytes, { dropAfterBytes: 300 });
    await expect(run()).rejects.toMatchObject({ name: "NetworkError" });
    expect(storage.urls("webllm/model")).not.toContain(dropped.url);
    expect(storage.urls("webllm/model")).toContain(model.shards[4]?.url);
  });

  it("rejects a manifest that is not JSON as DownloadIntegrityError", async () => {
    const { model, host, run } = setup();
    host.serve(url(model, "tensor-cache.json"), new TextEncoder().encode("<html>rate limited</html>"));
    await expect(run()).rejects.toMatchObject({ name: "DownloadIntegrityError" });
  });

  it("skips a localhost model library, which web-llm fetches itself and never caches", async () => {
    const model = buildSmallModel({
      record: { ...buildSmallModel().record, model_lib: "http://localhost:5173/libs/model.wasm" },
    });
    const { host, storage, run } = setup(model);
    const result = await run();
    expect(host.requestCount("http://localhost:5173/libs/model.wasm")).toBe(0);
    expect(storage.urls("webllm/wasm")).toEqual([]);
    expect(result.complete).toBe(true);
  });
});
