import type { DeviceCapabilities } from "./device-capabilities";

/** The fields of web-llm's `ModelRecord` that the catalog reads. */
export interface CatalogRecord {
  model: string;
  model_id: string;
  model_lib: string;
  vram_required_MB?: number;
  low_resource_required?: boolean;
  buffer_size_required_bytes?: number;
  required_features?: string[];
  /** web-llm's ModelType: 0 = LLM, 1 = embedding, 2 = VLM. */
  model_type?: number;
  overrides?: { context_window_size?: number };
}

export type Runnable = { ok: true } | { ok: false; reason: string };

export interface CatalogEntry {
  record: CatalogRecord;
  runnable: Runnable;
  /** GPU memory web-llm says the model needs, in MB. */
  gpuMemoryMB: number | undefined;
  contextWindow: number | undefined;
  lowResource: boolean;
  family: string;
}

/** Default chat models in order of preference, and why (repeated in the README). */
export const DEFAULT_PREFERENCES = {
  /** Good instruction following and reliable JSON under constrained decoding, ~1.6 GB of GPU memory. */
  withF16: ["Qwen2.5-1.5B-Instruct-q4f16_1-MLC", "Llama-3.2-1B-Instruct-q4f16_1-MLC"],
  /** The same model family in 32-bit float shaders for GPUs without shader-f16, ~1.9 GB. */
  withoutF16: ["Qwen2.5-1.5B-Instruct-q4f32_1-MLC", "Llama-3.2-1B-Instruct-q4f32_1-MLC"],
  /** For devices reporting 4 GiB of memory or less: the 0.5B model, ~1 GB. */
  smallDevice: ["Qwen2.5-0.5B-Instruct-q4f32_1-MLC", "Qwen2.5-0.5B-Instruct-q4f16_1-MLC"],
} as const;

/**
 * web-llm checks only the features a record declares, and several f16 records declare none,
 * so any model whose quantisation has f16 (q4f16, q0f16, …) is treated as needing shader-f16.
 */
export function needsShaderF16(record: CatalogRecord): boolean {
  if (record.required_features?.includes("shader-f16")) return true;
  return /q\d+f16/i.test(record.model_id);
}

export function checkRunnable(record: CatalogRecord, device: DeviceCapabilities): Runnable {
  if (!device.webgpu) return { ok: false, reason: "This browser has no WebGPU." };
  if (needsShaderF16(record) && !device.shaderF16) {
    return { ok: false, reason: "Needs 16-bit float shaders (shader-f16), which this GPU does not offer." };
  }
  const buffer = record.buffer_size_required_bytes;
  if (buffer !== undefined && buffer > device.maxStorageBufferBindingSize) {
    return {
      ok: false,
      reason: `Needs GPU buffers of ${Math.round(buffer / 2 ** 20)} MiB; this GPU allows ${Math.round(
        device.maxStorageBufferBindingSize / 2 ** 20,
      )} MiB.`,
    };
  }
  for (const feature of record.required_features ?? []) {
    if (feature !== "shader-f16") return { ok: false, reason: `Needs the WebGPU feature ${feature}.` };
  }
  return { ok: true };
}

function familyOf(modelId: string): string {
  return modelId.split(/-(?=\d|q\d)/)[0] ?? modelId;
}

/** Chat models only: embedding and vision models are for other features. */
export function isChatModel(record: CatalogRecord): boolean {
  return record.model_type === undefined || record.model_type === 0;
}

/** web-llm's embedding models (the snowflake-arctic-embed records): for memory search. */
export function isEmbeddingModel(record: CatalogRecord): boolean {
  return record.model_type === 1;
}

/**
 * The embedding model preselected for memory search: arctic-embed-s with batches of 4, the
 * smallest (about 240 MB of GPU memory), 384-dimensional like the index's benchmarks.
 */
export const DEFAULT_EMBEDDING_MODEL = "snowflake-arctic-embed-s-q0f32-MLC-b4";

function entryOf(record: CatalogRecord, device: DeviceCapabilities): CatalogEntry {
  return {
    record,
    runnable: checkRunnable(record, device),
    gpuMemoryMB: record.vram_required_MB,
    contextWindow: record.overrides?.context_window_size,
    lowResource: record.low_resource_required ?? false,
    family: familyOf(record.model_id),
  };
}

export function buildEmbeddingCatalog(records: readonly CatalogRecord[], device: DeviceCapabilities): CatalogEntry[] {
  return records.filter(isEmbeddingModel).map((record) => entryOf(record, device));
}

export function buildCatalog(records: readonly CatalogRecord[], device: DeviceCapabilities): CatalogEntry[] {
  return records.filter(isChatModel).map((record) => entryOf(record, device));
}

export function pickDefaultModel(entries: readonly CatalogEntry[], device: DeviceCapabilities): string | undefined {
  const runnable = new Set(entries.filter((entry) => entry.runnable.ok).map((entry) => entry.record.model_id));
  const small = device.deviceMemoryGiB !== undefined && device.deviceMemoryGiB <= 4;
  const order = [
    ...(small ? DEFAULT_PREFERENCES.smallDevice : []),
    ...(device.shaderF16 ? DEFAULT_PREFERENCES.withF16 : []),
    ...DEFAULT_PREFERENCES.withoutF16,
    ...DEFAULT_PREFERENCES.smallDevice,
  ];
  const preferred = order.find((id) => runnable.has(id));
  if (preferred) return preferred;
  // Fall back to the smallest runnable model that is marked as fit for limited devices.
  const fallback = entries
    .filter((entry) => entry.runnable.ok)
    .sort((a, b) => (a.gpuMemoryMB ?? Infinity) - (b.gpuMemoryMB ?? Infinity))[0];
  return fallback?.record.model_id;
}
