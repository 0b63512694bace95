import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CatalogRecord } from "../../../src/core/model-catalog";
import { FakeModelHost } from "./fake-model-host";

/** The real SmolLM2-135M q0f16 files as published (the shards themselves, 269 MB, are not used). */
import { FIXTURE_DIR } from "../../fakes/fake-hub";

export { FIXTURE_DIR };

/** web-llm 0.2.86's prebuilt record for this model. */
export const SMOLLM_RECORD: CatalogRecord = {
  model: "https://huggingface.co/mlc-ai/SmolLM2-135M-Instruct-q0f16-MLC",
  model_id: "SmolLM2-135M-Instruct-q0f16-MLC",
  model_lib:
    "https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/v0_2_86/base/SmolLM2-135M-Instruct-q0f16_cs1k-webgpu.wasm",
  vram_required_MB: 359.69,
  low_resource_required: true,
  required_features: ["shader-f16"],
  overrides: { context_window_size: 4096 },
};

export const SMOLLM_BASE = "https://huggingface.co/mlc-ai/SmolLM2-135M-Instruct-q0f16-MLC/resolve/main/";

interface ShardRecord {
  dataPath: string;
  nbytes: number;
  md5sum?: string;
  records: { nbytes: number; byteOffset: number }[];
}

export function md5Hex(bytes: Uint8Array): string {
  return createHash("md5").update(bytes).digest("hex");
}

/** Deterministic, distinct content for shard `index`. */
export function shardBytes(index: number, size: number): Bytes {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + index * 7 + 3) & 0xff;
  return bytes;
}

export type Bytes = Uint8Array<ArrayBuffer>;

export interface SmallModel {
  record: CatalogRecord;
  base: string;
  chatConfig: Bytes;
  /** The real manifest's structure with every shard shrunk to `shardSize(index)` bytes. */
  tensorCache: Bytes;
  tokenizer: Bytes;
  library: Bytes;
  shards: { name: string; url: string; bytes: Bytes }[];
  /** Every file and its size, by URL. */
  sizes: Map<string, number>;
}

export function buildSmallModel(
  options: { shardSize?: (index: number) => number; withMd5?: boolean; record?: CatalogRecord } = {},
): SmallModel {
  const record = options.record ?? SMOLLM_RECORD;
  const base = new URL(record.model.endsWith("/") ? record.model : `${record.model}/resolve/main/`).href;
  const shardSize = options.shardSize ?? ((index: number) => 600 + index * 97);
  const chatConfig = new Uint8Array(readFileSync(join(FIXTURE_DIR, "mlc-chat-config.json")));
  const tokenizer = new Uint8Array(readFileSync(join(FIXTURE_DIR, "tokenizer.json")));
  const realManifest = JSON.parse(readFileSync(join(FIXTURE_DIR, "tensor-cache.json"), "utf8")) as {
    records: ShardRecord[];
  };
  const shards = realManifest.records.map((shard, index) => {
    const bytes = shardBytes(index, shardSize(index));
    shard.nbytes = bytes.byteLength;
    if (options.withMd5 === false) delete shard.md5sum;
    else shard.md5sum = md5Hex(bytes);
    // Keep the tensor records consistent with the shrunken shard, so the manifest stays plausible.
    for (const tensor of shard.records) {
      tensor.byteOffset = 0;
      tensor.nbytes = Math.min(tensor.nbytes, bytes.byteLength);
    }
    return { name: shard.dataPath, url: new URL(shard.dataPath, base).href, bytes };
  });
  const tensorCache = new TextEncoder().encode(JSON.stringify(realManifest, null, 2));
  const library = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...shardBytes(99, 300)]);
  const sizes = new Map<string, number>([
    [new URL("mlc-chat-config.json", base).href, chatConfig.byteLength],
    [new URL("tensor-cache.json", base).href, tensorCache.byteLength],
    [new URL("tokenizer.json", base).href, tokenizer.byteLength],
    [new URL(record.model_lib).href, library.byteLength],
    ...shards.map((shard) => [shard.url, shard.bytes.byteLength] as [string, number]),
  ]);
  return { record, base, chatConfig, tensorCache, tokenizer, library, shards, sizes };
}

/** A host serving every file of `model`, at the URLs web-llm would request. */
export function hostFor(model: SmallModel): FakeModelHost {
  const host = new FakeModelHost();
  host.serve(new URL("mlc-chat-config.json", model.base).href, model.chatConfig);
  host.serve(new URL("tensor-cache.json", model.base).href, model.tensorCache);
  host.serve(new URL("tokenizer.json", model.base).href, model.tokenizer);
  host.serve(model.record.model_lib, model.library);
  for (const shard of model.shards) host.serve(shard.url, shard.bytes);
  // Files web-llm never reads for this model: a download that fetched them would be wasting bandwidth.
  host.serve(new URL("tokenizer_config.json", model.base).href, new Uint8Array([123, 125]));
  host.serve(new URL("vocab.json", model.base).href, new Uint8Array([123, 125]));
  return host;
}

export function sumOfSizes(model: SmallModel): number {
  let total = 0;
  for (const size of model.sizes.values()) total += size;
  return total;
}
