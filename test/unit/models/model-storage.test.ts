import { describe, expect, it } from "vitest";
import type { CatalogRecord } from "../../../src/core/model-catalog";
import { downloadModel } from "../../../src/models/model-downloader";
import { deleteModel, getModelStorage } from "../../../src/models/model-storage";
import { MemoryCacheStorage } from "../../fakes/memory-cache-storage";
import { buildSmallModel, hostFor, sumOfSizes, SMOLLM_RECORD, type SmallModel } from "./small-model";
import { webLlmDeleteModel, webLlmHasModel } from "./webllm-view";

async function downloaded(storage: MemoryCacheStorage, ...models: SmallModel[]): Promise<void> {
  for (const model of models) await downloadModel(model.record, { fetch: hostFor(model).fetch, caches: storage });
}

function variant(overrides: Partial<CatalogRecord>): SmallModel {
  return buildSmallModel({ record: { ...SMOLLM_RECORD, ...overrides }, shardSize: (index) => 400 + index * 13 });
}

/** A model whose URL extends the first one's: a careless prefix match would take its files too. */
const lookalike = variant({
  model: "https://huggingface.co/mlc-ai/SmolLM2-135M-Instruct-q0f16-MLC-1k",
  model_id: "SmolLM2-135M-Instruct-q0f16-MLC-1k",
  model_lib: "https://example.org/libs/SmolLM2-135M-Instruct-q0f16_cs1k-webgpu-1k.wasm",
});

describe("getModelStorage", () => {
  it("reports nothing for a model never downloaded, and creates no cache by looking", async () => {
    const storage = new MemoryCacheStorage();
    expect(await getModelStorage(SMOLLM_RECORD, storage)).toEqual({
      modelId: SMOLLM_RECORD.model_id,
      complete: false,
      bytes: 0,
      files: 0,
    });
    expect(await storage.keys()).toEqual([]);
  });

  it("counts every file and byte of a downloaded model, and only of that model", async () => {
    const storage = new MemoryCacheStorage();
    const model = buildSmallModel();
    await downloaded(storage, model, lookalike);
    expect(await getModelStorage(model.record, storage)).toEqual({
      modelId: model.record.model_id,
      complete: true,
      bytes: sumOfSizes(model),
      files: 12,
    });
    expect(await getModelStorage(lookalike.record, storage)).toMatchObject({
      complete: true,
      bytes: sumOfSizes(lookalike),
    });
  });

  it("reads sizes of entries web-llm stored itself: content-length, else the body", async () => {
    const storage = new MemoryCacheStorage();
    const model = buildSmallModel();
    const cache = await storage.open("webllm/model");
    const [first, second] = model.shards;
    if (!first || !second) throw new Error("fixture has fewer than 2 shards");
    await cache.put(
      first.url,
      new Response(first.bytes, { headers: { "content-length": String(first.bytes.length) } }),
    );
    await cache.put(second.url, new Response(second.bytes));
    expect(await getModelStorage(model.record, storage)).toMatchObject({
      complete: false,
      files: 2,
      bytes: first.bytes.byteLength + second.bytes.byteLength,
    });
  });

  it("is incomplete as soon as any file web-llm reads is missing", async () => {
    const model = buildSmallModel();
    const missingOne: [string, string][] = [
      ["webllm/model", model.shards[6]?.url ?? ""],
      ["webllm/model", new URL("tensor-cache.json", model.base).href],
      ["webllm/config", new URL("mlc-chat-config.json", model.base).href],
      ["webllm/wasm", model.record.model_lib],
      ["webllm/model", new URL("tokenizer.json", model.base).href],
    ];
    for (const [cacheName, key] of missingOne) {
      const storage = new MemoryCacheStorage();
      await downloaded(storage, model);
      expect(await (await storage.open(cacheName)).delete(key)).toBe(true);
      const storage_ = await getModelStorage(model.record, storage);
      expect({ key, complete: storage_.complete, files: storage_.files }).toEqual({ key, complete: false, files: 11 });
    }
  });
});

describe("deleteModel", () => {
  it("removes every file of the model and nothing of another model", async () => {
    const storage = new MemoryCacheStorage();
    const model = buildSmallModel();
    await downloaded(storage, model, lookalike);
    const othersBefore = {
      config: storage.urls("webllm/config").filter((url) => url.startsWith(lookalike.base)),
      model: storage.urls("webllm/model").filter((url) => url.startsWith(lookalike.base)),
    };

    await deleteModel(model.record, storage);

    expect(await getModelStorage(model.record, storage)).toMatchObject({ complete: false, bytes: 0, files: 0 });
    expect(await webLlmHasModel(storage, model.record)).toBe(false);
    expect(storage.urls("webllm/config")).toEqual(othersBefore.config);
    expect(storage.urls("webllm/model")).toEqual(othersBefore.model);
    expect(storage.urls("webllm/wasm")).toEqual([lookalike.record.model_lib]);
    expect(await getModelStorage(lookalike.record, storage)).toMatchObject({ complete: true });
    expect(await webLlmHasModel(storage, lookalike.record)).toBe(true);
  });

  it("removes tensor-cache.json before anything else, so the model stops looking complete at once", async () => {
    const storage = new MemoryCacheStorage();
    const model = buildSmallModel();
    await downloaded(storage, model);
    await deleteModel(model.record, storage);
    expect(storage.deletions[0]).toEqual({
      cacheName: "webllm/model",
      url: new URL("tensor-cache.json", model.base).href,
    });
    expect(storage.deletions).toHaveLength(12);
  });

  it("keeps a model library another stored model still uses, and removes it with the last one", async () => {
    const storage = new MemoryCacheStorage();
    const sharedLib = "https://example.org/libs/Llama-3.2-3B-Instruct-q4f16_1_cs1k-webgpu.wasm";
    const llama = variant({
      model: "https://huggingface.co/mlc-ai/Llama-3.2-3B-Instruct-q4f16_1-MLC",
      model_id: "Llama-3.2-3B-Instruct-q4f16_1-MLC",
      model_lib: sharedLib,
    });
    const hermes = variant({
      model: "https://huggingface.co/mlc-ai/Hermes-3-Llama-3.2-3B-q4f16_1-MLC",
      model_id: "Hermes-3-Llama-3.2-3B-q4f16_1-MLC",
      model_lib: sharedLib,
    });
    await downloaded(storage, llama, hermes);
    const knownRecords = [llama.record, hermes.record];

    await deleteModel(llama.record, storage, { knownRecords });
    expect(storage.urls("webllm/wasm")).toEqual([sharedLib]);
    expect(await getModelStorage(hermes.record, storage)).toMatchObject({ complete: true });

    await deleteModel(hermes.record, storage, { knownRecords });
    expect(storage.urls("webllm/wasm")).toEqual([]);
  });

  it("does nothing harmful for a model that was never stored", async () => {
    const storage = new MemoryCacheStorage();
    await downloaded(storage, lookalike);
    await deleteModel(SMOLLM_RECORD, storage);
    expect(await getModelStorage(lookalike.record, storage)).toMatchObject({ complete: true });
    expect(storage.deletions).toEqual([]);
  });
});

describe("keys agree with web-llm's own", () => {
  it("web-llm's deleteModelAllInfoInCache finds every file our download stored (except the one it forgets)", async () => {
    const storage = new MemoryCacheStorage();
    const model = buildSmallModel();
    await downloaded(storage, model);
    await webLlmDeleteModel(storage, model.record);
    // web-llm 0.2.86 deletes the shards a manifest lists but never the manifest itself.
    const manifest = new URL("tensor-cache.json", model.base).href;
    expect([...storage.urls("webllm/config"), ...storage.urls("webllm/wasm")]).toEqual([]);
    expect(storage.urls("webllm/model")).toEqual([manifest]);
    expect(await getModelStorage(model.record, storage)).toMatchObject({ files: 1, complete: false });
  });
});
