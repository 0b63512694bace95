import { describe, expect, it } from "vitest";
import {
  parseChatConfig,
  parseTensorCache,
  planModelFiles,
  tokenizerFileFor,
  type TensorCacheManifest,
} from "../../../src/models/model-files";
import { SMOLLM_BASE, SMOLLM_RECORD, buildSmallModel } from "./small-model";

const decode = (bytes: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(bytes));

describe("planModelFiles", () => {
  const model = buildSmallModel();
  const chatConfig = parseChatConfig(decode(model.chatConfig));
  const tensorCache = parseTensorCache(decode(model.tensorCache));

  it("lists the files web-llm reads, library first and tensor-cache.json last, in the right caches", () => {
    const plan = planModelFiles(SMOLLM_RECORD, chatConfig, tensorCache);
    expect(plan.map((file) => [file.kind, file.scope, file.url])).toEqual([
      ["library", "webllm/wasm", SMOLLM_RECORD.model_lib],
      ["tokenizer", "webllm/model", `${SMOLLM_BASE}tokenizer.json`],
      ...model.shards.map((shard) => ["weights", "webllm/model", `${SMOLLM_BASE}${shard.name}`]),
      ["config", "webllm/config", `${SMOLLM_BASE}mlc-chat-config.json`],
      ["manifest", "webllm/model", `${SMOLLM_BASE}tensor-cache.json`],
    ]);
  });

  it("carries each shard's size and md5 from the manifest", () => {
    const plan = planModelFiles(SMOLLM_RECORD, chatConfig, tensorCache);
    const weights = plan.filter((file) => file.kind === "weights");
    expect(weights.map((file) => [file.name, file.bytes, file.md5])).toEqual(
      tensorCache.records.map((shard) => [shard.dataPath, shard.nbytes, shard.md5sum]),
    );
  });

  it("uses the model URL as given when it already names a revision", () => {
    const record = { ...SMOLLM_RECORD, model: "https://example.org/org/model/resolve/v2/" };
    const plan = planModelFiles(record, chatConfig, tensorCache);
    expect(plan.at(-1)?.url).toBe("https://example.org/org/model/resolve/v2/tensor-cache.json");
  });

  it("leaves out a localhost or relative model library, which web-llm never caches", () => {
    for (const model_lib of ["http://localhost:8000/lib.wasm", "/libs/lib.wasm"]) {
      const plan = planModelFiles({ ...SMOLLM_RECORD, model_lib }, chatConfig, tensorCache);
      expect(plan.some((file) => file.kind === "library")).toBe(false);
    }
  });

  it("adds the package manifest of records that name one (web-llm loads it into webllm/config)", () => {
    const record = { ...SMOLLM_RECORD, model_manifest: "mlc-model-manifest.json" };
    const configs = planModelFiles(record, chatConfig, tensorCache).filter((file) => file.kind === "config");
    expect(configs.map((file) => file.url)).toEqual([
      `${SMOLLM_BASE}mlc-chat-config.json`,
      `${SMOLLM_BASE}mlc-model-manifest.json`,
    ]);
  });

  it("refuses a manifest whose shard paths leave the model folder", () => {
    for (const dataPath of ["../other-model/params_shard_0.bin", "https://evil.example/x.bin"]) {
      const manifest: TensorCacheManifest = { records: [{ dataPath, nbytes: 1 }] };
      expect(() => planModelFiles(SMOLLM_RECORD, chatConfig, manifest)).toThrow(/outside the model folder/);
    }
  });
});

describe("tokenizerFileFor", () => {
  it("picks tokenizer.json when listed, as web-llm does, even if tokenizer.model is listed too", () => {
    expect(tokenizerFileFor({ tokenizer_files: ["tokenizer.model", "tokenizer.json"] })).toBe("tokenizer.json");
  });

  it("falls back to tokenizer.model", () => {
    expect(tokenizerFileFor({ tokenizer_files: ["tokenizer.model", "added_tokens.json"] })).toBe("tokenizer.model");
  });

  it("throws when web-llm could read neither", () => {
    expect(() => tokenizerFileFor({ tokenizer_files: ["vocab.json", "merges.txt"] })).toThrow(/tokenizer_files/);
  });
});

describe("parseTensorCache", () => {
  it("reads the real manifest: 8 shards, 269,030,016 bytes, all with md5sums", async () => {
    const { readFileSync } = await import("node:fs");
    const { FIXTURE_DIR } = await import("./small-model");
    const manifest = parseTensorCache(JSON.parse(readFileSync(`${FIXTURE_DIR}/tensor-cache.json`, "utf8")));
    expect(manifest.records).toHaveLength(8);
    expect(manifest.records.reduce((sum, shard) => sum + shard.nbytes, 0)).toBe(269_030_016);
    expect(manifest.records.every((shard) => /^[0-9a-f]{32}$/.test(shard.md5sum ?? ""))).toBe(true);
  });

  it.each([
    [null, /expected a JSON object/],
    [{}, /`records` is not a list/],
    [{ records: [42] }, /records\[0\] is not an object/],
    [{ records: [{ nbytes: 1 }] }, /records\[0\]\.dataPath/],
    [{ records: [{ dataPath: "a.bin", nbytes: -1 }] }, /records\[0\]\.nbytes/],
    [{ records: [{ dataPath: "a.bin", nbytes: 1.5 }] }, /records\[0\]\.nbytes/],
    [{ records: [{ dataPath: "a.bin", nbytes: "1" }] }, /records\[0\]\.nbytes/],
    [{ records: [{ dataPath: "a.bin", nbytes: 1, md5sum: "nope" }] }, /md5sum/],
    [
      {
        records: [
          { dataPath: "a.bin", nbytes: 1 },
          { dataPath: "a.bin", nbytes: 1 },
        ],
      },
      /listed twice/,
    ],
  ])("rejects %j with a message that says what is wrong", (json, message) => {
    expect(() => parseTensorCache(json)).toThrow(message);
    expect(() => parseTensorCache(json)).toThrow(expect.objectContaining({ name: "DownloadIntegrityError" }));
  });
});

describe("parseChatConfig", () => {
  it("reads tokenizer_files and quantization from the real config", () => {
    const model = buildSmallModel();
    expect(parseChatConfig(decode(model.chatConfig))).toEqual({
      tokenizer_files: ["tokenizer.json", "vocab.json", "merges.txt", "tokenizer_config.json"],
      quantization: "q0f16",
    });
  });

  it("rejects a config without a tokenizer list", () => {
    expect(() => parseChatConfig({ quantization: "q4f16_1" })).toThrow(/tokenizer_files/);
  });
});
