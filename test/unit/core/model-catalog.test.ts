import { prebuiltAppConfig } from "@mlc-ai/web-llm";
import { describe, expect, it } from "vitest";
import type { DeviceCapabilities } from "../../../src/core/device-capabilities";
import { NO_WEBGPU } from "../../../src/core/device-capabilities";
import { buildCatalog, checkRunnable, needsShaderF16, pickDefaultModel } from "../../../src/core/model-catalog";
import type { CatalogRecord } from "../../../src/core/model-catalog";

const records = prebuiltAppConfig.model_list as CatalogRecord[];

/** What Chromium's SwiftShader adapter reports on the test machines: no f16, 1 GiB buffers. */
const swiftShader: DeviceCapabilities = {
  webgpu: true,
  shaderF16: false,
  maxStorageBufferBindingSize: 2 ** 30,
  maxBufferSize: 2 ** 30,
  adapterName: "SwiftShader",
};
const laptopWithF16: DeviceCapabilities = { ...swiftShader, shaderF16: true, adapterName: "Apple M2" };

describe("model catalog against the adapter", () => {
  it("offers no f16 model on an adapter without shader-f16, including records that do not declare it", () => {
    const catalog = buildCatalog(records, swiftShader);
    const runnable = catalog.filter((entry) => entry.runnable.ok).map((entry) => entry.record.model_id);
    expect(runnable.length).toBeGreaterThan(20);
    expect(runnable.filter((id) => /f16/.test(id))).toEqual([]);
    // Llama-3.2-1B q4f16 declares no required_features in web-llm's catalog, yet needs shader-f16.
    const undeclared = records.find((record) => record.model_id === "Llama-3.2-1B-Instruct-q4f16_1-MLC");
    expect(undeclared?.required_features).toBeUndefined();
    expect(catalog.find((entry) => entry.record.model_id === undeclared?.model_id)?.runnable.ok).toBe(false);
  });

  it("offers f16 models where the adapter has shader-f16", () => {
    const catalog = buildCatalog(records, laptopWithF16);
    expect(catalog.find((entry) => entry.record.model_id === "Qwen2.5-1.5B-Instruct-q4f16_1-MLC")?.runnable).toEqual({
      ok: true,
    });
  });

  it("explains the reason a model is hidden", () => {
    const f16 = records.find((record) => record.model_id === "SmolLM2-135M-Instruct-q0f16-MLC");
    expect(f16).toBeDefined();
    const verdict = checkRunnable(f16 as CatalogRecord, swiftShader);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? "" : verdict.reason).toContain("shader-f16");
  });

  it("rejects models whose buffers exceed the adapter's storage-buffer limit", () => {
    const small = { ...swiftShader, maxStorageBufferBindingSize: 128 * 2 ** 20 };
    const gemma = records.find((record) => record.model_id === "gemma-2b-it-q4f32_1-MLC") as CatalogRecord;
    expect(gemma.buffer_size_required_bytes).toBeGreaterThan(128 * 2 ** 20);
    const verdict = checkRunnable(gemma, small);
    expect(verdict.ok ? "" : verdict.reason).toMatch(/Needs GPU buffers of \d+ MiB/);
    expect(checkRunnable(gemma, swiftShader).ok).toBe(true);
  });

  it("lists chat models only, with GPU memory for each", () => {
    const catalog = buildCatalog(records, swiftShader);
    expect(catalog.some((entry) => entry.record.model_id.includes("snowflake-arctic-embed"))).toBe(false);
    expect(catalog.some((entry) => entry.record.model_id.includes("vision"))).toBe(false);
    expect(catalog.every((entry) => typeof entry.gpuMemoryMB === "number")).toBe(true);
  });

  it("runs nothing without WebGPU", () => {
    const catalog = buildCatalog(records, { ...NO_WEBGPU, reason: "none" });
    expect(catalog.filter((entry) => entry.runnable.ok)).toEqual([]);
    expect(pickDefaultModel(catalog, NO_WEBGPU)).toBeUndefined();
  });

  it("preselects a model the device can run, smaller on small devices", () => {
    expect(pickDefaultModel(buildCatalog(records, swiftShader), swiftShader)).toBe("Qwen2.5-1.5B-Instruct-q4f32_1-MLC");
    expect(pickDefaultModel(buildCatalog(records, laptopWithF16), laptopWithF16)).toBe(
      "Qwen2.5-1.5B-Instruct-q4f16_1-MLC",
    );
    const phone = { ...swiftShader, deviceMemoryGiB: 4 };
    expect(pickDefaultModel(buildCatalog(records, phone), phone)).toBe("Qwen2.5-0.5B-Instruct-q4f32_1-MLC");
  });

  it("falls back to the smallest runnable model when no preferred one exists", () => {
    const only = records.filter((record) => record.model_id.startsWith("TinyLlama"));
    expect(pickDefaultModel(buildCatalog(only, swiftShader), swiftShader)).toBe(
      "TinyLlama-1.1B-Chat-v1.0-q4f32_1-MLC-1k",
    );
  });

  it("treats every quantisation with f16 as needing shader-f16", () => {
    const base = { model: "https://h/x", model_lib: "https://h/x.wasm" };
    expect(needsShaderF16({ ...base, model_id: "A-q4f16_1-MLC" })).toBe(true);
    expect(needsShaderF16({ ...base, model_id: "A-q0f16-MLC" })).toBe(true);
    expect(needsShaderF16({ ...base, model_id: "A-q4f32_1-MLC" })).toBe(false);
    expect(needsShaderF16({ ...base, model_id: "A-q4f32_1-MLC", required_features: ["shader-f16"] })).toBe(true);
  });
});
