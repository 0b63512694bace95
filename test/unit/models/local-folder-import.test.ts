import { describe, expect, it } from "vitest";
import type { DownloadProgress } from "../../../src/models/download-progress";
import { importModelFolder, slugify, type LocalFile } from "../../../src/models/local-folder-import";
import { getModelStorage } from "../../../src/models/model-storage";
import { MemoryCacheStorage } from "../../fakes/memory-cache-storage";
import { buildSmallModel, md5Hex, type SmallModel } from "./small-model";
import { webLlmHasModel } from "./webllm-view";

const FOLDER = "SmolLM2-135M-Instruct-q0f16-MLC";
const BASE = "https://local-models.tabclaw.invalid/smollm2-135m-instruct-q0f16-mlc/resolve/main/";

/** The folder as a directory picker would hand it over, plus files web-llm does not read. */
function folderFiles(model: SmallModel, prefix = `${FOLDER}/`): LocalFile[] {
  const file = (name: string, bytes: Uint8Array | string): LocalFile => ({
    path: `${prefix}${name}`,
    file: new Blob([typeof bytes === "string" ? bytes : new Uint8Array(bytes)]),
  });
  return [
    file("mlc-chat-config.json", model.chatConfig),
    file("tensor-cache.json", model.tensorCache),
    file("tokenizer.json", model.tokenizer),
    file("tokenizer_config.json", "{}"),
    file("README.md", "# SmolLM2"),
    file("SmolLM2-135M-Instruct-q0f16-webgpu.wasm", model.library),
    ...model.shards.map((shard) => file(shard.name, shard.bytes)),
  ];
}

function without(files: LocalFile[], ...names: string[]): LocalFile[] {
  return files.filter((entry) => !names.some((name) => entry.path.endsWith(`/${name}`)));
}

describe("importModelFolder", () => {
  it("stores what web-llm reads under a synthetic record, and web-llm sees the model as cached", async () => {
    const storage = new MemoryCacheStorage();
    const model = buildSmallModel();
    const events: DownloadProgress[] = [];
    const record = await importModelFolder(folderFiles(model), {
      caches: storage,
      now: () => 1_700_000_000_000,
      onProgress: (progress) => events.push(progress),
    });

    const storedTotal =
      model.chatConfig.byteLength +
      model.tensorCache.byteLength +
      model.tokenizer.byteLength +
      model.library.byteLength +
      model.shards.reduce((sum, shard) => sum + shard.bytes.byteLength, 0);
    expect(record).toEqual({
      model: BASE,
      model_id: "local-smollm2-135m-instruct-q0f16-mlc",
      model_lib: `${BASE}SmolLM2-135M-Instruct-q0f16-webgpu.wasm`,
      vram_required_MB: undefined,
      required_features: ["shader-f16"],
      addedAt: 1_700_000_000_000,
      folderName: FOLDER,
      totalBytes: storedTotal,
    });
    expect(storage.urls("webllm/config")).toEqual([`${BASE}mlc-chat-config.json`]);
    expect(storage.urls("webllm/wasm")).toEqual([record.model_lib]);
    expect([...storage.urls("webllm/model")].sort()).toEqual(
      [`${BASE}tokenizer.json`, `${BASE}tensor-cache.json`, ...model.shards.map((s) => `${BASE}${s.name}`)].sort(),
    );
    expect(storage.writes.at(-1)?.url).toBe(`${BASE}tensor-cache.json`);
    const tokenizer = await (await storage.open("webllm/model")).match(`${BASE}tokenizer.json`);
    expect(md5Hex(new Uint8Array((await tokenizer?.arrayBuffer()) ?? new ArrayBuffer(0)))).toBe(
      md5Hex(model.tokenizer),
    );
    expect(await getModelStorage(record, storage)).toMatchObject({ complete: true, bytes: storedTotal, files: 12 });
    expect(await webLlmHasModel(storage, record)).toBe(true);
    expect(events.at(-1)).toMatchObject({ phase: "done", bytesDone: storedTotal, bytesTotal: storedTotal });
  });

  it("finds the model below extra folder levels, or takes its name from the options without any", async () => {
    const model = buildSmallModel();
    const nested = await importModelFolder(folderFiles(model, `Downloads/models/${FOLDER}/`), {
      caches: new MemoryCacheStorage(),
    });
    expect(nested).toMatchObject({ model: BASE, folderName: FOLDER });
    const bare = await importModelFolder(folderFiles(model, ""), {
      caches: new MemoryCacheStorage(),
      folderName: "My Model q4f32_1",
    });
    expect(bare).toMatchObject({ model_id: "local-my-model-q4f32_1", folderName: "My Model q4f32_1" });
  });

  it("declares shader-f16 only for f16 models", async () => {
    const model = buildSmallModel();
    const config = JSON.parse(new TextDecoder().decode(model.chatConfig)) as Record<string, unknown>;
    const f32 = {
      ...model,
      chatConfig: new TextEncoder().encode(JSON.stringify({ ...config, quantization: "q4f32_1" })),
    };
    const record = await importModelFolder(folderFiles(f32, "Qwen2.5-0.5B-Instruct-q4f32_1-MLC/"), {
      caches: new MemoryCacheStorage(),
    });
    expect(record.required_features).toBeUndefined();
  });

  it.each([
    ["mlc-chat-config.json", /missing mlc-chat-config\.json/],
    ["tensor-cache.json", /missing tensor-cache\.json/],
    ["tokenizer.json", /missing tokenizer\.json/],
    ["params_shard_5.bin", /missing params_shard_5\.bin/],
    ["SmolLM2-135M-Instruct-q0f16-webgpu.wasm", /missing the model library \(a \.wasm file\)/],
  ])("refuses a folder without %s, naming it, and stores nothing", async (name, message) => {
    const storage = new MemoryCacheStorage();
    const failure = importModelFolder(without(folderFiles(buildSmallModel()), name), { caches: storage });
    await expect(failure).rejects.toMatchObject({ name: "LocalFolderError" });
    await expect(failure).rejects.toThrow(message);
    expect(storage.writes).toEqual([]);
  });

  it("names every missing piece at once", async () => {
    const files = without(folderFiles(buildSmallModel()), "tokenizer.json", "params_shard_0.bin", "params_shard_7.bin");
    await expect(importModelFolder(files, { caches: new MemoryCacheStorage() })).rejects.toThrow(
      /missing tokenizer\.json, params_shard_0\.bin, params_shard_7\.bin/,
    );
  });

  it("asks for tokenizer.model when that is the tokenizer web-llm will read", async () => {
    const model = buildSmallModel();
    const config = JSON.parse(new TextDecoder().decode(model.chatConfig)) as Record<string, unknown>;
    const sentencePiece = {
      ...model,
      chatConfig: new TextEncoder().encode(JSON.stringify({ ...config, tokenizer_files: ["tokenizer.model"] })),
    };
    await expect(importModelFolder(folderFiles(sentencePiece), { caches: new MemoryCacheStorage() })).rejects.toThrow(
      /missing tokenizer\.model/,
    );
  });

  it("reports a malformed config or manifest in the folder as a folder problem", async () => {
    const model = buildSmallModel();
    const config = JSON.parse(new TextDecoder().decode(model.chatConfig)) as Record<string, unknown>;
    const noTokenizer = {
      ...model,
      chatConfig: new TextEncoder().encode(JSON.stringify({ ...config, tokenizer_files: ["vocab.json"] })),
    };
    const badManifest = { ...model, tensorCache: new TextEncoder().encode('{"records": "none"}') };
    for (const [broken, message] of [
      [noTokenizer, /names neither tokenizer\.json nor tokenizer\.model/],
      [badManifest, /tensor-cache\.json is malformed/],
    ] as const) {
      const failure = importModelFolder(folderFiles(broken), { caches: new MemoryCacheStorage() });
      await expect(failure).rejects.toMatchObject({ name: "LocalFolderError" });
      await expect(failure).rejects.toThrow(message);
    }
  });

  it("refuses a shard of the wrong size, saying which and by how much", async () => {
    const model = buildSmallModel();
    const files = folderFiles(model).map((entry) =>
      entry.path.endsWith("/params_shard_2.bin") ? { ...entry, file: new Blob([new Uint8Array(5)]) } : entry,
    );
    await expect(importModelFolder(files, { caches: new MemoryCacheStorage() })).rejects.toThrow(
      `params_shard_2.bin has 5 bytes, tensor-cache.json lists ${model.shards[2]?.bytes.byteLength}`,
    );
  });

  it("refuses a folder with two model libraries, or with two models", async () => {
    const model = buildSmallModel();
    const twoLibraries = [...folderFiles(model), { path: `${FOLDER}/other.wasm`, file: new Blob([model.library]) }];
    await expect(importModelFolder(twoLibraries, { caches: new MemoryCacheStorage() })).rejects.toThrow(
      /2 model libraries/,
    );
    const twoModels = [...folderFiles(model, "models/a/"), ...folderFiles(model, "models/b/")];
    await expect(importModelFolder(twoModels, { caches: new MemoryCacheStorage() })).rejects.toThrow(
      /several models \(models\/a\/, models\/b\/\)/,
    );
  });

  it("rejects a damaged shard and leaves nothing of the import behind", async () => {
    const storage = new MemoryCacheStorage();
    const model = buildSmallModel();
    const files = folderFiles(model).map((entry) =>
      entry.path.endsWith("/params_shard_4.bin")
        ? { ...entry, file: new Blob([(model.shards[4]?.bytes ?? new Uint8Array()).map((byte) => byte ^ 1)]) }
        : entry,
    );
    const failure = importModelFolder(files, { caches: storage });
    await expect(failure).rejects.toMatchObject({ name: "DownloadIntegrityError" });
    await expect(failure).rejects.toThrow(/params_shard_4\.bin/);
    expect([...storage.urls("webllm/config"), ...storage.urls("webllm/wasm"), ...storage.urls("webllm/model")]).toEqual(
      [],
    );
  });

  it("can be cancelled, leaving nothing behind", async () => {
    const storage = new MemoryCacheStorage();
    const controller = new AbortController();
    const failure = importModelFolder(folderFiles(buildSmallModel()), {
      caches: storage,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.currentFile === "params_shard_3.bin") controller.abort();
      },
    });
    await expect(failure).rejects.toMatchObject({ name: "DownloadAbortedError" });
    expect(storage.urls("webllm/model")).toEqual([]);
    expect(storage.urls("webllm/wasm")).toEqual([]);
  });

  it("replaces an earlier import of the same folder name, dropping files the new one lacks", async () => {
    const storage = new MemoryCacheStorage();
    await importModelFolder(folderFiles(buildSmallModel()), { caches: storage });
    const smaller = buildSmallModel({ shardSize: () => 64 });
    const manifest = JSON.parse(new TextDecoder().decode(smaller.tensorCache)) as { records: unknown[] };
    manifest.records = manifest.records.slice(0, 2);
    const twoShards = {
      ...smaller,
      tensorCache: new TextEncoder().encode(JSON.stringify(manifest)),
      shards: smaller.shards.slice(0, 2),
    };
    const record = await importModelFolder(folderFiles(twoShards), { caches: storage });
    expect(await getModelStorage(record, storage)).toMatchObject({ complete: true, files: 6 });
  });
});

describe("slugify", () => {
  it("makes a lowercase URL segment, and never one web-llm would treat as localhost", () => {
    expect(slugify("Qwen2.5 0.5B (mine)")).toBe("qwen2.5-0.5b-mine");
    expect(slugify("localhost-llama")).toBe("local-host-llama");
    expect(slugify("../..")).toBe("model");
  });
});
